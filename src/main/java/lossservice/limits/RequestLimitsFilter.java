package lossservice.limits;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import lossservice.compute.Deadline;
import lossservice.metrics.LossMetrics;
import lossservice.metrics.LossMetrics.Rejection;
import lossservice.problem.DeadlineExceededException;
import lossservice.problem.OverloadedException;
import lossservice.problem.PayloadTooLargeException;
import lossservice.problem.ProblemServletResponses;
import lossservice.problem.ProblemType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The first thing every request meets: the limits decided from its head, then, for requests that carry work (POST),
 * the reading of the whole body into memory, and only then admission to a place. Everything is answered here
 * (errors raised in a filter never reach {@code @ControllerAdvice}) with problem+json, or with the error format of
 * the path's {@link RejectionBodies} ({@code {"error": "..."}} under {@code /v2}).
 *
 * <p>From the head, before anything of the body is read (and so before any {@code 100 Continue}):
 * <ul>
 *   <li>a method HTTP does not define: 501;</li>
 *   <li>{@code Content-Length} above the body size limit: 413;</li>
 *   <li>a {@code Content-Encoding} other than gzip, deflate or identity: 415;</li>
 *   <li>a POST that Spring MVC would refuse from its head (no such method on the path, a {@code Content-Type} the
 *       endpoint does not read, an {@code Accept} it cannot meet): passed on with its body unread, for MVC to
 *       answer (a small body that came with its head has been read by then: that costs less than the question).</li>
 * </ul>
 * Requests of any other method are passed on as if they had no body ({@link UnreadBodyRequest}): a body means
 * nothing to them, and reading one a client trickles would hold a thread.
 *
 * <p>The body of a POST is then read and decoded ({@link ContentDecoder}) into memory ({@link BufferedBody}, bounded
 * together by {@link BodyMemory}) <em>before</em> the request takes a place, so that a client sending its body
 * slowly, or not at all, holds neither a place nor a thread: when Tomcat already has the whole body (a small request
 * usually arrives with its head) it is read on the spot; otherwise the thread is given back and the body is read with
 * non-blocking I/O ({@link ReadListener}) as it arrives, under the request's deadline, then the request is dispatched
 * again to go on. A body over the size limit (decoded), one the memory cannot take, one that is not what its
 * {@code Content-Encoding} says, and one that has not arrived by the deadline are answered 413, 503 overloaded, 400
 * and 503 deadline-exceeded. Then {@link Admission} (503 overloaded when no place comes free within the admission
 * wait), and the controller gets a {@link BufferedBodyRequest}: the decoded body, with the request's deadline bound
 * for the compute pool.
 *
 * <p>Every refusal carries {@code Connection: close}, and the connection is closed after it without reading the rest
 * of the body ({@link TomcatConnectionValve}): a client trickling a large body must not keep a thread busy
 * discarding it.
 */
