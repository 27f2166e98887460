package lossservice.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;
import lossservice.grpc.v2.InferTensorContents;
import lossservice.grpc.v2.ModelInferRequest;
import lossservice.grpc.v2.ModelInferResponse;
import lossservice.inference.grpc.GrpcServer;

/**
 * The request limits on the gRPC form, with the small limits of {@link SmallLimitsApplicationTests}: the same
 * admission as HTTP (two places, 100 ms wait: UNAVAILABLE), the client's deadline and the service's own (6 s:
 * DEADLINE_EXCEEDED), the element limit of all inputs together (RESOURCE_EXHAUSTED) and the body limit (100 KB).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcLimitsTests extends SmallLimitsApplicationTests {

    @Autowired
    GrpcServer server;

    @Autowired
    GatedComputePool pool;

    @Autowired
    BodyMemory bodyMemory;

    private ManagedChannel channel;
    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

    @BeforeAll
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    void disconnect() {
        channel.shutdownNow();
    }

    @AfterEach
    void openTheGate() {
        pool.open();
    }

    @Test
    void aSmallCallIsServedWholeOnTheEventLoopThatReadItAndWaitsForAWorkerOnlyWhenNoneIsFree() throws Exception {
        int before = pool.computedHere();

        assertThat(stub.modelInfer(seed()).getOutputsCount()).isPositive();

        assertThat(pool.computedHere()).as("computed on the caller's thread").isEqualTo(before + 1);
        assertThat(pool.lastThreadComputingHere()).as("a transport thread, not a call thread or a compute worker")
                .doesNotStartWith("grpc-call-").doesNotStartWith("loss-compute-").contains("grpc");
        assertThat(pool.held()).isZero();

        pool.close(); // no scratch free for the caller's thread: the call goes to a call thread and waits for a worker
        CompletableFuture<ModelInferResponse> waiting = CompletableFuture.supplyAsync(() -> stub.modelInfer(seed()));
        pool.awaitHeld(1, java.time.Duration.ofSeconds(10));
        pool.open();
        assertThat(waiting.get(10, TimeUnit.SECONDS).getOutputsCount()).isPositive();
        assertThat(pool.computedHere()).isEqualTo(before + 1);
    }

    @Test
    void withEveryPlaceTakenACallIsUnavailable() throws Exception {
        pool.close();
        CompletableFuture<ModelInferResponse> first = CompletableFuture.supplyAsync(() -> stub.modelInfer(seed()));
        CompletableFuture<ModelInferResponse> second = CompletableFuture.supplyAsync(() -> stub.modelInfer(seed()));
        pool.awaitHeld(2, java.time.Duration.ofSeconds(10));

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(seed()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).contains("capacity");
        pool.open();
        assertThat(first.get(10, TimeUnit.SECONDS).getOutputsCount()).isPositive();
        assertThat(second.get(10, TimeUnit.SECONDS).getOutputsCount()).isPositive();
    }

    @Test
    void aCallThatDoesNotFitInTheBodiesMemoryIsUnavailableAndAnAnsweredOneGivesItsShareBack() {
        long before = bodyMemory.used();
        assertThat(stub.modelInfer(seed()).getOutputsCount()).isPositive();
        assertThat(bodyMemory.used()).as("given back after the answer").isEqualTo(before);

        try (BodyMemory.Hold everything = bodyMemory.hold(bodyMemory.limit() - bodyMemory.used(), true, 1)) {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub.modelInfer(seed()));

            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("memory");
        }
        assertThat(bodyMemory.used()).as("a refused call holds nothing").isEqualTo(before);
        assertThat(stub.modelInfer(seed()).getOutputsCount()).isPositive();
    }

    @Test
    void theClientsDeadlineIsHonoured() throws Exception {
        pool.close();
        long started = System.nanoTime();

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS).modelInfer(seed()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("well before the service's 6 s")
                .isLessThan(5_000);
    }

    @Test
    void theServicesOwnDeadlineEndsACallWithoutOne() {
        pool.close();

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(seed()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(e.getStatus().getDescription()).contains("deadline of 6.0 s");
    }

    @Test
    void moreElementsThanTheLimitInAllInputsTogetherIsResourceExhausted() {
        // logits 20 x 30 = 600 and targets 20 x 30 probabilities = 600: each under 1000, together 1200. As raw
        // contents, the shapes say so once the message is parsed.
        ModelInferRequest.InferInputTensor logits = fp32("logits", 20, 30);
        ModelInferRequest.InferInputTensor targets = fp32("targets", 20, 30);
        ModelInferRequest raw = ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .addInputs(logits.toBuilder().clearContents()).addInputs(targets.toBuilder().clearContents())
                .addRawInputContents(com.google.protobuf.ByteString.copyFrom(new byte[600 * 4]))
                .addRawInputContents(com.google.protobuf.ByteString.copyFrom(new byte[600 * 4])).build();

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(raw));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription()).contains("1200", "1000");

        // As typed contents, the count of the message's numbers says so before it is parsed.
        ModelInferRequest typed = ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .addInputs(logits).addInputs(targets).build();
        e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(typed));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription()).contains("more than 1000 numbers");
    }

    @Test
    void aMessageOverTheBodyLimitIsResourceExhausted() {
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .addInputs(fp32("logits", 200, 200)).build(); // 160 KB of floats > 100 KB

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(request));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    private static ModelInferRequest seed() {
        InferTensorContents.Builder logits = InferTensorContents.newBuilder();
        for (float value : new float[] {0.5f, 1.5f, -1, 2, 0, 1}) {
            logits.addFp32Contents(value);
        }
        return ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("logits").setDatatype("FP32")
                        .addShape(2).addShape(3).setContents(logits))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("targets").setDatatype("INT64")
                        .addShape(2).setContents(InferTensorContents.newBuilder().addInt64Contents(2)
                                .addInt64Contents(0)))
                .build();
    }

    private static ModelInferRequest.InferInputTensor fp32(String name, int rows, int columns) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (int i = 0; i < rows * columns; i++) {
            contents.addFp32Contents(i % 7 * 0.25f);
        }
        return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("FP32").addShape(rows)
                .addShape(columns).setContents(contents).build();
    }
}
