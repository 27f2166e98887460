package lossservice.inference.grpc;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import io.grpc.InternalMetadata;
import io.grpc.InternalStatus;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelOutboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPromise;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameListener;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.util.AsciiString;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls broken below their message end INVALID_ARGUMENT, where grpc-java's transport ends them with a status of a
 * fault of the server, sent by the transport itself where no interceptor sees it:
 *
 * <ul>
 * <li>broken gRPC framing, which grpc-java's deframer ends INTERNAL: a message prefix with reserved flag bits set, a
 * message flagged compressed though the call declared no encoding, a request that ends in the middle of a message
 * (or of its five-byte prefix);</li>
 * <li>a {@code grpc-timeout} header that is not a timeout (1 to 8 digits and a unit), on which grpc-java resets the
 * stream with INTERNAL_ERROR before the call is made;</li>
 * <li>a request that is not a gRPC call (a {@code content-type} other than gRPC's, a method other than POST), which
 * grpc-java answers HTTP 415 or 405 with grpc-status INTERNAL.</li>
 * </ul>
 *
 * {@link #negotiator} is grpc-java's plaintext negotiator that also puts, behind each connection's HTTP/2 handler,
 * a handler that turns the deframer's statuses into INVALID_ARGUMENT (its description kept) on their way to the
 * transport, and reads the request headers before grpc-java does, answering the others itself.
 *
 * <p>The deframer's statuses travel in a command of grpc-java's Netty transport that is not public
 * ({@code CancelServerStreamCommand}: made by a failed deframing only "with reason", so that its status is sent in
 * trailers), reached here by reflection. If a grpc-java release changes it, the log says so at start-up and those
 * calls end as grpc-java ends them, which the test of broken framing catches.
 */
final class MalformedCalls {

    private static final Logger log = LoggerFactory.getLogger(MalformedCalls.class);
    private static final Command COMMAND = Command.find();

    private MalformedCalls() {
    }

    /**
     * grpc-java's plaintext negotiator with the check of headers and, unless this grpc-java's transport is not the
     * one it knows, the rewriting of the deframer's statuses.
     *
     * @param onRefused told of the status of every call refused here (the rejection metric)
     */
    static InternalProtocolNegotiator.ProtocolNegotiator negotiator(Consumer<Status> onRefused) {
        InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();
        return new InternalProtocolNegotiator.ProtocolNegotiator() {
            @Override
            public AsciiString scheme() {
                return plaintext.scheme();
            }

            @Override
            public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
                grpcHandler.decoder().frameListener(new HeadersCheck(grpcHandler, grpcHandler.decoder().frameListener(),
                        onRefused));
                ChannelHandler negotiation = plaintext.newHandler(grpcHandler);
                return new ChannelHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext context) {
                        // In this handler's place: the negotiation (which puts the HTTP/2 handler in its own place
                        // once done), then the rewriting, so that the transport's commands pass it on their way to
                        // the HTTP/2 handler.
                        if (COMMAND != null) {
                            context.pipeline().addAfter(context.name(), null, new Rewriting(onRefused));
                        }
                        context.pipeline().replace(this, null, negotiation);
                    }
                };
            }

            @Override
            public void close() {
                plaintext.close();
            }
        };
    }

    /** Turns the INTERNAL of a failed deframing into INVALID_ARGUMENT. */
    private static final class Rewriting extends ChannelOutboundHandlerAdapter {
        private final Consumer<Status> onRefused;

        Rewriting(Consumer<Status> onRefused) {
            this.onRefused = onRefused;
        }

        @Override
        public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
            context.write(COMMAND.isDeframingFailure(message) ? COMMAND.invalidArgument(message, onRefused) : message,
                    promise);
        }
    }

    /**
     * Reads a call's headers before grpc-java does, and answers those it would end with a status of a fault of the
     * server, or reset: a {@code content-type} that is not gRPC's, or names a format other than protobuf (HTTP 415),
     * and a method other than POST (HTTP 405), as grpc-java answers them but INVALID_ARGUMENT; a {@code grpc-timeout}
     * that is not a timeout (gRPC: 1 to 8 digits, then H, M, S, m, u or n), INVALID_ARGUMENT in trailers alone. Each
     * stream answered here is then reset NO_ERROR (the answer is complete: send no more). A path that does not start
     * with "/" is left to grpc-java (404, UNIMPLEMENTED), which looks at it first.
     */
    private static final class HeadersCheck extends Http2FrameListenerDecorator {
        private static final Pattern TIMEOUT = Pattern.compile("[0-9]{1,8}[HMSmun]");
        private static final AsciiString GRPC_TIMEOUT = AsciiString.of("grpc-timeout");
        private static final AsciiString GRPC_CONTENT_TYPE = AsciiString.of("application/grpc");
        private static final AsciiString PROTO = AsciiString.of("proto");
        private static final int ECHOED_CHARACTERS = 100;

        private final GrpcHttp2ConnectionHandler connection;
        private final Consumer<Status> onRefused;

        HeadersCheck(GrpcHttp2ConnectionHandler connection, Http2FrameListener listener, Consumer<Status> onRefused) {
            super(listener);
            this.connection = connection;
            this.onRefused = onRefused;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) throws Http2Exception {
            if (!refused(context, streamId, headers)) {
                super.onHeadersRead(context, streamId, headers, padding, endOfStream);
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers,
                int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream)
                throws Http2Exception {
            if (!refused(context, streamId, headers)) {
                super.onHeadersRead(context, streamId, headers, streamDependency, weight, exclusive, padding,
                        endOfStream);
            }
        }

        /** Answers and resets the stream if its headers (a call's, not its trailers) are refused here. */
        private boolean refused(ChannelHandlerContext context, int streamId, Http2Headers headers) {
            CharSequence path = headers.path();
            if (headers.method() == null || path == null || path.length() == 0 || path.charAt(0) != '/') {
                return false;
            }
            CharSequence contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
            if (!isGrpc(contentType)) {
                refuse(context, streamId, 415, "Content-Type '" + echo(contentType) + "' is not supported: a gRPC"
                        + " call's is application/grpc (or application/grpc+proto: the messages are protobuf).");
                return true;
            }
            if (!AsciiString.contentEquals("POST", headers.method())) {
                refuse(context, streamId, 405, "Method '" + echo(headers.method()) + "' is not supported: a gRPC"
                        + " call is a POST.");
                return true;
            }
            if (headers.get(GRPC_TIMEOUT) != null) {
                for (CharSequence timeout : headers.getAll(GRPC_TIMEOUT)) {
                    if (!TIMEOUT.matcher(timeout).matches()) {
                        refuse(context, streamId, 200, "The grpc-timeout header is not a timeout: a timeout is 1 to 8"
                                + " digits and a unit, H, M, S, m, u or n (\"250m\": 250 milliseconds).");
                        return true;
                    }
                }
            }
            return false;
        }

        /**
         * application/grpc, alone or followed by ";" (parameters) or "+proto" (the messages' format): grpc-java's own
         * test, but a format other than protobuf ("+json") is refused, since the messages are read as protobuf.
         */
        private static boolean isGrpc(CharSequence contentType) {
            int length = GRPC_CONTENT_TYPE.length();
            if (contentType == null || contentType.length() < length
                    || !AsciiString.regionMatches(contentType, true, 0, GRPC_CONTENT_TYPE, 0, length)) {
                return false;
            }
            if (contentType.length() == length || contentType.charAt(length) == ';') {
                return true;
            }
            int format = length + 1;
            int end = format;
            while (end < contentType.length() && contentType.charAt(end) != ';') {
                end++;
            }
            return contentType.charAt(length) == '+' && end - format == PROTO.length()
                    && AsciiString.regionMatches(contentType, true, format, PROTO, 0, PROTO.length());
        }

        private static String echo(CharSequence value) {
            if (value == null) {
                return "null";
            }
            return value.length() <= ECHOED_CHARACTERS ? value.toString()
                    : value.subSequence(0, ECHOED_CHARACTERS) + "...";
        }

        /**
         * INVALID_ARGUMENT: in trailers alone for a gRPC call (HTTP 200); otherwise, as grpc-java answers a request
         * that is not a gRPC call, in headers with that HTTP status and the description as a text body.
         */
        private void refuse(ChannelHandlerContext context, int streamId, int httpStatus, String description) {
            Status status = Status.INVALID_ARGUMENT.withDescription(description);
            onRefused.accept(status);
            boolean call = httpStatus == 200;
            Http2Headers answer = new DefaultHttp2Headers().status(Integer.toString(httpStatus))
                    .set(HttpHeaderNames.CONTENT_TYPE, call ? "application/grpc" : "text/plain; charset=utf-8");
            // grpc-status and grpc-message as grpc-java writes them (the message percent-encoded).
            Metadata trailers = new Metadata();
            trailers.put(InternalStatus.CODE_KEY, status);
            trailers.put(InternalStatus.MESSAGE_KEY, description);
            byte[][] serialized = InternalMetadata.serialize(trailers);
            for (int i = 0; i + 1 < serialized.length; i += 2) {
                answer.add(new AsciiString(serialized[i], false), new AsciiString(serialized[i + 1], false));
            }
            connection.encoder().writeHeaders(context, streamId, answer, 0, call, context.newPromise());
            if (!call) {
                connection.encoder().writeData(context, streamId,
                        Unpooled.copiedBuffer(description, StandardCharsets.UTF_8), 0, true, context.newPromise());
            }
            connection.resetStream(context, streamId, Http2Error.NO_ERROR.code(), context.newPromise());
        }
    }

    /** The transport's command that ends a call, as far as it is used here. */
    private record Command(Class<?> type, Method stream, Method reason, Method wantsHeaders, Method withReason) {

        static Command find() {
            try {
                Class<?> type = Class.forName("io.grpc.netty.shaded.io.grpc.netty.CancelServerStreamCommand");
                Method stream = accessible(type.getDeclaredMethod("stream"));
                Command command = new Command(type, stream, accessible(type.getDeclaredMethod("reason")),
                        accessible(type.getDeclaredMethod("wantsHeaders")),
                        accessible(type.getDeclaredMethod("withReason", stream.getReturnType(), Status.class)));
                if (command.reason.getReturnType() != Status.class
                        || command.wantsHeaders.getReturnType() != boolean.class
                        || command.withReason.getReturnType() != type) {
                    throw new NoSuchMethodException("CancelServerStreamCommand's methods have other types");
                }
                return command;
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn("gRPC calls whose framing is broken end INTERNAL, as grpc-java ends them: this grpc-java's"
                        + " transport is not the one expected ({})", e.toString());
                return null;
            }
        }

        private static Method accessible(Method method) {
            method.setAccessible(true);
            return method;
        }

        /** A command that ends a call with an INTERNAL sent in trailers: only a failed deframing makes one. */
        boolean isDeframingFailure(Object message) {
            if (message.getClass() != type) {
                return false;
            }
            try {
                return (boolean) wantsHeaders.invoke(message)
                        && ((Status) reason.invoke(message)).getCode() == Status.Code.INTERNAL;
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }

        Object invalidArgument(Object message, Consumer<Status> onRefused) {
            try {
                Status internal = (Status) reason.invoke(message);
                Status invalid = Status.INVALID_ARGUMENT.withDescription("The call's gRPC framing is malformed: "
                        + internal.getDescription() + ". A message is a byte of flags (0, or 1 when compressed with"
                        + " the call's grpc-encoding), its length in four bytes, big-endian, then that many bytes.");
                onRefused.accept(invalid);
                return withReason.invoke(null, stream.invoke(message), invalid);
            } catch (ReflectiveOperationException e) {
                return message;
            }
        }
    }
}
