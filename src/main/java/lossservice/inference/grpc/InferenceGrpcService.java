package lossservice.inference.grpc;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import lossservice.compute.Deadline;
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;
import lossservice.grpc.v2.ModelInferRequest;
import lossservice.grpc.v2.ModelInferResponse;
import lossservice.grpc.v2.ModelMetadataRequest;
import lossservice.grpc.v2.ModelMetadataResponse;
import lossservice.grpc.v2.ModelReadyRequest;
import lossservice.grpc.v2.ModelReadyResponse;
import lossservice.grpc.v2.ServerLiveRequest;
import lossservice.grpc.v2.ServerLiveResponse;
import lossservice.grpc.v2.ServerMetadataRequest;
import lossservice.grpc.v2.ServerMetadataResponse;
import lossservice.grpc.v2.ServerReadyRequest;
import lossservice.grpc.v2.ServerReadyResponse;
import lossservice.inference.InferenceException;
import lossservice.inference.InferenceRequest;
import lossservice.inference.ModelCalls;
import lossservice.inference.ProtocolMetadata;
import lossservice.limits.Admission;
import lossservice.limits.BodyMemory;
import lossservice.limits.LimitsProperties;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossRegistry;
import lossservice.loss.LossResult;
import lossservice.metrics.LossMetrics;
import lossservice.metrics.LossMetrics.Rejection;
import lossservice.problem.DeadlineExceededException;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.MalformedRequestException;
import lossservice.problem.OverloadedException;
import lossservice.problem.ResultOutOfRangeException;
import lossservice.serving.LossExecutor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.HttpStatus;

/**
 * The standard {@code inference.GRPCInferenceService} of the Open Inference Protocol for every loss of the
 * registry: the same mapping ({@link ModelCalls}), validation, admission, deadline and computation as the HTTP
 * form, with errors as gRPC statuses: INVALID_ARGUMENT (every violation in the message), NOT_FOUND (an unknown
 * model or version), RESOURCE_EXHAUSTED (too many elements; the transport refuses a message over the body limit
 * itself), UNAVAILABLE (overloaded, starting or draining), DEADLINE_EXCEEDED (the client's deadline or the
 * service's, whichever comes first).
 */
