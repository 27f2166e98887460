package lossservice.inference.grpc;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * How many inference calls may have their request message read at once. grpc-java asks for a unary call's message as
 * soon as the call starts, and the transport then takes in every byte the client sends (flow-control windows are
 * given back as the bytes arrive) and holds the message in direct memory until a call thread parses it: 64 clients
 * sending 8 MB each at once filled the JVM's direct memory under the image's memory settings (OutOfMemoryError,
 * connections reset). Here a call asks for its message only once it holds one of a fixed number of permits; until
 * then its client can send no more than the stream's flow-control window. A call that gets no permit within the
 * admission wait (or its deadline) ends UNAVAILABLE, as an HTTP request that gets no place ends 503. A call whose
 * request (its message and its end) has not arrived within the request deadline after it got its permit ends
 * DEADLINE_EXCEEDED, so a client that stops sending, or never ends its request, cannot keep a permit. The permit is
 * given back when the call ends.
 */
final class GrpcMessageGate implements ServerInterceptor {

    private final String gatedMethod;
    private final int permits;
    private final Duration wait;
    private final Duration receiveDeadline;
    private final long retryAfterSeconds;
    private final Runnable onRefused;
    // One daemon thread for the refusals, for the life of the application (the server may be started again).
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "grpc-message-gate");
        thread.setDaemon(true);
        return thread;
    });
    private final Deque<Gated<?, ?>> waiting = new ArrayDeque<>();
    /** Calls let in whose message has not arrived yet (at most {@link #permits}). */
    private final Set<Gated<?, ?>> receiving = new HashSet<>();
    private int held;

    /**
     * @param gatedMethod the full name of the method whose calls are gated
     * @param permits     calls that may be receiving or processing their message at once
     * @param wait        how long a call waits for a permit before it is refused
     * @param receiveDeadline how long a call with a permit may take to send its message (the request deadline), so
     *                    that a client that stops sending cannot keep a permit
     * @param onRefused   told of every refusal (the rejection metric)
     */
    GrpcMessageGate(String gatedMethod, int permits, Duration wait, Duration receiveDeadline, long retryAfterSeconds,
            Runnable onRefused) {
        this.gatedMethod = gatedMethod;
        this.permits = permits;
        this.wait = wait;
        this.receiveDeadline = receiveDeadline;
        // One sweep a quarter of a second (or sooner for a short wait or deadline) instead of a timer per call: at
        // concurrency 8 on 2 cores two calls wait at the gate most of the time, and a timer scheduled and cancelled
        // for each of them kept the timer's thread waking (3.4% of a small call's CPU samples).
        long sweep = Math.max(1, Math.min(250, Math.min(wait.toMillis(), receiveDeadline.toMillis()) / 4));
        timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        this.retryAfterSeconds = retryAfterSeconds;
        this.onRefused = onRefused;
    }


    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getFullMethodName().equals(gatedMethod)) {
            return next.startCall(call, headers);
        }
        Gated<Q, R> gated = new Gated<>(call);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(gated, headers)) {
            @Override
            public void onMessage(Q message) {
                if (gated.passes(false)) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                if (gated.passes(true)) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                gated.end();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                gated.end();
                super.onComplete();
            }
        };
    }

    /** Ends the calls that waited for a permit longer than the wait, and those whose request is overdue. */
    private void sweep() {
        List<Gated<?, ?>> waitedTooLong = new ArrayList<>();
        List<Gated<?, ?>> overdue = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            for (Gated<?, ?> call : waiting) { // in the order they came
                if (now - call.waitingSince <= wait.toNanos()) {
                    break;
                }
                waitedTooLong.add(call);
            }
            for (Gated<?, ?> call : receiving) {
                if (now - call.letIn > receiveDeadline.toNanos()) {
                    overdue.add(call);
                }
            }
        }
        waitedTooLong.forEach(Gated::refuse);
        overdue.forEach(Gated::stall);
    }

    /** Permits held now (for tests and metrics). */
    synchronized int held() {
        return held;
    }

    private void release() {
        Gated<?, ?> next;
        synchronized (this) {
            next = waiting.pollFirst();
            if (next == null) {
                held--;
                return;
            }
        }
        next.granted(); // the permit passes straight to the next waiting call
    }

    private final class Gated<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {

        private int requested;
        private boolean permitted;
        private boolean ended;
        private boolean received;
        private boolean stalled;
        private long waitingSince;
        private long letIn;

        Gated(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public void request(int messages) {
            boolean now;
            synchronized (GrpcMessageGate.this) {
                if (ended) {
                    return;
                }
                if (permitted) {
                    now = true;
                } else if (requested > 0) {
                    requested += messages; // already waiting for a permit
                    return;
                } else if (held < permits) {
                    held++;
                    permitted = true;
                    now = true;
                } else {
                    requested = messages;
                    waitingSince = System.nanoTime();
                    waiting.addLast(this);
                    now = false;
                }
            }
            if (now) {
                receive(messages);
            }
        }

        /** A permit came free for this waiting call. */
        void granted() {
            int messages;
            boolean cancelled = isCancelled();
            synchronized (GrpcMessageGate.this) {
                permitted = true;
                messages = requested;
                requested = 0;
                if (ended || cancelled) {
                    // Ended (or cancelled by its deadline) while the permit was on its way: pass it on.
                    permitted = false;
                    messages = 0;
                }
            }
            if (messages > 0) {
                receive(messages);
            } else {
                release();
            }
        }

        /** Lets the message in, and watches that it arrives within the deadline. */
        private void receive(int messages) {
            synchronized (GrpcMessageGate.this) {
                if (!received && !ended && receiving.add(this)) {
                    letIn = System.nanoTime();
                }
            }
            super.request(messages);
        }

        /**
         * True when the message, or the end of the request, may go on to the service. The request has arrived only
         * with its end (half-close): a unary call is served then, so a client that sends its message and never ends
         * its request is still receiving, and loses its permit at the deadline like one that sends nothing.
         */
        boolean passes(boolean requestEnded) {
            synchronized (GrpcMessageGate.this) {
                if (stalled) {
                    return false;
                }
                if (requestEnded) {
                    received = true;
                    receiving.remove(this);
                }
                return true;
            }
        }

        /** The message did not arrive within the deadline: the call ends and its permit goes on. */
        void stall() {
            synchronized (GrpcMessageGate.this) {
                receiving.remove(this);
                if (received || ended || stalled) {
                    return;
                }
                stalled = true;
            }
            super.close(Status.DEADLINE_EXCEEDED.withDescription("The request (its message and its end) did not"
                    + " arrive within the deadline of " + receiveDeadline.toMillis() / 1000.0 + " s."), new Metadata());
        }

        /** Still waiting after the admission wait: refused like an HTTP request that got no place. */
        private void refuse() {
            synchronized (GrpcMessageGate.this) {
                if (permitted || ended || !waiting.remove(this)) {
                    return;
                }
                ended = true;
            }
            onRefused.run();
            super.close(Status.UNAVAILABLE.withDescription("The service is at capacity (" + permits
                    + " inference calls being received or computed); retry after " + retryAfterSeconds + " s."),
                    new Metadata());
        }

        /** The call ended (answered, cancelled, or refused): its permit goes to the next call. */
        void end() {
            boolean wasPermitted;
            synchronized (GrpcMessageGate.this) {
                if (ended && !permitted) {
                    return;
                }
                ended = true;
                waiting.remove(this);
                receiving.remove(this);
                wasPermitted = permitted;
                permitted = false;
            }
            if (wasPermitted) {
                release();
            }
        }
    }
}
