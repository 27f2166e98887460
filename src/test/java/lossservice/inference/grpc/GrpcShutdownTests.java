package lossservice.inference.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/** Stopping the gRPC server while a client watches its health: the watch is told NOT_SERVING, then closed. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "loss.grpc.port=0")
@DirtiesContext
@Timeout(60)
class GrpcShutdownTests {

    @Autowired
    GrpcServer server;

    @Test
    void anOpenHealthWatchDoesNotHoldTheShutdown() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        List<HealthCheckResponse.ServingStatus> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Status> ended = new CompletableFuture<>();
        CountDownLatch serving = new CountDownLatch(1);
        HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService("").build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(HealthCheckResponse response) {
                        seen.add(response.getStatus());
                        serving.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Status.OK);
                    }
                });
        assertThat(serving.await(10, TimeUnit.SECONDS)).isTrue();

        CountDownLatch stopped = new CountDownLatch(1);
        long started = System.nanoTime();
        server.stop(stopped::countDown);

        assertThat(stopped.await(20, TimeUnit.SECONDS)).as("stopped well before the 30 s shutdown timeout").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000);
        assertThat(ended.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(seen).containsExactly(HealthCheckResponse.ServingStatus.SERVING,
                HealthCheckResponse.ServingStatus.NOT_SERVING);
        channel.shutdownNow();
    }
}
