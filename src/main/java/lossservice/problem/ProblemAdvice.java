package lossservice.problem;

import lossservice.metrics.LossMetrics;
import lossservice.metrics.LossMetrics.Rejection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Turns every exception that reaches Spring MVC into a problem+json response: the service's own
 * (invalid and malformed requests, results out of range), Spring MVC's (404, 405, 415, 406, unreadable
 * bodies) and anything unexpected (500, with nothing of the exception shown to the client).
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);
    /** The protocol tag of rejections answered here: the JSON endpoints (/v2 answers its own). */
    private static final String PROTOCOL = "rest";

    private final LossMetrics metrics;

    ProblemAdvice(LossMetrics metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<Object> invalidRequest(InvalidRequestException e, HttpServletRequest request) {
        metrics.rejected(Rejection.INVALID_REQUEST, PROTOCOL);
        return ProblemDetails.response(ProblemDetails.invalidRequest(e, request.getRequestURI()), HttpHeaders.EMPTY);
    }

    @ExceptionHandler(MalformedRequestException.class)
    ResponseEntity<Object> malformedRequest(MalformedRequestException e, HttpServletRequest request) {
        metrics.rejected(Rejection.MALFORMED_JSON, PROTOCOL);
        return problem(ProblemType.MALFORMED_JSON, e.getMessage(), request, closing());
    }

    @ExceptionHandler(ResultOutOfRangeException.class)
    ResponseEntity<Object> resultOutOfRange(ResultOutOfRangeException e, HttpServletRequest request) {
        metrics.rejected(Rejection.RESULT_OUT_OF_RANGE, PROTOCOL);
        return problem(ProblemType.RESULT_OUT_OF_RANGE, e.getMessage(), request);
    }

    @ExceptionHandler(PayloadTooLargeException.class)
    ResponseEntity<Object> payloadTooLarge(PayloadTooLargeException e, HttpServletRequest request) {
        metrics.rejected(Rejection.PAYLOAD_TOO_LARGE, PROTOCOL);
        return problem(ProblemType.PAYLOAD_TOO_LARGE, e.getMessage(), request, closing());
    }

    @ExceptionHandler(OverloadedException.class)
    ResponseEntity<Object> overloaded(OverloadedException e, HttpServletRequest request) {
        metrics.rejected(Rejection.OVERLOADED, PROTOCOL);
        HttpHeaders headers = closing();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        return problem(ProblemType.OVERLOADED, e.getMessage(), request, headers);
    }

    @ExceptionHandler(DeadlineExceededException.class)
    ResponseEntity<Object> deadlineExceeded(DeadlineExceededException e, HttpServletRequest request) {
        metrics.rejected(Rejection.DEADLINE_EXCEEDED, PROTOCOL);
        return problem(ProblemType.DEADLINE_EXCEEDED, e.getMessage(), request, closing());
    }

    @ExceptionHandler(UnknownLossException.class)
    ResponseEntity<Object> unknownLoss(UnknownLossException e, HttpServletRequest request) {
        return problem(ProblemType.NOT_FOUND, e.getMessage(), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        if (ClientDisconnects.isClientGone(e)) {
            log.debug("The client of {} {} went away before its answer was written: {}", request.getMethod(),
                    request.getRequestURI(), e.toString());
            return null;
        }
        log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return problem(ProblemType.INTERNAL_ERROR, "The service failed to handle the request.", request);
    }

    /** Gives Spring MVC's own problems (404, 405, 415, ...) the service's type URIs and plain details. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
            WebRequest request) {
        HttpServletRequest servletRequest = request instanceof NativeWebRequest nativeRequest
                && nativeRequest.getNativeRequest() instanceof HttpServletRequest servlet ? servlet : null;
        String instance = servletRequest != null ? servletRequest.getRequestURI() : null;
        String detail = body instanceof ProblemDetail springProblem ? springProblem.getDetail() : null;
        ProblemType type = ProblemType.forStatus(statusCode.value());
        if (statusCode.value() == 400) {
            type = ProblemType.MALFORMED_JSON;
            detail = "The body could not be read as JSON.";
        }
        if (statusCode.value() == 404) {
            detail = ProblemDetails.notFoundDetail(instance);
        }
        if (statusCode.value() == 415 && servletRequest != null && servletRequest.getContentType() == null) {
            detail = "The request has no Content-Type; send the body as application/json.";
        }
        return ProblemDetails.response(ProblemDetails.of(type, statusCode, detail, instance), headers);
    }

    /**
     * {@code Connection: close} on answers that may leave the body partly unread. Tomcat closes the connection
     * after a 400, 413 or 503 anyway, but only with this header does it first read and discard the rest of the
     * body (up to {@code server.tomcat.max-swallow-size}), so that a client still sending it can read the answer
     * instead of meeting a reset connection.
     */
    private static HttpHeaders closing() {
        HttpHeaders headers = new HttpHeaders();
        headers.setConnection("close");
        return headers;
    }

    private static ResponseEntity<Object> problem(ProblemType type, String detail, HttpServletRequest request) {
        return problem(type, detail, request, HttpHeaders.EMPTY);
    }

    private static ResponseEntity<Object> problem(ProblemType type, String detail, HttpServletRequest request,
            HttpHeaders headers) {
        return ProblemDetails.response(ProblemDetails.of(type, type.status(), detail, request.getRequestURI()),
                headers);
    }
}
