package lossservice.inference.grpc;

import java.lang.reflect.Method;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelOutboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPromise;
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
 * stream with INTERNAL_ERROR before the call is made.</li>
 * </ul>
 *
 * {@link #negotiator} is grpc-java's plaintext negotiator that also puts, behind each connection's HTTP/2 handler,
 * a handler that turns the deframer's statuses into INVALID_ARGUMENT (its description kept) on their way to the
 * transport, and reads the request headers before grpc-java does, answering a call with a bad timeout itself.
 *
 * <p>The deframer's statuses travel in a command of grpc-java's Netty transport that is not public
 * ({@code CancelServerStreamCommand}: made by a failed deframing only "with reason", so that its status is sent in
 * trailers), reached here by reflection. If a grpc-java release changes it, the log says so at start-up and those
 * calls end as grpc-java ends them, which the test of broken framing catches.
 */
final class MalformedCalls {

    private static final Logger log = LoggerFactory.getLogger(MalformedCalls.class);
    private static final Command COMMAND = Command.find();
    private static final AsciiString GRPC_TIMEOUT = AsciiString.of("grpc-timeout");

    private MalformedCalls() {
    }

    /**
     * grpc-java's plaintext negotiator with the check of timeouts and, unless this grpc-java's transport is not the
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
                grpcHandler.decoder().frameListener(new TimeoutCheck(grpcHandler, grpcHandler.decoder().frameListener(),
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
     * Answers a call whose {@code grpc-timeout} is not a timeout (gRPC: 1 to 8 digits, then H, M, S, m, u or n)
     * INVALID_ARGUMENT in trailers alone, and resets its stream (NO_ERROR: the answer is complete, send no more), before
     * grpc-java, which would reset it INTERNAL_ERROR, sees it.
     */
    private static final class TimeoutCheck extends Http2FrameListenerDecorator {
        private static final Pattern TIMEOUT = Pattern.compile("[0-9]{1,8}[HMSmun]");
        private static final String REFUSAL = "The grpc-timeout header is not a timeout: a timeout is 1 to 8 digits"
                + " and a unit, H, M, S, m, u or n (\"250m\": 250 milliseconds).";

        private final GrpcHttp2ConnectionHandler connection;
        private final Consumer<Status> onRefused;

        TimeoutCheck(GrpcHttp2ConnectionHandler connection, Http2FrameListener listener, Consumer<Status> onRefused) {
            super(listener);
            this.connection = connection;
            this.onRefused = onRefused;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) throws Http2Exception {
            if (timeoutIsValid(headers)) {
                super.onHeadersRead(context, streamId, headers, padding, endOfStream);
            } else {
                refuse(context, streamId);
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers,
                int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream)
                throws Http2Exception {
            if (timeoutIsValid(headers)) {
                super.onHeadersRead(context, streamId, headers, streamDependency, weight, exclusive, padding,
                        endOfStream);
            } else {
                refuse(context, streamId);
            }
        }

        /** True unless these are a call's headers (not its trailers) with a grpc-timeout that is not a timeout. */
        private static boolean timeoutIsValid(Http2Headers headers) {
            if (headers.get(GRPC_TIMEOUT) == null || headers.method() == null) {
                return true;
            }
            for (CharSequence timeout : headers.getAll(GRPC_TIMEOUT)) {
                if (!TIMEOUT.matcher(timeout).matches()) {
                    return false;
                }
            }
            return true;
        }

        private void refuse(ChannelHandlerContext context, int streamId) {
            Status status = Status.INVALID_ARGUMENT.withDescription(REFUSAL);
            onRefused.accept(status);
            Http2Headers trailers = new DefaultHttp2Headers().status("200").set("content-type", "application/grpc")
                    .set("grpc-status", Integer.toString(status.getCode().value()))
                    .set("grpc-message", status.getDescription()); // printable ASCII without '%': as encoded
            connection.encoder().writeHeaders(context, streamId, trailers, 0, true, context.newPromise());
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
                if (command.reason.getReturnType() != Status.class || command.wantsHeaders.getReturnType() != boolean.class
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
