package lossservice.inference.grpc;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Request messages that cannot be read end with a status of the client's error. grpc-java turns a marshaller that
 * fails to parse a message into UNKNOWN ("Application error processing RPC", and an error in the log), the status
 * of a fault on the server's side, whatever the bytes were: bytes that are not protobuf of the request type
 * (truncated, a bad tag or length, a string that is not UTF-8, a compressed message that does not decompress), or a
 * compressed message that decompresses beyond the size limit. {@link #guard} gives a service's methods request
 * marshallers that hand over null and the status instead (INVALID_ARGUMENT, or RESOURCE_EXHAUSTED for the size),
 * and an interceptor that ends the call with it and lets nothing of the call reach the service after it. The same
 * interceptor ends INVALID_ARGUMENT a unary call that sends a second message or none, which grpc-java's handler
 * would end INTERNAL.
 */
final class MalformedMessages {

    /**
     * The status of the message the marshaller could not parse, for the interceptor. grpc-java parses a message and
     * hands it to the call's listener on the same thread, one call at a time ({@code ServerCallImpl}).
     */
    private static final ThreadLocal<Status> UNREADABLE = new ThreadLocal<>();

    private MalformedMessages() {
    }

    /**
     * The service with every method guarded: same names, schema and handlers.
     *
     * @param onRefused told of the status of every call refused (the rejection metric)
     */
    static ServerServiceDefinition guard(ServerServiceDefinition definition, Consumer<Status> onRefused) {
        ServiceDescriptor original = definition.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
            ServerMethodDefinition<?, ?> guarded = guard(method);
            descriptor.addMethod(guarded.getMethodDescriptor());
            methods.add(guarded);
        }
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(service::addMethod);
        return ServerInterceptors.intercept(service.build(), new Refusal(onRefused));
    }

    private static <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        return ServerMethodDefinition.create(descriptor.toBuilder()
                .setRequestMarshaller(new NullWhenUnreadable<>(descriptor.getRequestMarshaller(),
                        descriptor.getFullMethodName())).build(),
                method.getServerCallHandler());
    }

    /** The method's own marshaller, with null (and the status in {@link #UNREADABLE}) for a message it cannot read. */
    private static final class NullWhenUnreadable<T> implements MethodDescriptor.Marshaller<T> {
        private final MethodDescriptor.Marshaller<T> marshaller;
        private final String method;

        NullWhenUnreadable(MethodDescriptor.Marshaller<T> marshaller, String method) {
            this.marshaller = marshaller;
            this.method = method;
        }

        @Override
        public InputStream stream(T value) {
            return marshaller.stream(value);
        }

        @Override
        public T parse(InputStream stream) {
            try {
                return marshaller.parse(stream);
            } catch (StatusRuntimeException e) {
                // RESOURCE_EXHAUSTED: a compressed message larger than the limit once decompressed. protobuf's
                // marshaller says INTERNAL ("Invalid protobuf byte sequence") for bytes it cannot parse.
                UNREADABLE.set(e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED ? e.getStatus()
                        : notProtobuf(e.getCause() != null ? e.getCause() : e));
                return null;
            } catch (RuntimeException e) {
                UNREADABLE.set(notProtobuf(e));
                return null;
            }
        }

        private Status notProtobuf(Throwable cause) {
            return Status.INVALID_ARGUMENT.withDescription("The message sent to " + method + " is not well-formed"
                    + " protobuf of the method's request type: " + cause.getMessage());
        }
    }

    /** Ends a call whose message could not be read; nothing of it reaches the service. */
    private static final class Refusal implements ServerInterceptor {
        private final Consumer<Status> onRefused;

        Refusal(Consumer<Status> onRefused) {
            this.onRefused = onRefused;
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                private final boolean unary = call.getMethodDescriptor().getType().clientSendsOneMessage();
                private boolean refused;
                private int messages;

                @Override
                public void onMessage(Q message) {
                    if (refused) {
                        return;
                    }
                    if (message == null) {
                        Status status = UNREADABLE.get();
                        UNREADABLE.remove();
                        refuse(status != null ? status : Status.INVALID_ARGUMENT.withDescription("The message sent to "
                                + call.getMethodDescriptor().getFullMethodName() + " could not be read."));
                        return;
                    }
                    if (unary && ++messages > 1) {
                        refuse(Status.INVALID_ARGUMENT.withDescription(call.getMethodDescriptor().getFullMethodName()
                                + " is a unary method: a call sends one message, and this one sent more."));
                        return;
                    }
                    super.onMessage(message);
                }

                @Override
                public void onHalfClose() {
                    if (refused) {
                        return;
                    }
                    if (unary && messages == 0) {
                        refuse(Status.INVALID_ARGUMENT.withDescription(call.getMethodDescriptor().getFullMethodName()
                                + " is a unary method: a call sends one message, and this one ended without it."));
                        return;
                    }
                    super.onHalfClose();
                }

                private void refuse(Status status) {
                    refused = true;
                    onRefused.accept(status);
                    call.close(status, new Metadata());
                }

                @Override
                public void onReady() {
                    if (!refused) {
                        super.onReady();
                    }
                }
            };
        }
    }
}
