package lossservice.limits;

import java.io.BufferedReader;
import java.io.Reader;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import org.springframework.http.HttpHeaders;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * A request whose body is left on the connection, unread: every method but POST (a body has no defined meaning
 * in a GET, and no endpoint here reads one), and a POST that Spring MVC refuses from its head. The request appears
 * to have no body at all ({@code Content-Length: 0}, an empty stream), so nothing downstream can block a thread
 * reading a body a client trickles (the health endpoint, for one, would read a JSON body); the connection is
 * closed after the answer instead of the body being read ({@link TomcatConnectionValve}).
 */
final class UnreadBodyRequest extends HttpServletRequestWrapper {

    private static final ServletInputStream EMPTY = new ServletInputStream() {
        @Override
        public int read() {
            return -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            return length == 0 ? 0 : -1;
        }

        @Override
        public boolean isFinished() {
            return true;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            try {
                listener.onAllDataRead();
            } catch (java.io.IOException e) {
                listener.onError(e);
            }
        }
    };

    UnreadBodyRequest(HttpServletRequest request) {
        super(request);
    }

    /** Whether the request declares a body (a length above 0, or chunks). */
    static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    @Override
    public ServletInputStream getInputStream() {
        return EMPTY;
    }

    @Override
    public BufferedReader getReader() {
        return new BufferedReader(Reader.nullReader());
    }

    @Override
    public int getContentLength() {
        return 0;
    }

    @Override
    public long getContentLengthLong() {
        return 0;
    }

    @Override
    public String getHeader(String name) {
        if (hidden(name)) {
            return null;
        }
        return HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name) ? "0" : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        if (hidden(name)) {
            return Collections.emptyEnumeration();
        }
        return HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name) ? Collections.enumeration(List.of("0"))
                : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = Collections.list(super.getHeaderNames());
        names.removeIf(UnreadBodyRequest::hidden);
        return Collections.enumeration(names);
    }

    @Override
    public int getIntHeader(String name) {
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value);
    }

    /** The headers that describe the body on the wire: the request as seen here has none. */
    private static boolean hidden(String name) {
        return HttpHeaders.CONTENT_ENCODING.equalsIgnoreCase(name) || HttpHeaders.TRANSFER_ENCODING.equalsIgnoreCase(name);
    }
}
