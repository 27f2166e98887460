package lossservice.hostile;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import lossservice.RawHttp;
import lossservice.limits.BodyMemory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Small requests during a storm of large ones: they have a place of their own (and are served first among those
 * waiting), and the last quarter of the body memory, so that large requests holding every place, or every byte of
 * the rest of the memory, do not turn them away.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FairnessHttpTests extends HostileClientsApplicationTests {

    @Autowired
    BodyMemory memory;

    @Test
    void aSmallRequestIsAnsweredWhileLargeOnesHoldEveryPlace() throws Exception {
        pool.closeFor(2); // the first two computations (the large requests) are held; later ones pass
        String large = crossEntropy(20, 10); // about 1 KB: large here (over 512 bytes)
        List<CompletableFuture<HttpResponse<String>>> held = List.of(postAsync(large), postAsync(large));
        pool.awaitHeld(2, Duration.ofSeconds(20));

        HttpResponse<String> anotherLarge = post(CE, large); // no place for it: 503 after the 1 s wait
        assertProblem(anotherLarge.statusCode(), anotherLarge.headers().firstValue("Content-Type").orElse(""),
                anotherLarge.body(), 503, "overloaded");

        long started = System.nanoTime();
        HttpResponse<String> small = post(CE, VALID);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
        assertThat(tookMillis).as("the small request did not wait for the large ones").isLessThan(1_000);

        pool.open();
        assertThat(held).allSatisfy(future -> assertThat(future.join().statusCode()).isEqualTo(200));
    }

    @Test
    void largeBodiesPastTheirShareOfTheMemoryAre503BeforeBeingReadWhileSmallOnesStillPass() throws Exception {
        // 4 MB of body memory, 3 MB of it for large bodies: three declared 1 MB bodies, still being sent, hold it.
        List<RawHttp> sending = new ArrayList<>();
        try {
            RawHttp.Response refused = null;
            for (int i = 0; i < 5 && refused == null; i++) {
                RawHttp http = new RawHttp(port);
                sending.add(http);
                http.send("POST " + CE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000000\r\n\r\n{\"logits\": [");
                http.timeout(300);
                try {
                    refused = http.read();
                } catch (java.net.SocketTimeoutException e) {
                    // being received: its declared length fit
                }
            }
            assertThat(sending).as("the fourth is refused").hasSize(4);
            assertProblem(refused.status(), refused.header("Content-Type"), refused.body(), 503, "overloaded");
            assertThat(refused.header("Retry-After")).isEqualTo("2");
            assertThat(memory.used()).isGreaterThanOrEqualTo(3_000_000);

            HttpResponse<String> small = post(CE, VALID);
            assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
        } finally {
            for (RawHttp http : sending) {
                http.close();
            }
        }
        long end = System.nanoTime() + 5_000_000_000L;
        while (memory.used() > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(memory.used()).as("every buffer given back once its connection is gone").isZero();
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(uri(CE)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
