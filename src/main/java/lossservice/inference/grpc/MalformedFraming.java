package lossservice.inference.grpc;

import java.lang.reflect.Method;
import java.util.function.Consumer;

import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelOutboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPromise;
import io.grpc.netty.shaded.io.netty.util.AsciiString;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls whose gRPC framing is broken end INVALID_ARGUMENT. grpc-java's deframer ends with INTERNAL, the status of a
 * fault of the server, a call whose message prefix has reserved flag bits set, whose message is flagged compressed
 * though the call declared no encoding, or whose request ends in the middle of a message (or of its five-byte
 * prefix); its transport sends that status itself, where no interceptor sees it. {@link #negotiator} is grpc-java's
 * plaintext negotiator that also puts, behind each connection's HTTP/2 handler, a handler that turns those statuses
 * into INVALID_ARGUMENT (the deframer's description kept) on their way to the transport.
 *
 * <p>The statuses travel in a command of grpc-java's Netty transport that is not public
 * ({@code CancelServerStreamCommand}: made by a failed deframing only "with reason", so that its status is sent in
 * trailers), reached here by reflection. If a grpc-java release changes it, {@link #negotiator} says so in the log
 * and returns null: calls are then served as grpc-java serves them, and the test of broken framing fails.
 */
final class MalformedFraming {

    private static final Logger log = LoggerFactory.getLogger(MalformedFraming.class);
    private static final Command COMMAND = Command.find();

    private MalformedFraming() {
    }

    /**
     * grpc-java's plaintext negotiator with the handler of broken framing, or null if this grpc-java's transport is
     * not the one it knows.
     *
     * @param onRefused told of the status of every call whose framing was broken (the rejection metric)
     */
    static InternalProtocolNegotiator.ProtocolNegotiator negotiator(Consumer<Status> onRefused) {
        if (COMMAND == null) {
            return null;
        }
        InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();
        return new InternalProtocolNegotiator.ProtocolNegotiator() {
            @Override
            public AsciiString scheme() {
                return plaintext.scheme();
            }

            @Override
            public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
                ChannelHandler negotiation = plaintext.newHandler(grpcHandler);
                return new ChannelHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext context) {
                        // In this handler's place: the negotiation (which puts the HTTP/2 handler in its own place
                        // once done), then the rewriting, so that the transport's commands pass it on their way to
                        // the HTTP/2 handler.
                        context.pipeline().addAfter(context.name(), null, new Rewriting(onRefused));
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
