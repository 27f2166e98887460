package lossservice.problem;

import java.net.URI;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * The one place that builds RFC 9457 problem details. Every error response of the service, whether it
 * comes from a controller, from Spring MVC or from the servlet container, is made here.
 */
public final class ProblemDetails {

    private ProblemDetails() {
    }

    public static ProblemDetail of(ProblemType type, HttpStatusCode status, String detail, String instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type.type());
        problem.setTitle(type.title() != null ? type.title() : reasonPhrase(status));
        if (instance != null) {
            problem.setInstance(URI.create(instance));
        }
        return problem;
    }

    /** The detail of a 404, wherever it is answered (Spring MVC, or Tomcat's error report). */
    static String notFoundDetail(String path) {
        return path != null ? "There is no resource at " + path + "." : "There is no such resource.";
    }

    public static ProblemDetail invalidRequest(InvalidRequestException e, String instance) {
        int total = e.violations().size() + e.omitted();
        String detail;
        if (total == 1) {
            // Most messages have no subject ("must be in [0, 1], found 2"): the pointer is it.
            Violation only = e.violations().get(0);
            detail = "The request breaks 1 rule" + (only.pointer().isEmpty() ? "" : ", at " + only.pointer()) + ": "
                    + only.message() + ".";
        } else {
            detail = "The request breaks " + total + " rules; see errors."
                    + (e.omitted() > 0 ? " The first " + e.violations().size() + " are listed." : "");
        }
        ProblemDetail problem = of(ProblemType.INVALID_REQUEST, ProblemType.INVALID_REQUEST.status(), detail, instance);
        problem.setProperty("errors", List.copyOf(e.violations()));
        return problem;
    }

    /** A response entity carrying a problem, with the problem media type. */
    public static ResponseEntity<Object> response(ProblemDetail problem, HttpHeaders headers) {
        HttpHeaders responseHeaders = new HttpHeaders();
        responseHeaders.addAll(headers);
        responseHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(problem, responseHeaders, problem.getStatus());
    }

    private static String reasonPhrase(HttpStatusCode status) {
        org.springframework.http.HttpStatus known = org.springframework.http.HttpStatus.resolve(status.value());
        return known != null ? known.getReasonPhrase() : "HTTP " + status.value();
    }
}
