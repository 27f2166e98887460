package lossservice.limits;

import java.io.IOException;

import lossservice.problem.PayloadTooLargeException;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * A request whose body is left on the connection (every method but POST, and a POST refused from its head): should
 * anything read it, it stops being readable at the size limit, the read that passes it throwing
 * {@link PayloadTooLargeException}. Bodies of work (POST) are read by {@link RequestLimitsFilter} itself instead.
 */
final class LimitedBodyRequest extends HttpServletRequestWrapper {

    private final long maxBytes;
    private CountingInputStream body;

    LimitedBodyRequest(HttpServletRequest request, long maxBytes) {
        super(request);
        this.maxBytes = maxBytes;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        if (body == null) {
            body = new CountingInputStream(super.getInputStream());
        }
        return body;
    }

    private final class CountingInputStream extends ServletInputStream {

        private final ServletInputStream raw;
        private long count;
        private boolean atEnd;

        CountingInputStream(ServletInputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            int b = raw.read();
            if (b < 0) {
                atEnd = true;
            } else {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = raw.read(buffer, offset, length);
            if (n < 0) {
                atEnd = true;
            } else {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            count += n;
            if (count > maxBytes) {
                throw new PayloadTooLargeException("The request body is larger than the limit of " + maxBytes
                        + " bytes.");
            }
        }

        @Override
        public boolean isFinished() {
            return atEnd || raw.isFinished();
        }

        @Override
        public boolean isReady() {
            return raw.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            raw.setReadListener(listener);
        }
    }
}
