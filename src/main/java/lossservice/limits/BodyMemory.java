package lossservice.limits;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all buffered request bodies may take together ({@code loss.limits.max-buffered-bytes}). Bodies are read
 * whole before a request takes a place, so without this bound many clients sending large bodies at once could fill
 * the heap. A body of declared length reserves it whole before any of it is read (so that a storm of large
 * requests is turned away at the door, without their bodies being read); a body of unknown length (chunked, or
 * compressed: its decoded length is unknown) reserves as its buffer grows. Space is given back as the request's
 * decoder consumes the buffer, or when the request ends.
 *
 * <p>Large bodies may fill three quarters of it; the last quarter is kept for small ones, so that a storm of large
 * requests does not turn small ones away.
 */
public class BodyMemory {

    private final long limit;
    private final long largeLimit;
    private final AtomicLong used = new AtomicLong();

    public BodyMemory(long limit) {
        this.limit = limit;
        this.largeLimit = limit - limit / 4;
    }

    /** Reserves {@code bytes} for a small or a large body; false when that would pass the body's share. */
    boolean tryReserve(long bytes, boolean small) {
        long cap = small ? limit : largeLimit;
        while (true) {
            long current = used.get();
            if (current + bytes > cap) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes reserved now. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