final class RequestLimitsFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RequestLimitsFilter.class);

    /** The methods of RFC 9110 (and PATCH); any other is answered 501 (RFC 9110, section 9.1). */
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    /** Request attribute: a body read by the non-blocking reader, for the dispatch that goes on with the request. */
    private static final String RECEIVED = RequestLimitsFilter.class.getName() + ".received";
    private static final int READ_BUFFER = 16 << 10;

    private final LimitsProperties limits;
    private final Admission admission;
    private final BodyMemory memory;
    private final RequestDeadlines deadlines;
    private final LossMetrics metrics;
    private final List<RejectionBodies> rejectionBodies;
    /** Whether Spring MVC would refuse a request from its head alone: then its body is not read (nor 100 Continue sent). */
    private final HeadRefusals headRefusals;

    RequestLimitsFilter(LimitsProperties limits, Admission admission, BodyMemory memory, RequestDeadlines deadlines,
            LossMetrics metrics, List<RejectionBodies> rejectionBodies,
            HeadRefusals headRefusals) {
        this.limits = limits;
        this.admission = admission;
        this.memory = memory;
        this.deadlines = deadlines;
        this.metrics = metrics;
        this.rejectionBodies = List.copyOf(rejectionBodies);
        this.headRefusals = headRefusals;
    }

    /** The dispatch after a non-blocking read goes through here again, to take a place and go on. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            Received received = (Received) request.getAttribute(RECEIVED);
            if (received != null) {
                request.removeAttribute(RECEIVED);
                serve(received, request, response, chain);
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        if (!METHODS.contains(request.getMethod())) {
            reject(request, response, ProblemType.NOT_IMPLEMENTED, "The method " + request.getMethod()
                    + " is not implemented.", Map.of(HttpHeaders.CONNECTION, "close"));
            return;
        }
        long maxBytes = limits.maxBodySize().toBytes();
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            metrics.rejected(Rejection.PAYLOAD_TOO_LARGE, protocol(request));
            reject(request, response, ProblemType.PAYLOAD_TOO_LARGE, "The request body has " + declared
                    + " bytes; the limit is " + maxBytes + " bytes.", Map.of(HttpHeaders.CONNECTION, "close"));
            return;
        }
        String coding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        if (!ContentDecoder.isSupported(coding)) {
            reject(request, response, ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding \"" + coding
                    + "\" is not supported; send the body as " + ContentDecoder.ACCEPTED + ".",
                    Map.of(HttpHeaders.CONNECTION, "close"));
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            passUnread(request, response, chain);
            return;
        }
        // A small body usually arrives with its head: reading it costs less than asking Spring MVC whether it would
        // refuse the request (5% of a small request's time), so that question waits until the body turns out not to
        // be there yet.
        boolean small = declared >= 0 && declared <= READ_BUFFER && request.getHeader(HttpHeaders.EXPECT) == null;
        if (!small && headRefusals.refused(request)) {
            passUnread(request, response, chain);
            return;
        }

        Deadline deadline = Deadline.after(limits.deadline());
        BufferedBody body = new BufferedBody(memory, maxBytes, limits.smallRequestSize().toBytes(),
                limits.retryAfterSeconds(), ContentDecoder.isIdentity(coding) ? declared : -1);
        ContentDecoder decoder = ContentDecoder.forCoding(coding, body);
        boolean complete;
        try {
            body.reserveDeclared();
            complete = readWithoutWaiting(request, decoder, declared);
            if (complete) {
                decoder.finish();
            }
        } catch (RuntimeException | IOException e) {
            decoder.close();
            body.release();
            if (!refused(e, request, response)) {
                throw e;
            }
            return;
        }
        if (complete) {
            decoder.close();
            serve(new Received(body, deadline), request, response, chain);
            return;
        }
        if (small && headRefusals.refused(request)) {
            decoder.close();
            body.release();
            passUnread(request, response, chain);
            return;
        }
        // The rest of the body is still on its way: give the thread back and read it as it arrives.
        ConnectionControl.of(request).sendContinue();
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(Math.max(1, deadline.remainingNanos() / 1_000_000));
        BodyReader reader = new BodyReader(request, response, async, decoder, body, deadline);
        async.addListener(reader);
        request.getInputStream().setReadListener(reader);
    }

    /**
     * Reads, without blocking, what Tomcat already holds of a body of known length; true when that was all of it. A
     * chunked body, and one whose client waits for {@code 100 Continue}, is left to the non-blocking reader.
     */
    private static boolean readWithoutWaiting(HttpServletRequest request, ContentDecoder decoder, long declared)
            throws IOException {
        if (declared < 0 || request.getHeader(HttpHeaders.EXPECT) != null) {
            return false;
        }
        ServletInputStream in = request.getInputStream();
        byte[] buffer = null;
        while (!in.isFinished()) {
            if (in.available() <= 0) {
                return false;
            }
            if (buffer == null) {
                buffer = new byte[(int) Math.min(READ_BUFFER, Math.max(1, declared))];
            }
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            decoder.write(buffer, 0, n);
        }
        return true;
    }

    /** A request whose body, if any, is never read: it goes on as if it had none. */
    private static void passUnread(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(UnreadBodyRequest.hasBody(request) ? new UnreadBodyRequest(request) : request, response);
    }

    /** The body has arrived: admission, then the rest of the chain with the decoded body and the deadline bound. */
    private void serve(Received received, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Admission.Place place;
        try {
            place = admission.admit(received.body().length(), received.deadline());
        } catch (OverloadedException | DeadlineExceededException e) {
            received.body().release();
            refused(e, request, response);
            return;
        }
        try (place; RequestDeadlines.Binding binding = deadlines.bind(received.deadline())) {
            chain.doFilter(new BufferedBodyRequest(request, received.body(), received.deadline()), response);
        } finally {
            received.body().release();
        }
    }

    /**
     * Answers a request refused while its body was being read or while it waited for a place; false for an
     * exception that is not such a refusal.
     */
    private boolean refused(Exception e, HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (e instanceof PayloadTooLargeException) {
            metrics.rejected(Rejection.PAYLOAD_TOO_LARGE, protocol(request));
            reject(request, response, ProblemType.PAYLOAD_TOO_LARGE, e.getMessage(),
                    Map.of(HttpHeaders.CONNECTION, "close"));
        } else if (e instanceof OverloadedException overloaded) {
            metrics.rejected(Rejection.OVERLOADED, protocol(request));
            reject(request, response, ProblemType.OVERLOADED, e.getMessage(), Map.of(HttpHeaders.RETRY_AFTER,
                    Long.toString(overloaded.retryAfterSeconds()), HttpHeaders.CONNECTION, "close"));
        } else if (e instanceof DeadlineExceededException) {
            metrics.rejected(Rejection.DEADLINE_EXCEEDED, protocol(request));
            reject(request, response, ProblemType.DEADLINE_EXCEEDED, e.getMessage(),
                    Map.of(HttpHeaders.CONNECTION, "close"));
        } else if (e instanceof BodyDecodingException) {
            reject(request, response, ProblemType.BAD_REQUEST, e.getMessage(), Map.of(HttpHeaders.CONNECTION, "close"));
        } else {
            return false;
        }
        return true;
    }

    /** The protocol tag of a rejection: "v2" under /v2, "rest" elsewhere. */
    private static String protocol(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/v2") || path.startsWith("/v2/") ? "v2" : "rest";
    }

    /**
     * The type decides the status; the path decides the body: problem+json, or the format of a {@link RejectionBodies}.
     * Every refusal says {@code Connection: close}; the connection is then closed without reading the rest of the body
     * ({@link TomcatConnectionValve}).
     */
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

    /** A body read whole, and the deadline of its request. */
    private record Received(BufferedBody body, Deadline deadline) {
    }

    /**
     * Reads the rest of a body as it arrives, on whichever container thread has data to give, holding no thread
     * while it waits; dispatches the request again once the body is complete, or answers it when the body is
     * refused or its deadline passes first.
     */
    private final class BodyReader implements ReadListener, AsyncListener {

        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final AsyncContext async;
        private final ContentDecoder decoder;
        private final BufferedBody body;
        private final Deadline deadline;
        private final byte[] buffer = new byte[READ_BUFFER];
        private ServletInputStream in;
        /** Set once the request has been handed on, answered or abandoned: later reads change nothing. */
        private boolean done;
        /** Set once the body is complete and the request dispatched again: the buffer is the dispatch's now. */
        private boolean dispatched;

        BodyReader(HttpServletRequest request, HttpServletResponse response, AsyncContext async,
                ContentDecoder decoder, BufferedBody body, Deadline deadline) {
            this.request = request;
            this.response = response;
            this.async = async;
            this.decoder = decoder;
            this.body = body;
            this.deadline = deadline;
        }

        @Override
        public synchronized void onDataAvailable() throws IOException {
            if (done) {
                return;
            }
            if (in == null) {
                in = request.getInputStream();
            }
            try {
                while (in.isReady()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    decoder.write(buffer, 0, n);
                }
            } catch (PayloadTooLargeException | OverloadedException | BodyDecodingException e) {
                finish(e);
            }
        }

        @Override
        public synchronized void onAllDataRead() throws IOException {
            if (done) {
                return;
            }
            try {
                decoder.finish();
            } catch (BodyDecodingException e) {
                finish(e);
                return;
            }
            done = true;
            dispatched = true;
            decoder.close();
            request.setAttribute(RECEIVED, new Received(body, deadline));
            async.dispatch();
        }

        /**
         * The connection failed, or went silent past Tomcat's read timeout: Tomcat closes it (nobody is left to
         * answer) and then tells the listeners ({@link #onError(AsyncEvent)}).
         */
        @Override
        public synchronized void onError(Throwable failure) {
            log.debug("The body of {} {} could not be read: {}", request.getMethod(), request.getRequestURI(),
                    failure.toString());
            if (!done) {
                done = true;
                release();
            }
        }

        @Override
        public synchronized void onTimeout(AsyncEvent event) throws IOException {
            if (!done) {
                finish(deadline.exceeded());
            }
        }

        /** Completing here, in a listener, ends the request without Tomcat's error page (the connection is closing). */
        @Override
        public synchronized void onError(AsyncEvent event) {
            if (!dispatched) {
                done = true;
                release();
                async.complete();
            }
        }

        @Override
        public synchronized void onComplete(AsyncEvent event) {
            if (!dispatched) {
                done = true;
                release();
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }

        /** Answers the refusal and ends the request; the connection is closed after the answer. */
        private void finish(Exception refusal) throws IOException {
            done = true;
            release();
            try {
                refused(refusal, request, response);
            } finally {
                async.complete();
            }
        }

        private void release() {
            decoder.close();
            body.release();
        }
    }
}
