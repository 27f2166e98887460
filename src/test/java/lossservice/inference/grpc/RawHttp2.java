package lossservice.inference.grpc;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;

/**
 * An HTTP/2 connection written frame by frame (RFC 9113), for what a gRPC library would never send: a flood of
 * streams opened and reset at once, messages framed wrong. Headers sent are HPACK literals without indexing
 * (RFC 7541), so no table is kept; the server's are decoded with Netty's HPACK decoder.
 */
final class RawHttp2 implements AutoCloseable {

    static final int DATA = 0x0;
    static final int SETTINGS = 0x4;
    static final int HEADERS = 0x1;
    static final int RST_STREAM = 0x3;
    static final int GOAWAY = 0x7;
    static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;

    /** A frame read from the server. */
    record Frame(int type, int flags, int stream, byte[] payload) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    /** The server's header blocks, decoded in the order they came (HPACK keeps a table across them). */
    private final DefaultHttp2HeadersDecoder headers = new DefaultHttp2HeadersDecoder(false);

    RawHttp2(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(3_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
        out.flush();
    }

    /** The settings of the server's first SETTINGS frame (acknowledged). */
    Map<Integer, Long> serverSettings() throws IOException {
        while (true) {
            Frame frame = read();
            if (frame.type() == SETTINGS && (frame.flags() & 1) == 0) {
                Map<Integer, Long> settings = new HashMap<>();
                for (int i = 0; i + 6 <= frame.payload().length; i += 6) {
                    int id = (frame.payload()[i] & 0xff) << 8 | frame.payload()[i + 1] & 0xff;
                    long value = 0;
                    for (int b = 2; b < 6; b++) {
                        value = value << 8 | frame.payload()[i + b] & 0xff;
                    }
                    settings.put(id, value);
                }
                frame(SETTINGS, 1, 0, new byte[0]);
                out.flush();
                return settings;
            }
        }
    }

    /** Opens stream {@code id} as a gRPC call of {@code path}, its headers only, with {@code more} (name, value..). */
    void openCall(int id, String path, String... more) throws IOException {
        openRequest(id, "POST", path, "application/grpc", more);
    }

    /** Opens stream {@code id} as a request of this method, path and content type (none if null), headers only. */
    void openRequest(int id, String method, String path, String contentType, String... more) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        literal(block, 2, method); // :method
        block.write(0x86); // :scheme http
        literal(block, 4, path); // :path
        literal(block, 1, "localhost"); // :authority
        if (contentType != null) {
            literal(block, 31, contentType); // content-type
        }
        block.write(0x00); // te: trailers, a new name
        string(block, "te");
        string(block, "trailers");
        for (int i = 0; i + 1 < more.length; i += 2) {
            block.write(0x00);
            string(block, more[i]);
            string(block, more[i + 1]);
        }
        frame(HEADERS, 0x4, id, block.toByteArray()); // END_HEADERS
    }

    /** Sends {@code payload} on stream {@code id} in one DATA frame, the last of the request. */
    void lastData(int id, byte[] payload) throws IOException {
        frame(DATA, 0x1, id, payload); // END_STREAM
    }

    /**
     * The headers and trailers the server sent on stream {@code id}, read until its last frame (headers with
     * END_STREAM, or a reset: then {@code "reset"} holds the error code).
     */
    Map<String, String> response(int id) throws IOException {
        Map<String, String> response = new HashMap<>();
        while (true) {
            Frame frame = read();
            if (frame.type() == HEADERS) {
                Http2Headers block;
                try {
                    block = headers.decodeHeaders(frame.stream(), Unpooled.wrappedBuffer(frame.payload()));
                } catch (Http2Exception e) {
                    throw new IOException("the server's headers cannot be decoded", e);
                }
                if (frame.stream() == id) {
                    block.forEach(header -> response.put(header.getKey().toString(), header.getValue().toString()));
                    if ((frame.flags() & 0x1) != 0) {
                        return response;
                    }
                }
            } else if (frame.type() == RST_STREAM && frame.stream() == id) {
                response.put("reset", Integer.toString(java.nio.ByteBuffer.wrap(frame.payload()).getInt()));
                return response;
            } else if (frame.type() == DATA && frame.stream() == id && (frame.flags() & 0x1) != 0) {
                return response;
            }
        }
    }

    /** Cancels stream {@code id}. */
    void reset(int id) throws IOException {
        frame(RST_STREAM, 0, id, new byte[] {0, 0, 0, 8}); // CANCEL
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Reads frames until a GOAWAY or the end of the connection; true if either came within the timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                if (read().type() == GOAWAY) {
                    return true;
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private Frame read() throws IOException {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fff_ffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, flags, stream, payload);
    }

    private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream});
        out.write(payload);
    }

    /** A literal header field without indexing, its name from the static table (RFC 7541, 6.2.2). */
    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        if (nameIndex < 15) {
            block.write(nameIndex);
        } else {
            block.write(0x0f);
            block.write(nameIndex - 15);
        }
        string(block, value);
    }

    private static void string(ByteArrayOutputStream block, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        block.write(bytes.length); // under 127 here: no Huffman, one length byte
        block.writeBytes(bytes);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
