package lossservice.inference.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Keeps every call's status message within what clients accept. The message travels percent-encoded in the
 * {@code grpc-message} trailer, and grpc-java and gRPC C-core clients refuse trailers over 8 KiB by default: a longer
 * message (a model name of 100,000 characters echoed back, hundreds of violations) reached them as a
 * RESOURCE_EXHAUSTED or INTERNAL of their own instead of the status the service sent. A message whose encoded form
 * would take more than {@link #MAX_ENCODED_BYTES} is cut, on a character, and says how much was left out.
 */
final class BoundedStatusMessages implements ServerInterceptor {

    /** Half of the clients' 8 KiB, leaving room for the other trailers. */
    static final int MAX_ENCODED_BYTES = 4096;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                String description = status.getDescription();
                String bounded = bounded(description);
                super.close(bounded == description ? status : status.withDescription(bounded), trailers);
            }
        }, headers);
    }

    /** The message itself when it fits, else its longest prefix that fits with a note of what was cut. */
    static String bounded(String description) {
        if (description == null || description.length() <= MAX_ENCODED_BYTES / 9) {
            return description; // at most 3 UTF-8 bytes a char, each at most 3 encoded bytes
        }
        String note = "... (%d more characters)";
        int budget = MAX_ENCODED_BYTES - note.length() - 10;
        int encoded = 0;
        int end = 0;
        while (end < description.length()) {
            int codePoint = description.codePointAt(end);
            int bytes = encodedBytes(codePoint);
            if (encoded + bytes > budget) {
                return description.substring(0, end) + note.formatted(description.length() - end);
            }
            encoded += bytes;
            end += Character.charCount(codePoint);
        }
        return description;
    }

    /** grpc-java sends printable ASCII other than '%' as it is and every other UTF-8 byte as %XX. */
    private static int encodedBytes(int codePoint) {
        if (codePoint >= ' ' && codePoint < '~' && codePoint != '%') {
            return 1;
        }
        int utf8 = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
        return 3 * utf8;
    }
}
