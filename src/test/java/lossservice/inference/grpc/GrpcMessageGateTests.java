package lossservice.inference.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;
import lossservice.grpc.v2.ModelInferRequest;
import lossservice.grpc.v2.ModelInferResponse;
import lossservice.grpc.v2.ServerLiveRequest;
import lossservice.grpc.v2.ServerLiveResponse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gate on inference calls' messages, on a real gRPC server over loopback with a service that can be held. */
@Timeout(30)
class GrpcMessageGateTests {

    private final CountDownLatch hold = new CountDownLatch(1);
    private final AtomicInteger inferring = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private GrpcMessageGate gate;
    private Server server;
    private ManagedChannel channel;

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub start(int permits, Duration wait)
            throws Exception {
        return start(permits, wait, Duration.ofSeconds(30));
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub start(int permits, Duration wait,
            Duration receiveDeadline) throws Exception {
        gate = new GrpcMessageGate(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(), permits, wait,
                receiveDeadline, 1, refused::incrementAndGet);
        server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
                .addService(new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
                    @Override
                    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> responses) {
                        inferring.incrementAndGet();
                        try {
                            hold.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        responses.onNext(ModelInferResponse.newBuilder().setModelName(request.getModelName()).build());
                        responses.onCompleted();
                    }

                    @Override
                    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> responses) {
                        responses.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
                        responses.onCompleted();
                    }
                })
                .intercept(gate).build().start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        return GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        hold.countDown();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aCallBeyondThePermitsIsRefusedAfterTheWaitAndTheOthersGoOn() throws Exception {
        var stub = start(1, Duration.ofMillis(200));
        CompletableFuture<ModelInferResponse> first = CompletableFuture.supplyAsync(() -> stub.modelInfer(infer("a")));
        awaitInferring(1);

        long started = System.nanoTime();
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(infer("b")));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).contains("capacity");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(150L, 5_000L);
        assertThat(inferring.get()).as("the refused call's message never reached the service").isEqualTo(1);
        assertThat(refused.get()).isEqualTo(1);
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).as("other methods pass").isTrue();

        hold.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).getModelName()).isEqualTo("a");
        assertThat(stub.modelInfer(infer("c")).getModelName()).isEqualTo("c");
        awaitNoPermitHeld();
    }

    @Test
    void aWaitingCallGetsThePermitWhenOneEnds() throws Exception {
        var stub = start(1, Duration.ofSeconds(10));
        CompletableFuture<ModelInferResponse> first = CompletableFuture.supplyAsync(() -> stub.modelInfer(infer("a")));
        awaitInferring(1);
        CompletableFuture<ModelInferResponse> second = CompletableFuture.supplyAsync(() -> stub.modelInfer(infer("b")));
        Thread.sleep(300);
        assertThat(inferring.get()).as("the second waits at the gate").isEqualTo(1);

        hold.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).getModelName()).isEqualTo("a");
        assertThat(second.get(10, TimeUnit.SECONDS).getModelName()).isEqualTo("b");
        assertThat(refused.get()).isZero();
        awaitNoPermitHeld();
    }

    @Test
    void aCancelledWaitingCallGivesNothingBackTwice() throws Exception {
        var stub = start(1, Duration.ofSeconds(10));
        CompletableFuture<ModelInferResponse> first = CompletableFuture.supplyAsync(() -> stub.modelInfer(infer("a")));
        awaitInferring(1);

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS).modelInfer(infer("b")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

        hold.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).getModelName()).isEqualTo("a");
        assertThat(stub.modelInfer(infer("c")).getModelName()).isEqualTo("c");
        awaitNoPermitHeld();
        // The cancelled call's message reaches the service only if the permit came free before the server learnt of
        // the cancellation; either way no permit is lost or given back twice.
        assertThat(inferring.get()).isBetween(2, 3);
    }

    @Test
    void aCallThatStopsSendingItsMessageLosesItsPermitAtTheDeadline() throws Exception {
        // A call that sends its headers and then nothing: it takes the only permit.
        assertAnUnfinishedCallLosesItsPermit("silent", call -> { });
    }

    @Test
    void aCallThatSendsItsMessageButNeverEndsItsRequestLosesItsPermitAtTheDeadline() throws Exception {
        // A unary call is served only once its request ends (half-close): one that sends its message and then
        // neither ends nor cancels must not keep the permit.
        assertAnUnfinishedCallLosesItsPermit("unended", call -> call.sendMessage(infer("unended")));
    }

    /**
     * Starts a call that takes the only permit, sends what {@code send} sends and never ends its request; the next
     * call gets the permit once the first has lost it at the receive deadline, DEADLINE_EXCEEDED.
     */
    private void assertAnUnfinishedCallLosesItsPermit(String name,
            java.util.function.Consumer<ClientCall<ModelInferRequest, ModelInferResponse>> send) throws Exception {
        var stub = start(1, Duration.ofSeconds(10), Duration.ofMillis(400));
        ClientCall<ModelInferRequest, ModelInferResponse> unfinished = channel.newCall(
                GRPCInferenceServiceGrpc.getModelInferMethod(), CallOptions.DEFAULT);
        CompletableFuture<Status> unfinishedStatus = new CompletableFuture<>();
        unfinished.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                unfinishedStatus.complete(status);
            }
        }, new Metadata());
        unfinished.request(1);
        send.accept(unfinished);
        Thread.sleep(100);

        hold.countDown();
        long started = System.nanoTime();
        assertThat(stub.modelInfer(infer("after")).getModelName())
                .as("gets the permit once the " + name + " call lost it").isEqualTo("after");

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
        Status status = unfinishedStatus.get(5, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(status.getDescription()).contains("did not arrive");
        assertThat(inferring.get()).as("the " + name + " call never reached the service").isEqualTo(1);
        awaitNoPermitHeld();
    }

    /** A permit is given back when its call completes, which the server learns just after the client has its answer. */
    private void awaitNoPermitHeld() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gate.held() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gate.held()).isZero();
    }

    private void awaitInferring(int calls) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inferring.get() < calls && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(inferring.get()).isEqualTo(calls);
    }

    private static ModelInferRequest infer(String model) {
        return ModelInferRequest.newBuilder().setModelName(model).build();
    }
}
