package lossservice.limits;

import java.io.IOException;

import lossservice.compute.Deadline;
import lossservice.problem.PayloadTooLargeException;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * A request whose body stops being readable at the size limit: the read that passes it throws
 * {@link PayloadTooLargeException}, so a chunked body (no {@code Content-Length}) is rejected as soon as it is
 * too long, without the rest being read or kept. Every read also checks the request's deadline, so a client
 * trickling its body cannot hold a place past it.
 */
final class LimitedBodyRequest extends HttpServletRequestWrapper {

    private final long maxBytes;
    private final RequestDeadlines deadlines;
    private CountingInputStream body;

    LimitedBodyRequest(HttpServletRequest request, long maxBytes, RequestDeadlines deadlines) {
        super(request);
        this.maxBytes = maxBytes;
        this.deadlines = deadlines;
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
            checkDeadline();
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
            checkDeadline();
            int n = raw.read(buffer, offset, length);
            if (n < 0) {
                atEnd = true;
            } else {
                counted(n);
            }
            return n;
        }

        private void checkDeadline() {
            Deadline deadline = deadlines.get();
            if (deadline != null) {
                deadline.check();
            }
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
