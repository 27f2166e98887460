package lossservice.limits;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Admission control in the style of Triton's queue test: with 2 places (max-concurrent-requests=2) and a
 * 100 ms admission wait, hold computations busy, fire more requests, and count exactly who is turned away.
 */
class OverloadHttpTests extends SmallLimitsApplicationTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Autowired
    GatedComputePool pool;

    @Autowired
    Admission admission;

    @AfterEach
    void openTheGate() {
        pool.open();
    }

    @Test
    void withOnePlaceLeftExactlyOneOfFiveMoreIsAdmittedAndFourAreTurnedAway() throws Exception {
        pool.close();
        CompletableFuture<HttpResponse<String>> first = postAsync();
        pool.awaitHeld(1, Duration.ofSeconds(20));

        List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            more.add(postAsync());
        }
        pool.awaitHeld(2, Duration.ofSeconds(20)); // the one that got the last place is computing
        // The turned-away are answered after the 100 ms wait; the admitted one stays held at the gate.
        long end = System.nanoTime() + 3_000_000_000L;
        while (more.stream().filter(CompletableFuture::isDone).count() < 4 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // time for a fifth answer, which must not come
        List<HttpResponse<String>> rejected = more.stream().filter(CompletableFuture::isDone)
                .map(CompletableFuture::join).toList();
        assertThat(rejected).hasSize(4);
        for (HttpResponse<String> response : rejected) {
            assertProblem(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body(), 503, "overloaded");
            assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
        }

        pool.open();
        assertThat(first.join().statusCode()).isEqualTo(200);
        assertThat(more.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200)).hasSize(1);
        // Every place is given back: each just after its response went out, so possibly after the client has it.
        long settle = System.nanoTime() + 5_000_000_000L;
        while (admission.inProgress() != 0 && System.nanoTime() < settle) {
            Thread.sleep(10);
        }
        assertThat(admission.inProgress()).isZero();
    }

    @Test
    void withEveryPlaceTakenEveryNewRequestIsTurnedAwayAndGetRequestsStillWork() throws Exception {
        pool.close();
        List<CompletableFuture<HttpResponse<String>>> held = List.of(postAsync(), postAsync());
        pool.awaitHeld(2, Duration.ofSeconds(20));

        List<HttpResponse<String>> turnedAway = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            turnedAway.add(postAsync().join());
        }
        HttpResponse<String> backend = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/backend")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(turnedAway).allSatisfy(response -> assertThat(response.statusCode()).isEqualTo(503));
        assertThat(backend.statusCode()).isEqualTo(200); // only work (POST) needs a place
        pool.open();
        assertThat(held).allSatisfy(future -> assertThat(future.join().statusCode()).isEqualTo(200));
    }

    @Test
    void aComputationPastTheDeadlineIsAnswered503() throws Exception {
        pool.close();
        long started = System.nanoTime();
        HttpResponse<String> response = postAsync().join();
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertProblem(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body(), 503, "deadline-exceeded");
        assertThat(response.body()).contains("6.0 s");
        assertThat(elapsedMillis).as("answered at the 6 s deadline, not when the computation ends").isLessThan(30_000);
        pool.open();
        assertThat(postAsync().join().statusCode()).isEqualTo(200); // the place was given back
    }

    private CompletableFuture<HttpResponse<String>> postAsync() {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(VALID)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
