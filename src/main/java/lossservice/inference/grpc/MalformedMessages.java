package lossservice.inference.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;

import io.grpc.ForwardingServerCallListener;
import io.grpc.KnownLength;
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
 *
 * <p>A message is read whole and checked before it is parsed, since a message of many small fields takes many times
 * its size in objects once parsed: a method given a {@link Check} (the inference, {@link InferRequestBounds}) has
 * its bytes checked by it, and a message to any other method (a name or two) may take at most
 * {@value #MAX_SMALL_MESSAGE_BYTES} bytes.
 */
final class MalformedMessages {

    /**
     * The status of the message the marshaller could not parse, for the interceptor. grpc-java parses a message and
     * hands it to the call's listener on the same thread, one call at a time ({@code ServerCallImpl}).
     */
    private static final ThreadLocal<Status> UNREADABLE = new ThreadLocal<>();

    /** The most bytes of a message of a method without a {@link Check}. */
    static final int MAX_SMALL_MESSAGE_BYTES = 64 * 1024;

    /** Messages up to this size are read into a buffer each thread keeps (the parser copies what it keeps). */
    private static final int KEPT_BUFFER_BYTES = 2 << 20;
    /**
     * Checked messages of at least this size are read into an array of their own, which the parser's bytes fields
     * then share instead of copying (the raw tensor contents: one copy of a large request fewer).
     */
    private static final int SHARED_ARRAY_BYTES = 64 * 1024;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[8192]);

    /** A check of a message's bytes before they are parsed. */
    interface Check {
        /** The status that refuses the message, or null to parse it. */
        Status check(byte[] bytes, int length);
    }

    private MalformedMessages() {
    }

    /**
     * The service with every method guarded: same names, schema and handlers.
     *
     * @param onRefused told of the status of every call refused (the rejection metric)
     */
    static ServerServiceDefinition guard(ServerServiceDefinition definition, Consumer<Status> onRefused) {
        return guard(definition, onRefused, Map.of());
    }

    /** As {@link #guard(ServerServiceDefinition, Consumer)}, with a check for the messages of some methods. */
    static ServerServiceDefinition guard(ServerServiceDefinition definition, Consumer<Status> onRefused,
            Map<String, Check> checks) {
        ServiceDescriptor original = definition.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
            ServerMethodDefinition<?, ?> guarded = guard(method,
                    checks.get(method.getMethodDescriptor().getFullMethodName()));
            descriptor.addMethod(guarded.getMethodDescriptor());
            methods.add(guarded);
        }
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(service::addMethod);
        return ServerInterceptors.intercept(service.build(), new Refusal(onRefused));
    }

    private static <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> method, Check check) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        return ServerMethodDefinition.create(descriptor.toBuilder()
                .setRequestMarshaller(new NullWhenUnreadable<>(descriptor.getRequestMarshaller(),
                        descriptor.getFullMethodName(), check)).build(),
                method.getServerCallHandler());
    }

    /**
     * The method's own marshaller for answers; for requests, the message read whole, checked, then parsed by the
     * message type's parser, with null (and the status in {@link #UNREADABLE}) for a message it refuses or cannot read.
     */
    private static final class NullWhenUnreadable<T> implements MethodDescriptor.Marshaller<T> {
        private final MethodDescriptor.Marshaller<T> marshaller;
        private final String method;
        private final Check check;

        NullWhenUnreadable(MethodDescriptor.Marshaller<T> marshaller, String method, Check check) {
            this.marshaller = marshaller;
            this.method = method;
            this.check = check;
        }

        @Override
        public InputStream stream(T value) {
            return marshaller.stream(value);
        }

        @Override
        public T parse(InputStream stream) {
            try {
                return read(stream);
            } catch (StatusRuntimeException e) {
                // RESOURCE_EXHAUSTED: a compressed message larger than the limit once inflated. Any other status
                // (protobuf's marshaller says INTERNAL) is about the bytes.
                return refuse(e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED ? e.getStatus()
                        : notProtobuf(e.getCause() != null ? e.getCause() : e));
            } catch (IOException | RuntimeException e) {
                return refuse(notProtobuf(e));
            }
        }

        private T read(InputStream stream) throws IOException {
            if (!(marshaller instanceof MethodDescriptor.PrototypeMarshaller<T> prototypes)
                    || !(prototypes.getMessagePrototype() instanceof MessageLite prototype)) {
                return marshaller.parse(stream);
            }
            int limit = check != null ? Integer.MAX_VALUE : MAX_SMALL_MESSAGE_BYTES;
            Bytes bytes = readUpTo(stream, limit, check != null);
            if (bytes == null) {
                return refuse(Status.RESOURCE_EXHAUSTED.withDescription("A message sent to " + method
                        + " takes at most " + limit + " bytes."));
            }
            Status refusal = check != null ? check.check(bytes.array(), bytes.length()) : null;
            if (refusal != null) {
                return refuse(refusal);
            }
            if (bytes.own()) {
                // A reader over a ByteString takes the array for immutable, the condition of aliasing (one over the
                // array itself copies whatever aliasing says).
                CodedInputStream input = UnsafeByteOperations.unsafeWrap(bytes.array(), 0, bytes.length())
                        .newCodedInput();
                input.enableAliasing(true);
                @SuppressWarnings("unchecked")
                T message = (T) prototype.getParserForType().parseFrom(input);
                return message;
            }
            // The parser copies the bytes it keeps (no aliasing): the buffer may be used again.
            @SuppressWarnings("unchecked")
            T message = (T) prototype.getParserForType().parseFrom(bytes.array(), 0, bytes.length());
            return message;
        }

        /** No message, and the status for the interceptor. */
        private T refuse(Status status) {
            UNREADABLE.set(status);
            return null;
        }

        private Status notProtobuf(Throwable cause) {
            return Status.INVALID_ARGUMENT.withDescription("The message sent to " + method + " is not well-formed"
                    + " protobuf of the method's request type" + (cause instanceof java.util.zip.ZipException
                            || cause instanceof java.io.EOFException ? " once decompressed: " : ": ")
                    + (cause.getMessage() == null ? "its bytes end too soon" : cause.getMessage()) + ".");
        }

        /**
         * The message's bytes, or null when it has more than {@code limit}; in an array of their own when
         * {@code share} and they are many.
         */
        private static Bytes readUpTo(InputStream stream, int limit, boolean share) throws IOException {
            int known = stream instanceof KnownLength ? stream.available() : -1;
            if (known > limit) {
                return null;
            }
            if (share && known >= SHARED_ARRAY_BYTES) {
                byte[] own = new byte[known];
                int read = stream.readNBytes(own, 0, known);
                if (read != known || stream.read() >= 0) {
                    throw new IOException("the message is not of the length the transport announced");
                }
                return new Bytes(own, known, true);
            }
            byte[] buffer = BUFFER.get();
            if (known > buffer.length) {
                buffer = new byte[known];
                if (known <= KEPT_BUFFER_BYTES) {
                    BUFFER.set(buffer);
                }
            }
            int read = 0;
            while (known < 0 || read < known) {
                if (read == buffer.length) {
                    if (read >= limit) {
                        return stream.read() < 0 ? new Bytes(buffer, read, false) : null;
                    }
                    buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(8192L, 2L * read)));
                }
                int n = stream.read(buffer, read, buffer.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return new Bytes(buffer, read, false);
        }
    }

    /** The first {@code length} bytes of {@code array} are a message; {@code own}: the array is the message's alone. */
    private record Bytes(byte[] array, int length, boolean own) {
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
