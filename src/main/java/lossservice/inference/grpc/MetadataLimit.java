package lossservice.inference.grpc;

import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Refuses a call whose metadata is over the limit with RESOURCE_EXHAUSTED, always. grpc-java's own limit answers an
 * HTTP 431 without a gRPC status (clients report UNKNOWN), turns calls between its soft and hard limits away at random,
 * and past the hard limit by a quarter resets the connection with every call on it. So the transport's limit is set
 * far above this one ({@link #TRANSPORT_FACTOR} times) and this interceptor decides.
 *
 * <p>The size is counted as HTTP/2 counts a header list: each entry's name and value plus 32 bytes; a binary
 * ({@code -bin}) value as its base64 text.
 */
final class MetadataLimit implements ServerInterceptor {

    /** The transport refuses (HTTP 431) only metadata this many times over the limit. */
    static final int TRANSPORT_FACTOR = 32;

    private static final int ENTRY_OVERHEAD = 32;

    private final long maxBytes;

    MetadataLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The limit for the transport's header decoder. */
    int transportLimit() {
        return (int) Math.min(Integer.MAX_VALUE, maxBytes * TRANSPORT_FACTOR);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long size = size(headers);
        if (size > maxBytes) {
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("The request's metadata takes " + size
                    + " bytes; the limit is " + maxBytes + " bytes."), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }

    static long size(Metadata headers) {
        byte[][] entries = InternalMetadata.serialize(headers);
        long size = 0;
        for (int i = 0; i + 1 < entries.length; i += 2) {
            byte[] name = entries[i];
            boolean binary = endsWithBin(name);
            size += name.length + (binary ? (entries[i + 1].length + 2) / 3 * 4L : entries[i + 1].length)
                    + ENTRY_OVERHEAD;
        }
        return size;
    }

    private static boolean endsWithBin(byte[] name) {
        int n = name.length;
        return n >= 4 && name[n - 4] == '-' && name[n - 3] == 'b' && name[n - 2] == 'i' && name[n - 1] == 'n';
    }
}
