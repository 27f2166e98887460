package lossservice.limits;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import lossservice.compute.Deadline;
import lossservice.problem.OverloadedException;
import lossservice.problem.PayloadTooLargeException;

/**
 * A request body read whole into memory, decoded: a list of segments (at most 64 KiB each, so a large body needs no
 * large contiguous array and is never copied to grow), whose space is reserved in {@link BodyMemory}: a declared
 * length whole before the body is read ({@link #reserveDeclared}), otherwise as the segments are allocated. Writing past {@code maxBytes} throws {@link PayloadTooLargeException} at once (the rest of a compression
 * bomb is never inflated); a segment the memory budget cannot take throws {@link OverloadedException}.
 *
 * <p>Written by one thread at a time (the container serialises the events of one request), then read once through
 * {@link #inputStream}, which gives each segment back as soon as the reader has passed it.
 */
final class BufferedBody {

    static final int MIN_SEGMENT = 8 << 10;
    static final int MAX_SEGMENT = BodyMemory.SEGMENT;

    private final BodyMemory memory;
    private final long maxBytes;
    private final long smallSize;
    private final long retryAfterSeconds;
    /** A size the body is expected to have (its declared identity length), or -1. */
    private final long expected;
    private final List<byte[]> segments = new ArrayList<>();
    private long length;
    private int lastFill;
    /** Bytes of segments allocated so far. */
    private long capacity;
    /** Bytes reserved in the memory: the declared length, or the segments' capacity; less what was given back. */
    private long reserved;
    private boolean released;

    BufferedBody(BodyMemory memory, long maxBytes, long smallSize, long retryAfterSeconds, long expected) {
        this.memory = memory;
        this.maxBytes = maxBytes;
        this.smallSize = smallSize;
        this.retryAfterSeconds = retryAfterSeconds;
        this.expected = expected;
    }

    /** Appends decoded bytes. */
    void write(byte[] bytes, int offset, int count) {
        if (length + count > maxBytes) {
            throw new PayloadTooLargeException("The request body is larger than the limit of " + maxBytes + " bytes"
                    + " (counted after decoding its Content-Encoding).");
        }
        while (count > 0) {
            byte[] last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            if (last == null || lastFill == last.length) {
                last = allocate();
                segments.add(last);
                lastFill = 0;
            }
            int n = Math.min(count, last.length - lastFill);
            System.arraycopy(bytes, offset, last, lastFill, n);
            lastFill += n;
            length += n;
            offset += n;
            count -= n;
        }
    }

    /**
     * Reserves a body of declared (identity) length whole, before any of it is read, so that a storm of large
     * requests is turned away at the door, as cheaply as before bodies were buffered, instead of every body being
     * read part way and refused when the memory runs out. A body of unknown length (chunked, or compressed) reserves
     * as it grows.
     *
     * @throws OverloadedException when the memory cannot take it
     */
    void reserveDeclared() {
        if (expected > 0) {
            reserve(expected, expected <= smallSize);
        }
    }

    private byte[] allocate() {
        int size;
        if (expected >= 0) {
            // Declared and reserved: segments that fit it exactly.
            size = (int) Math.max(1, Math.min(MAX_SEGMENT, expected - capacity));
        } else {
            // Unknown length: segments grow with the body (8, 8, 16, 32, 64, 64 ... KiB), so a client that trickles
            // a chunked body holds what it has sent, not more.
            size = (int) Math.min(MAX_SEGMENT, Math.max(MIN_SEGMENT, length));
        }
        long more = capacity + size - reserved;
        if (more > 0) {
            reserve(more, capacity + size <= smallSize && (expected < 0 || expected <= smallSize));
        }
        capacity += size;
        return memory.segment(size);
    }

    private synchronized void reserve(long bytes, boolean small) {
        if (released || !memory.tryReserve(bytes, small)) {
            throw new OverloadedException("The service is receiving more request bodies than it has memory for ("
                    + memory.limit() / (1 << 20) + " MiB); retry after " + retryAfterSeconds + " s.",
                    retryAfterSeconds);
        }
        reserved += bytes;
    }

    long length() {
        return length;
    }

    /** Gives back every segment still held; idempotent. Nothing may read the body afterwards. */
    synchronized void release() {
        if (!released) {
            released = true;
            memory.release(reserved);
            reserved = 0;
            for (byte[] segment : segments) {
                if (segment != null) {
                    memory.recycle(segment);
                }
            }
            segments.clear();
        }
    }

    private synchronized byte[] segment(int index) throws IOException {
        if (released) {
            throw new IOException("The request body was read after the request ended.");
        }
        return segments.get(index);
    }

    private synchronized void release(int index) {
        byte[] segment = segments.get(index);
        if (segment != null && !released) {
            segments.set(index, null);
            memory.release(segment.length);
            reserved -= segment.length;
            memory.recycle(segment);
        }
    }

    /**
     * The body, once: each read checks the deadline (so that decoding a large body stops when the request's time is
     * up), and each segment is given back once read past, unless a {@linkplain InputStream#mark mark} holds it: a
     * reader may mark a place and {@linkplain InputStream#reset go back} to it, and the segments from the mark on
     * stay until it marks another place.
     */
    InputStream inputStream(Deadline deadline) {
        return new InputStream() {
            private int index;
            private int position;
            private long remaining = length;
            /** The segment of the mark (-1: none); segments from it on are kept. */
            private int markIndex = -1;
            private int markPosition;
            private long markRemaining;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) throws IOException {
                if (deadline != null) {
                    deadline.check();
                }
                if (count == 0) {
                    return 0;
                }
                if (remaining == 0) {
                    return -1;
                }
                byte[] segment = segment(index);
                int inSegment = (int) Math.min(segment.length - position, remaining);
                int n = Math.min(count, inSegment);
                System.arraycopy(segment, position, buffer, offset, n);
                position += n;
                remaining -= n;
                if (position == segment.length || remaining == 0) {
                    if (markIndex < 0) {
                        release(index);
                    }
                    index++;
                    position = 0;
                }
                return n;
            }

            @Override
            public boolean markSupported() {
                return true;
            }

            /**
             * Marks the place read up to, and gives back the segments read past before it. A limit of 0 drops the
             * mark (it would be gone with the next byte read): segments are given back as they are read past again.
             */
            @Override
            public synchronized void mark(int readLimit) {
                for (int i = Math.max(0, markIndex); i < index; i++) {
                    release(i);
                }
                if (readLimit == 0) {
                    markIndex = -1;
                    return;
                }
                markIndex = index;
                markPosition = position;
                markRemaining = remaining;
            }

            @Override
            public synchronized void reset() throws IOException {
                if (markIndex < 0) {
                    throw new IOException("The request body was not marked.");
                }
                index = markIndex;
                position = markPosition;
                remaining = markRemaining;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = 0;
                byte[] scratch = new byte[8192];
                while (skipped < n) {
                    int read = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                    if (read < 0) {
                        break;
                    }
                    skipped += read;
                }
                return skipped;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, remaining);
            }
        };
    }
}
