package lossservice.inference.grpc;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import io.grpc.Decompressor;

/**
 * gzip as grpc-java's own, but the stream is opened on the first read rather than at once. grpc-java opens its gzip
 * stream on the transport, where bytes that are not gzip (a message flagged compressed that is not) failed the call
 * with UNKNOWN and no message; opened here on the first read, the failure reaches the message's reader, which answers
 * INVALID_ARGUMENT with the reason.
 */
final class LazyGzip implements Decompressor {

    @Override
    public String getMessageEncoding() {
        return "gzip";
    }

    @Override
    public InputStream decompress(InputStream compressed) {
        return new FilterInputStream(compressed) {
            private boolean opened;

            private InputStream opened() throws IOException {
                if (!opened) {
                    in = new GZIPInputStream(in);
                    opened = true;
                }
                return in;
            }

            @Override
            public int read() throws IOException {
                return opened().read();
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                return opened().read(bytes, offset, length);
            }

            @Override
            public long skip(long n) throws IOException {
                return opened().skip(n);
            }

            @Override
            public int available() throws IOException {
                return opened ? in.available() : 0;
            }
        };
    }
}