final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    static final String PROTOCOL = "grpc";
    /**
     * Inference calls of at most this many bytes may be served on the event loop that read them: a few thousand
     * numbers, whose computation takes tens of microseconds.
     */
    static final int SERVED_HERE_MAX_BYTES = 16 * 1024;
    /** Whole violations up to about this many characters, then how many more (see {@link BoundedStatusMessages}). */
    private static final int DESCRIBED_VIOLATIONS_LENGTH = 3000;

    private static final Logger log = LoggerFactory.getLogger(InferenceGrpcService.class);

    private final LossRegistry registry;
    private final LossExecutor executor;
    private final Admission admission;
    private final BodyMemory bodyMemory;
    private final LossMetrics metrics;
    private final ApplicationAvailability availability;
    private final LimitsProperties limits;
    private final String name;
    private final String version;
    private volatile Executor callThreads = Runnable::run;

    InferenceGrpcService(LossRegistry registry, LossExecutor executor, Admission admission, BodyMemory bodyMemory,
            LossMetrics metrics, ApplicationAvailability availability, LimitsProperties limits, String name,
            String version) {
        this.registry = registry;
        this.executor = executor;
        this.admission = admission;
        this.bodyMemory = bodyMemory;
        this.metrics = metrics;
        this.availability = availability;
        this.limits = limits;
        this.name = name;
        this.version = version;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> responses) {
        answer(responses, ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> responses) {
        answer(responses, ServerReadyResponse.newBuilder().setReady(ready()).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> responses) {
        handle(responses, () -> {
            find(request.getName(), request.getVersion());
            return ModelReadyResponse.newBuilder().setReady(ready()).build();
        });
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> responses) {
        // No extensions: the repository extension (POST /v2/repository/index) is served over HTTP only, and this
        // service has none of Triton's repository methods; a client that finds an extension listed calls it.
        answer(responses, ServerMetadataResponse.newBuilder().setName(name).setVersion(version).build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> responses) {
        handle(responses, () -> {
            ProtocolMetadata.Model model = ProtocolMetadata.model(find(request.getName(), request.getVersion()));
            ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder().setName(model.name())
                    .addAllVersions(model.versions()).setPlatform(model.platform());
            model.inputs().forEach(tensor -> metadata.addInputs(tensor(tensor)));
            model.outputs().forEach(tensor -> metadata.addOutputs(tensor(tensor)));
            return metadata.build();
        });
    }

    /**
     * Calls arrive on the transport's event loops. A small one (a message of at most {@link #SERVED_HERE_MAX_BYTES})
     * that finds a place, and a scratch for its computation, free at once is served there whole, computation
     * included: at 2x10 the hand-offs to a call thread and to a compute worker and back cost more than the call's
     * own work. Every other call goes to the call threads, where it may wait for a place and for a worker.
     */
    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> responses) {
        if (request.getSerializedSize() <= SERVED_HERE_MAX_BYTES) {
            ModelInferResponse response;
            try {
                response = infer(request, true);
            } catch (RuntimeException e) {
                responses.onError(status(e));
                return;
            }
            if (response != null) {
                answer(responses, response);
                return;
            }
        }
        try {
            callThreads.execute(Context.current().wrap(() -> handle(responses, () -> infer(request, false))));
        } catch (RejectedExecutionException e) {
            responses.onError(Status.UNAVAILABLE.withDescription("The service is shutting down; retry on another"
                    + " instance or later.").asRuntimeException());
        }
    }

    /**
     * Serves an inference call: {@code here}, on a thread that must not wait, only if a place and a compute scratch
     * are free now (null otherwise, having computed nothing); else waiting for a place and computing on a worker.
     */
    private ModelInferResponse infer(ModelInferRequest request, boolean here) {
        if (!ready()) {
            throw Status.UNAVAILABLE.withDescription("The service is starting or shutting down; retry on another"
                    + " instance or later.").asRuntimeException();
        }
        LossDefinition definition = find(request.getModelName(), request.getModelVersion());
        Deadline deadline = deadline();
        long size = request.getSerializedSize();
        // The message is already in memory: it counts against the bodies' memory as an HTTP body does, so many
        // large calls at once are turned away (UNAVAILABLE) instead of piling up parsed on the heap.
        try (BodyMemory.Hold held = bodyMemory.hold(size, size <= limits.smallRequestSize().toBytes(),
                limits.retryAfterSeconds());
                Admission.Place place = here ? admission.tryAdmit(size) : admission.admit(size, deadline)) {
            if (place == null) {
                return null;
            }
            InferenceRequest inference = GrpcTensors.request(request, definition.signature().inputs().size(),
                    limits.maxElements());
            ModelCalls.Call call = ModelCalls.toCall(definition, inference, limits.maxOutputElements());
            LossResult result;
            if (here) {
                deadline.check();
                result = executor.tryExecuteHere(definition, call.call(), PROTOCOL);
                if (result == null) {
                    return null;
                }
            } else {
                result = executor.execute(definition, call.call(), PROTOCOL, deadline);
            }
            return GrpcTensors.response(definition.name(), ProtocolMetadata.VERSION, inference.id(),
                    ModelCalls.outputs(call, result));
        }
    }

    /** The threads on which calls that may wait are served (the server runs every call on its event loops). */
    void serveOn(Executor callThreads) {
        this.callThreads = callThreads;
    }

    /** The service's deadline from now, or the client's when it comes first. */
    private Deadline deadline() {
        Duration budget = limits.deadline();
        io.grpc.Deadline client = Context.current().getDeadline();
        if (client != null && client.timeRemaining(TimeUnit.NANOSECONDS) < budget.toNanos()) {
            long remaining = Math.max(0, client.timeRemaining(TimeUnit.NANOSECONDS));
            return new Deadline(System.nanoTime() + remaining, Duration.ofNanos(remaining));
        }
        return Deadline.after(budget);
    }

    private LossDefinition find(String model, String modelVersion) {
        LossDefinition definition = registry.find(model);
        if (definition == null) {
            throw Status.NOT_FOUND.withDescription("Unknown model \"" + model + "\"; the models are "
                    + String.join(", ", registry.all().stream().map(LossDefinition::name).toList()) + ".")
                    .asRuntimeException();
        }
        if (!modelVersion.isEmpty() && !modelVersion.equals(ProtocolMetadata.VERSION)) {
            throw Status.NOT_FOUND.withDescription("Model \"" + model + "\" has no version \"" + modelVersion
                    + "\"; its version is " + ProtocolMetadata.VERSION + ".").asRuntimeException();
        }
        return definition;
    }

    private boolean ready() {
        return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    }

    private static ModelMetadataResponse.TensorMetadata tensor(ProtocolMetadata.Tensor tensor) {
        return ModelMetadataResponse.TensorMetadata.newBuilder().setName(tensor.name())
                .setDatatype(tensor.datatype()).addAllShape(tensor.shape()).build();
    }

    private static <T> void answer(StreamObserver<T> responses, T response) {
        responses.onNext(response);
        responses.onCompleted();
    }

    /** Runs a call and answers it, every failure turned into its status: never UNKNOWN, INTERNAL only for a fault. */
    private <T> void handle(StreamObserver<T> responses, java.util.function.Supplier<T> call) {
        T response;
        try {
            response = call.get();
        } catch (RuntimeException e) {
            responses.onError(status(e));
            return;
        }
        answer(responses, response);
    }

    private StatusRuntimeException status(RuntimeException failure) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        if (failure instanceof InvalidRequestException invalid) {
            metrics.rejected(Rejection.INVALID_REQUEST, PROTOCOL);
            return Status.INVALID_ARGUMENT.withDescription(ModelCalls.describe(invalid, DESCRIBED_VIOLATIONS_LENGTH))
                    .asRuntimeException();
        }
        if (failure instanceof MalformedRequestException malformed) {
            metrics.rejected(Rejection.MALFORMED_JSON, PROTOCOL);
            return Status.INVALID_ARGUMENT.withDescription(malformed.getMessage()).asRuntimeException();
        }
        if (failure instanceof ResultOutOfRangeException outOfRange) {
            metrics.rejected(Rejection.RESULT_OUT_OF_RANGE, PROTOCOL);
            return Status.INVALID_ARGUMENT.withDescription(outOfRange.getMessage()).asRuntimeException();
        }
        if (failure instanceof InferenceException refused) {
            if (refused.status() == HttpStatus.NOT_FOUND) {
                return Status.NOT_FOUND.withDescription(refused.getMessage()).asRuntimeException();
            }
            if (refused.status() == HttpStatus.CONTENT_TOO_LARGE) {
                metrics.rejected(Rejection.PAYLOAD_TOO_LARGE, PROTOCOL);
                return Status.RESOURCE_EXHAUSTED.withDescription(refused.getMessage()).asRuntimeException();
            }
            metrics.rejected(Rejection.INVALID_REQUEST, PROTOCOL);
            return Status.INVALID_ARGUMENT.withDescription(refused.getMessage()).asRuntimeException();
        }
        if (failure instanceof OverloadedException overloaded) {
            metrics.rejected(Rejection.OVERLOADED, PROTOCOL);
            return Status.UNAVAILABLE.withDescription(overloaded.getMessage()).asRuntimeException();
        }
        if (failure instanceof DeadlineExceededException exceeded) {
            metrics.rejected(Rejection.DEADLINE_EXCEEDED, PROTOCOL);
            return Status.DEADLINE_EXCEEDED.withDescription(exceeded.getMessage()).asRuntimeException();
        }
        log.error("Unexpected error in a gRPC call", failure);
        return Status.INTERNAL.withDescription("The service failed to handle the request.").asRuntimeException();
    }
}
