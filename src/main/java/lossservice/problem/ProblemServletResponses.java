package lossservice.problem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

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
        if (response.isCommitted()) {
            return false;
        }
        response.resetBuffer();
        response.setStatus(type.status().value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        headers.forEach(response::setHeader);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ProblemJsonWriter.write(ProblemDetails.of(type, HttpStatusCode.valueOf(type.status().value()), detail, instance),
                body);
        // A length rather than chunks: the answer is complete for the client even while Tomcat still discards
        // the rest of the request body.
        response.setContentLength(body.size());
        body.writeTo(response.getOutputStream());
        response.flushBuffer();
        return true;
    }
}
