package lossservice.limits;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import lossservice.problem.OverloadedException;

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
 *
 * <p>Full-size segments ({@value #SEGMENT} bytes) are kept for reuse once given back, up to the limit: under a storm
 * of large requests bodies come and go at hundreds of MB/s, and allocating each anew would only make the JVM grow
 * its heap for the garbage (its resident size peaked at 3.3 GiB instead of 1.4 GiB in one run of bench/hostile.sh).
 * What is kept is within the limit, so the limit stays the bound of the memory bodies take.
 */
public class BodyMemory {

    /** The size of the segments that are reused. */
    static final int SEGMENT = 64 << 10;

    private final long limit;
    private final long largeLimit;
    private final AtomicLong used = new AtomicLong();
    private final ConcurrentLinkedDeque<byte[]> free = new ConcurrentLinkedDeque<>();
    private final AtomicInteger freeCount = new AtomicInteger();
    private final int maxFree;

    public BodyMemory(long limit) {
        this.limit = limit;
        this.largeLimit = limit - limit / 4;
        this.maxFree = (int) Math.min(Integer.MAX_VALUE, limit / SEGMENT);
    }

    /** A segment of {@code size} bytes (reserved beforehand): a reused one when it has the full size. */
    byte[] segment(int size) {
        if (size == SEGMENT) {
            byte[] reused = free.pollFirst();
            if (reused != null) {
                freeCount.decrementAndGet();
                return reused;
            }
        }
        return new byte[size];
    }

    /** Takes a segment back for reuse (nothing may refer to it any more); its reservation is released apart. */
    void recycle(byte[] segment) {
        if (segment.length == SEGMENT && freeCount.incrementAndGet() <= maxFree) {
            free.offerFirst(segment);
        } else if (segment.length == SEGMENT) {
            freeCount.decrementAndGet();
        }
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

    /**
     * Counts a message that a transport has already read whole (a gRPC request, whose size is only known once it
     * has arrived) against the same limit as HTTP bodies until the returned hold is closed.
     *
     * @throws OverloadedException when it does not fit in its share
     */
    public Hold hold(long bytes, boolean small, long retryAfterSeconds) {
        if (!tryReserve(bytes, small)) {
            throw new OverloadedException("The service is receiving more requests than it has memory for ("
                    + limit / (1 << 20) + " MiB); retry after " + retryAfterSeconds + " s.", retryAfterSeconds);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                release(bytes);
            }
        };
    }

    /** Bytes held by {@link #hold}, given back once when closed. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /** Bytes reserved now. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
