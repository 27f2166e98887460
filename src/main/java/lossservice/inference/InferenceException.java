package lossservice.inference;

import org.springframework.http.HttpStatus;

/** A request the Open Inference Protocol endpoints refuse, answered with {@code {"error": message}}. */
final class InferenceException extends RuntimeException {

    private final HttpStatus status;

    InferenceException(HttpStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static InferenceException badRequest(String message) {
        return new InferenceException(HttpStatus.BAD_REQUEST, message);
    }

    HttpStatus status() {
        return status;
    }
}
