package lossservice.web;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The body of a response whose length is not known until it is written: the first {@value #HELD_BYTES} bytes are
 * held, so that a body that ends within them goes out with {@code Content-Length} in one write; a longer one streams
 * on from there (chunked). Without it, every small answer took two writes, its chunk and then the last chunk.
 *
 * <p>The body ends with {@link #finish()}, not with {@link #close()}: a writer that closes its stream when it fails
 * half way must not send half a body; held bytes that are never finished are dropped, and the response can still
 * be an error.
 */
public final class ResponseBodyOutput extends OutputStream {

    static final int HELD_BYTES = 64 << 10;

    private final HttpServletResponse response;
    private byte[] held = new byte[512];
    private int count;
    private OutputStream streaming;
    private boolean finished;

    private ResponseBodyOutput(HttpServletResponse response) {
        this.response = response;
    }

    /** The body of {@code response}. */
    public static ResponseBodyOutput of(HttpServletResponse response) {
        return new ResponseBodyOutput(response);
    }

    @Override
    public void write(int b) throws IOException {
        if (streaming == null && count < HELD_BYTES) {
            ensure(count + 1);
            held[count++] = (byte) b;
        } else {
            stream().write(b);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (streaming == null && count + length <= HELD_BYTES) {
            ensure(count + length);
            System.arraycopy(bytes, offset, held, count, length);
            count += length;
        } else {
            stream().write(bytes, offset, length);
        }
    }

    /** Held bytes stay held: flushing them would give the length away. */
    @Override
    public void flush() throws IOException {
        if (streaming != null) {
            streaming.flush();
        }
    }

    /** Does nothing: the body ends with {@link #finish()}. */
    @Override
    public void close() {
    }

    /** Ends the body: sends the held bytes with their length, or the end of a streamed body. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        if (streaming == null) {
            response.setContentLength(count);
            OutputStream out = response.getOutputStream();
            out.write(held, 0, count);
            out.close();
        } else {
            streaming.close();
        }
    }

    private OutputStream stream() throws IOException {
        if (streaming == null) {
            streaming = response.getOutputStream();
            streaming.write(held, 0, count);
            held = null;
        }
        return streaming;
    }

    private void ensure(int capacity) {
        if (capacity > held.length) {
            held = Arrays.copyOf(held, Math.min(HELD_BYTES, Math.max(capacity, held.length * 2)));
        }
    }
}
