package lossservice.inference;

import org.springframework.http.HttpStatus;

/** A request the Open Inference Protocol endpoints refuse, answered with {@code {"error": message}}. */
public final class InferenceException extends RuntimeException {

    private final HttpStatus status;

    public InferenceException(HttpStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static InferenceException badRequest(String message) {
        return new InferenceException(HttpStatus.BAD_REQUEST, message);
    }

    public HttpStatus status() {
        return status;
    }
}
