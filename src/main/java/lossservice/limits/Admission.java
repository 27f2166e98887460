package lossservice.limits;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import lossservice.compute.Deadline;
import lossservice.problem.OverloadedException;

/**
 * The places for work: how many requests may be between admission and their answer (decoding, computation,
 * encoding) at once, which bounds the memory their arrays take and the work in progress. A request is admitted
 * only once its whole body has arrived, so a slow client never holds a place.
 *
 * <p>Two lanes, and smallest first. There are {@code places} places for any request and {@code smallPlaces} more
 * that only small requests (a decoded body of at most {@code smallSize} bytes) may take, so a small request is
 * not stuck behind large ones. Requests waiting for a place are served smallest body first (then in order of
 * arrival), so when a place comes free during a storm of large requests the small ones waiting get it. A request
 * that gets no place within the admission wait (or before its deadline) is turned away
 * ({@link OverloadedException}) instead of queueing without bound; a large one may thus wait in vain while small
 * ones keep arriving, which is the intent: it is the expensive one to serve.
 */
public class Admission {

    private final int places;
    private final int smallPlaces;
    private final long smallSize;
    private final long waitNanos;
    private final long retryAfterSeconds;

    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Waiter> waiting =
            new PriorityQueue<>(Comparator.comparingLong(Waiter::size).thenComparingLong(Waiter::order));
    private int freePlaces;
    private int freeSmallPlaces;
    private long arrivals;

    public Admission(int places, int smallPlaces, long smallSize, Duration wait, long retryAfterSeconds) {
        this.places = places;
        this.smallPlaces = smallPlaces;
        this.smallSize = smallSize;
        this.waitNanos = wait.toNanos();
        this.retryAfterSeconds = retryAfterSeconds;
        this.freePlaces = places;
        this.freeSmallPlaces = smallPlaces;
    }

    static Admission from(LimitsProperties limits) {
        return new Admission(limits.effectiveMaxConcurrentRequests(), limits.effectiveSmallRequestPlaces(),
                limits.smallRequestSize().toBytes(), limits.admissionWait(), limits.retryAfterSeconds());
    }

    /**
     * Takes a place for a request whose decoded body has {@code size} bytes, waiting at most the admission wait and
     * never past its deadline; the returned place is given back when closed.
     *
     * @throws OverloadedException when no place came free in time
     * @throws lossservice.problem.DeadlineExceededException when the deadline passed while waiting
     */
    public Place admit(long size, Deadline deadline) {
        long wait = Math.min(waitNanos, deadline.remainingNanos());
        Place place;
        boolean small = size <= smallSize;
        lock.lock();
        try {
            Place free = takeFreeNow(small);
            if (free != null) {
                return free;
            }
            Waiter me = new Waiter(size, arrivals++, small, lock.newCondition());
            waiting.add(me);
            grant();
            long left = wait;
            try {
                while (me.place == null && left > 0) {
                    left = me.granted.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (me.place != null) {
                    me.place.close(); // granted just before the interruption: give it back
                    me.place = null;
                }
            }
            if (me.place == null) {
                waiting.remove(me);
            }
            place = me.place;
        } finally {
            lock.unlock();
        }
        if (place != null) {
            return place;
        }
        if (deadline.passed()) {
            throw deadline.exceeded();
        }
        throw new OverloadedException("The service is at capacity (" + places + " requests in progress); retry after "
                + retryAfterSeconds + " s.", retryAfterSeconds);
    }

    /**
     * Takes a place for a request whose decoded body has {@code size} bytes only if one is free now and nobody waits
     * for one (so a request that may not wait never overtakes those that do); null otherwise.
     */
    public Place tryAdmit(long size) {
        lock.lock();
        try {
            return takeFreeNow(size <= smallSize);
        } finally {
            lock.unlock();
        }
    }

    /**
     * When nobody waits and a place is free, takes it: what grant() would hand the request at once, without a
     * waiter; null otherwise. The lock is held.
     */
    private Place takeFreeNow(boolean small) {
        if (waiting.isEmpty() && (freePlaces > 0 || small && freeSmallPlaces > 0)) {
            arrivals++;
            return take(small);
        }
        return null;
    }

    /** Requests admitted and not yet finished. */
    public int inProgress() {
        lock.lock();
        try {
            return places - freePlaces + smallPlaces - freeSmallPlaces;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a request whose decoded body has this size counts as small. */
    boolean isSmall(long size) {
        return size <= smallSize;
    }

    /** Hands the free places to the waiting requests, smallest first; a small one takes a small place first. */
    private void grant() {
        while (!waiting.isEmpty() && (freePlaces > 0 || freeSmallPlaces > 0)) {
            Waiter next = null;
            if (freePlaces > 0) {
                next = waiting.peek();
            } else {
                // Only small places are free: the smallest waiting request takes one if it is small.
                Waiter smallest = waiting.peek();
                if (smallest.small()) {
                    next = smallest;
                }
            }
            if (next == null) {
                return;
            }
            waiting.poll();
            next.place = take(next.small());
            next.granted.signal();
        }
    }

    /** Takes a free place for a request (a small one takes a small place first); the lock is held. */
    private Place take(boolean small) {
        boolean smallPlace = small && freeSmallPlaces > 0;
        if (smallPlace) {
            freeSmallPlaces--;
        } else {
            freePlaces--;
        }
        return new Place(smallPlace);
    }

    private void release(boolean small) {
        lock.lock();
        try {
            if (small) {
                freeSmallPlaces++;
            } else {
                freePlaces++;
            }
            grant();
        } finally {
            lock.unlock();
        }
    }

    /** A place taken by one request; closing it gives the place back (once). */
    public final class Place implements AutoCloseable {

        private final boolean small;
        private boolean closed;

        private Place(boolean small) {
            this.small = small;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release(small);
        }
    }

    private static final class Waiter {
        private final long size;
        private final long order;
        private final boolean small;
        private final Condition granted;
        private Place place;

        Waiter(long size, long order, boolean small, Condition granted) {
            this.size = size;
            this.order = order;
            this.small = small;
            this.granted = granted;
        }

        long size() {
            return size;
        }

        long order() {
            return order;
        }

        boolean small() {
            return small;
        }
    }
}
