package lossservice.problem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Problem+json answers written straight to the servlet response, for code that runs before Spring MVC (servlet
 * filters), where {@code @ControllerAdvice} does not reach. The body comes from {@link ProblemJsonWriter}.
 */
public final class ProblemServletResponses {

    private ProblemServletResponses() {
    }

    /**
     * Writes the problem and flushes it, so that a client still sending its body already has the answer.
     *
     * @return false when the response was already committed and nothing could be written
     */
    public static boolean send(HttpServletResponse response, ProblemType type, String detail, String instance,
            Map<String, String> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ProblemJsonWriter.write(ProblemDetails.of(type, HttpStatusCode.valueOf(type.status().value()), detail, instance),
                body);
        return send(response, type.status(), MediaType.APPLICATION_PROBLEM_JSON_VALUE, body.toByteArray(), headers);
    }

    /**
     * Writes an answer with the status of a problem type but a body of another format, for paths whose clients
     * read their own error format (the Open Inference Protocol's {@code {"error": "..."}}), and flushes it.
     *
     * @return false when the response was already committed and nothing could be written
     */
    public static boolean send(HttpServletResponse response, HttpStatus status, String contentType, byte[] body,
            Map<String, String> headers) throws IOException {
        if (response.isCommitted()) {
            return false;
        }
        response.resetBuffer();
        response.setStatus(status.value());
        response.setContentType(contentType);
        headers.forEach(response::setHeader);
        // A length rather than chunks: the answer is complete for the client even while Tomcat still discards
        // the rest of the request body.
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
        return true;
    }
}
