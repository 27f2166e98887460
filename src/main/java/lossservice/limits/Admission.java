package lossservice.limits;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import lossservice.compute.Deadline;
import lossservice.problem.OverloadedException;

/**
 * The places for work: how many requests may be between admission and their answer (decoding, computation,
 * encoding) at once, so that the memory their arrays take and the work in progress are bounded. A request is
 * admitted only once its whole body has arrived, so a slow client never holds a place. A request that
 * finds no place free within the admission wait is turned away at once ({@link OverloadedException}) instead of
 * queueing without bound.
 */
public class Admission {

    private final Semaphore places;
    private final int maxConcurrentRequests;
    private final long waitNanos;
    private final long retryAfterSeconds;

    public Admission(int maxConcurrentRequests, Duration wait, long retryAfterSeconds) {
        this.places = new Semaphore(maxConcurrentRequests, true);
        this.maxConcurrentRequests = maxConcurrentRequests;
        this.waitNanos = wait.toNanos();
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static Admission from(LimitsProperties limits) {
        return new Admission(limits.effectiveMaxConcurrentRequests(), limits.admissionWait(),
                limits.retryAfterSeconds());
    }

    /**
     * Takes a place, waiting at most the admission wait and never past the request's deadline; the returned place is
     * given back when closed.
     *
     * @throws OverloadedException when no place came free in time
     * @throws lossservice.problem.DeadlineExceededException when the deadline passed while waiting
     */
    public Place admit(Deadline deadline) {
        boolean admitted;
        try {
            admitted = places.tryAcquire(Math.min(waitNanos, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted && deadline.passed()) {
            throw deadline.exceeded();
        }
        if (!admitted) {
            throw new OverloadedException("The service is at capacity (" + maxConcurrentRequests
                    + " requests in progress); retry after " + retryAfterSeconds + " s.", retryAfterSeconds);
        }
        return new Place();
    }

    /** Requests admitted and not yet finished. */
    public int inProgress() {
        return maxConcurrentRequests - places.availablePermits();
    }

    /** A place taken by one request; closing it gives the place back (once). */
    public final class Place implements AutoCloseable {

        private boolean closed;

        private Place() {
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                places.release();
            }
        }
    }
}
