package lossservice.limits;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import lossservice.compute.Deadline;
import lossservice.metrics.LossMetrics;
import lossservice.metrics.LossMetrics.Rejection;
import lossservice.problem.OverloadedException;
import lossservice.problem.ProblemServletResponses;
import lossservice.problem.ProblemType;

import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The first thing every request meets: the body size limit, then, for requests that carry work (POST),
 * admission to a place ({@link Admission}). Both are decided before the body is read, and answered here (errors raised in a
 * filter never reach {@code @ControllerAdvice}) with problem+json, or with the error format of the path's
 * {@link RejectionBodies} ({@code {"error": "..."}} under {@code /v2}).
 *
 * <ul>
 *   <li>{@code Content-Length} above the limit: 413 at once; a chunked body is cut off by
 *       {@link LimitedBodyRequest} at the read that passes the limit (413 through the advice);</li>
 *   <li>no place free within the admission wait: 503 with {@code Retry-After} at once.</li>
 * </ul>
 * Both answers are complete (with a {@code Content-Length}) and flushed before anything of the body is read, and
 * carry {@code Connection: close}: Tomcat then reads and discards what is left of the body (at most
 * {@code server.tomcat.max-swallow-size}) before closing, so that a client that writes its whole body before
 * reading sees the answer rather than a reset connection.
 */
final class RequestLimitsFilter extends OncePerRequestFilter {

    private final LimitsProperties limits;
    private final Admission admission;
    private final RequestDeadlines deadlines;
    private final LossMetrics metrics;
    private final List<RejectionBodies> rejectionBodies;

    RequestLimitsFilter(LimitsProperties limits, Admission admission, RequestDeadlines deadlines, LossMetrics metrics,
            List<RejectionBodies> rejectionBodies) {
        this.limits = limits;
        this.admission = admission;
        this.deadlines = deadlines;
        this.metrics = metrics;
        this.rejectionBodies = List.copyOf(rejectionBodies);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long maxBytes = limits.maxBodySize().toBytes();
        LimitedBodyRequest limited = new LimitedBodyRequest(request, maxBytes, deadlines);
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            metrics.rejected(Rejection.PAYLOAD_TOO_LARGE);
            reject(request, response, ProblemType.PAYLOAD_TOO_LARGE, "The request body has " + declared
                    + " bytes; the limit is " + maxBytes + " bytes.", Map.of(HttpHeaders.CONNECTION, "close"));
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            chain.doFilter(limited, response);
            return;
        }
        Admission.Place place;
        try {
            place = admission.admit();
        } catch (OverloadedException e) {
            metrics.rejected(Rejection.OVERLOADED);
            reject(request, response, ProblemType.OVERLOADED, e.getMessage(), Map.of(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()), HttpHeaders.CONNECTION, "close"));
            return;
        }
        // The deadline starts at admission; the compute pool finds it through RequestDeadlines.
        try (place; RequestDeadlines.Binding binding = deadlines.bind(Deadline.after(limits.deadline()))) {
            chain.doFilter(limited, response);
        }
    }

    /** The type decides the status; the path decides the body: problem+json, or the format of a {@link RejectionBodies}. */
    private void reject(HttpServletRequest request, HttpServletResponse response, ProblemType type, String detail,
            Map<String, String> headers) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        for (RejectionBodies format : rejectionBodies) {
            if (format.covers(path)) {
                ProblemServletResponses.send(response, type.status(), format.contentType(), format.body(detail),
                        headers);
                return;
            }
        }
        ProblemServletResponses.send(response, type, detail, request.getRequestURI(), headers);
    }
}
