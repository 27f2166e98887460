package lossservice.limits;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import lossservice.compute.Deadline;

import org.springframework.http.HttpHeaders;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The request as controllers see it once its body has been read and decoded into memory: the body comes from the
 * buffer, and the head describes that body, not the one on the wire. It has no {@code Content-Encoding} (the body
 * is decoded) and no {@code Transfer-Encoding}, and its {@code Content-Length} is the decoded length.
 */
final class BufferedBodyRequest extends HttpServletRequestWrapper {

    private final BufferedBody body;
    private final Deadline deadline;
    private ServletInputStream stream;
    private BufferedReader reader;

    BufferedBodyRequest(HttpServletRequest request, BufferedBody body, Deadline deadline) {
        super(request);
        this.body = body;
        this.deadline = deadline;
    }

    @Override
    public ServletInputStream getInputStream() {
        if (reader != null) {
            throw new IllegalStateException("getReader() was already called");
        }
        if (stream == null) {
            stream = new BufferStream(body.inputStream(deadline));
        }
        return stream;
    }

    @Override
    public BufferedReader getReader() {
        if (stream != null) {
            throw new IllegalStateException("getInputStream() was already called");
        }
        if (reader == null) {
            String encoding = getCharacterEncoding();
            Charset charset = encoding != null ? Charset.forName(encoding) : StandardCharsets.UTF_8;
            reader = new BufferedReader(new InputStreamReader(body.inputStream(deadline), charset));
        }
        return reader;
    }

    @Override
    public int getContentLength() {
        return body.length() > Integer.MAX_VALUE ? -1 : (int) body.length();
    }

    @Override
    public long getContentLengthLong() {
        return body.length();
    }

    @Override
    public String getHeader(String name) {
        if (hidden(name)) {
            return null;
        }
        if (HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name)) {
            return Long.toString(body.length());
        }
        return super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        if (hidden(name)) {
            return Collections.emptyEnumeration();
        }
        if (HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name)) {
            return Collections.enumeration(List.of(Long.toString(body.length())));
        }
        return super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = Collections.list(super.getHeaderNames());
        names.removeIf(BufferedBodyRequest::hidden);
        if (names.stream().noneMatch(HttpHeaders.CONTENT_LENGTH::equalsIgnoreCase)) {
            names.add(HttpHeaders.CONTENT_LENGTH.toLowerCase());
        }
        return Collections.enumeration(names);
    }

    @Override
    public int getIntHeader(String name) {
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value);
    }

    private static boolean hidden(String name) {
        return HttpHeaders.CONTENT_ENCODING.equalsIgnoreCase(name) || HttpHeaders.TRANSFER_ENCODING.equalsIgnoreCase(name);
    }

    /** The buffer as a servlet stream: always ready, finished at its end. */
    private static final class BufferStream extends ServletInputStream {

        private final InputStream in;
        private boolean finished;

        BufferStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            finished = b < 0;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            finished = n < 0;
            return n;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public boolean markSupported() {
            return in.markSupported();
        }

        @Override
        public void mark(int readLimit) {
            in.mark(readLimit);
        }

        @Override
        public void reset() throws IOException {
            in.reset();
            finished = false;
        }

        @Override
        public boolean isFinished() {
            try {
                return finished || in.available() == 0;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new IllegalStateException("The request body has already been read; read it with blocking reads.");
        }
    }
}
