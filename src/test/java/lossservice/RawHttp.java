package lossservice;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what {@code java.net.http} will not do: send a head without its body, a
 * chunked body that stops midway, or read the answer before the request is finished.
 */
public final class RawHttp implements AutoCloseable {

    /** One response: status, headers (names in lower case) and body. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** Sets how long a read may wait (15 s unless set). */
    public RawHttp timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
        return this;
    }

    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends one chunk of a chunked body. */
    public RawHttp chunk(byte[] bytes) throws IOException {
        send(Integer.toHexString(bytes.length) + "\r\n");
        send(bytes);
        return send("\r\n");
    }

    /**
     * Reads one response: the head, then the body by Content-Length, chunked, or until the connection closes. An
     * interim (1xx) response, such as {@code 100 Continue}, has no body and is returned as it is.
     */
    public Response read() throws IOException {
        String head = readHead();
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body;
        if (status >= 100 && status < 200) {
            body = new byte[0];
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(readLine().split(";")[0].trim(), 16);
                if (size == 0) {
                    readLine();
                    break;
                }
                all.write(in.readNBytes(size));
                readLine();
            }
            body = all.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Whether the server closed the connection (reads end of stream within the timeout). */
    public boolean closedByServer(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        String line;
        while (!(line = readLine()).isEmpty()) {
            head.append(line).append("\r\n");
        }
        return head.toString();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0 && line.size() == 0) {
            throw new IOException("connection closed before a response");
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
