package lossservice.inference.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.grpc.Codec;
import io.grpc.DecompressorRegistry;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.AdaptiveByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;

/**
 * The gRPC server beside the HTTP one: the inference service, the standard health service (SERVING while the
 * service accepts traffic) and server reflection, started and stopped with the application. On shutdown it stops
 * taking calls, lets those in flight finish within the shutdown phase's time, then stops.
 */
public final class GrpcServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);

    /** Calls at once on one connection; HTTP/2 asks that it be no less than 100. */
    static final int MAX_CALLS_PER_CONNECTION = 100;
    /** Streams a connection may reset (cancel) in {@link #RESET_WINDOW_SECONDS} before it is closed. */
    static final int MAX_RESETS_PER_WINDOW = 1000;
    static final int RESET_WINDOW_SECONDS = 10;

    private final GrpcProperties properties;
    private final InferenceGrpcService service;
    private final GrpcMessageGate gate;
    private final Consumer<Status> onMalformed;
    private final long maxMessageBytes;
    private final long maxElements;
    private final Duration shutdownTimeout;
    private final ApplicationAvailability availability;
    private volatile HealthStatusManager health;
    private volatile OpenWatches openWatches;
    private ExecutorService callExecutor;
    private volatile Server server;

    /** @param onMalformed told of the status of every call refused for a message that cannot be read */
    GrpcServer(GrpcProperties properties, InferenceGrpcService service, GrpcMessageGate gate,
            Consumer<Status> onMalformed,
            ApplicationAvailability availability, long maxMessageBytes, long maxElements, Duration shutdownTimeout) {
        this.properties = properties;
        this.service = service;
        this.gate = gate;
        this.onMalformed = onMalformed;
        this.availability = availability;
        this.maxMessageBytes = maxMessageBytes;
        this.maxElements = maxElements;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        AtomicInteger counter = new AtomicInteger();
        callExecutor = new ThreadPoolExecutor(properties.threads(), properties.threads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "grpc-call-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        InetSocketAddress address = properties.address().isBlank() ? new InetSocketAddress(properties.port())
                : new InetSocketAddress(properties.address(), properties.port());
        // A new manager each start: one that has shut down stays in its terminal state. The application may be
        // started again after a stop (a paused context), already accepting traffic.
        health = new HealthStatusManager();
        openWatches = new OpenWatches();
        serve(availability.getReadinessState());
        MetadataLimit metadataLimit = new MetadataLimit(properties.maxMetadataSize().toBytes());
        try {
            service.serveOn(callExecutor);
            server = withMalformedCallStatuses(NettyServerBuilder.forAddress(address))
                    // Calls run on the event loops that read them: none of the services waits there (health, reflection
                    // and metadata answer at once; an inference call is served there only when small and nothing has
                    // to be waited for, and handed to the call threads otherwise: InferenceGrpcService.modelInfer).
                    .directExecutor()
                    // A message over the body limit is refused by the transport (RESOURCE_EXHAUSTED) before it is read.
                    .maxInboundMessageSize((int) Math.min(maxMessageBytes, Integer.MAX_VALUE))
                    .addService(MalformedMessages.guard(service.bindService(), onMalformed, Map.of(
                            GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(),
                            (bytes, length) -> InferRequestBounds.check(bytes, length, maxElements))))
                    .maxInboundMetadataSize(metadataLimit.transportLimit())
                    .decompressorRegistry(DecompressorRegistry.emptyInstance()
                            .with(Codec.Identity.NONE, false).with(new LazyGzip(), true))
                    // grpc-java bounds neither by default: one connection could hold thousands of calls waiting at the
                    // gate, and open and reset streams as fast as it can send them (the HTTP/2 "rapid reset" flood,
                    // CVE-2023-44487). Clients queue calls beyond the first (SETTINGS_MAX_CONCURRENT_STREAMS); a
                    // connection that resets more calls than the limit in the window is closed.
                    .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                    .maxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS)
                    .intercept(gate)
                    .intercept(metadataLimit)
                    // Added last, so outermost: every status message of every service passes through it.
                    .intercept(new BoundedStatusMessages())
                    // A fixed window, without bandwidth-delay tuning: a call waiting at the gate holds at most this
                    // much of its message in the transport's direct memory (tuned windows grew to several MB each).
                    .flowControlWindow((int) properties.flowControlWindow().toBytes())
                    // Netty's adaptive allocator instead of the pooled one grpc-java configures (2 MiB chunks): every
                    // answer of 1 MiB or more took half a chunk, and chunks emptied were freed and made again, zeroed,
                    // for the next answers (5% of a 256x1000 call's CPU in the profile, and more direct memory held).
                    .withChildOption(ChannelOption.ALLOCATOR, new AdaptiveByteBufAllocator())
                    .addService(MalformedMessages.guard(
                            ServerInterceptors.intercept(health.getHealthService(), openWatches), onMalformed))
                    .addService(MalformedMessages.guard(ProtoReflectionServiceV1.newInstance().bindService(),
                            onMalformed))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("the gRPC server could not listen on " + address, e);
        }
        log.info("Open Inference Protocol over gRPC on port {}", server.getPort());
    }

    /**
     * Calls broken below their message (framing, headers) answered INVALID_ARGUMENT instead of grpc-java's INTERNAL
     * ({@link MalformedCalls}).
     */
    private NettyServerBuilder withMalformedCallStatuses(NettyServerBuilder builder) {
        return builder.protocolNegotiator(MalformedCalls.negotiator(onMalformed));
    }

    /** Health follows readiness: SERVING while the application accepts traffic. */
    @EventListener
    public void onReadiness(AvailabilityChangeEvent<ReadinessState> event) {
        serve(event.getState());
    }

    private void serve(ReadinessState readiness) {
        HealthStatusManager current = health;
        if (current == null) {
            return;
        }
        ServingStatus status = readiness == ReadinessState.ACCEPTING_TRAFFIC ? ServingStatus.SERVING
                : ServingStatus.NOT_SERVING;
        current.setStatus("", status);
        current.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, status);
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    /** Drains in the background, in the same phase as the web server's graceful shutdown, so both drain together. */
    @Override
    public void stop(Runnable callback) {
        Server running = server;
        if (running == null) {
            callback.run();
            return;
        }
        server = null;
        health.enterTerminalState(); // watchers are told NOT_SERVING
        running.shutdown();
        openWatches.closeAll();
        Thread drain = new Thread(() -> {
            try {
                if (!running.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    running.shutdownNow();
                }
            } catch (InterruptedException e) {
                running.shutdownNow();
                Thread.currentThread().interrupt();
            } finally {
                callExecutor.shutdown();
                callback.run();
            }
        }, "grpc-drain");
        drain.setDaemon(true);
        drain.start();
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** The port it listens on (the one chosen when configured as 0). */
    public int port() {
        return server == null ? -1 : server.getPort();
    }

    /** The phase of the web server's graceful shutdown ({@code WebServerGracefulShutdownLifecycle}). */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }
}
