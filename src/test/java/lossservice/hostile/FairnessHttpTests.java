package lossservice.hostile;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import lossservice.RawHttp;
import lossservice.limits.BodyMemory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Small requests during a storm of large ones: they have the last quarter of the body memory, so that large
 * requests holding every byte of the rest of it do not turn them away.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FairnessHttpTests extends HostileClientsApplicationTests {

    @Autowired
    BodyMemory memory;

    @Test
    void largeBodiesPastTheirShareOfTheMemoryAre503WhileSmallOnesStillPass() throws Exception {
        // 4 MB of body memory, 3 MB of it for large bodies: four 900 KB bodies that stop short of their end hold it.
        List<RawHttp> stalled = new ArrayList<>();
        try {
            RawHttp.Response refused = null;
            for (int i = 0; i < 5 && refused == null; i++) {
                RawHttp http = new RawHttp(port);
                stalled.add(http);
                http.send("POST " + CE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000000\r\n\r\n{\"logits\": [");
                http.send(" ".repeat(900_000));
                http.timeout(150);
                try {
                    refused = http.read();
                } catch (java.net.SocketTimeoutException e) {
                    // still being received: it fit
                }
            }
            assertThat(refused).as("a large body past the memory's share is refused").isNotNull();
            assertProblem(refused.status(), refused.header("Content-Type"), refused.body(), 503, "overloaded");
            assertThat(refused.header("Retry-After")).isEqualTo("2");
            assertThat(memory.used()).isGreaterThan(2_500_000);

            HttpResponse<String> small = post(CE, VALID);
            assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
        } finally {
            for (RawHttp http : stalled) {
                http.close();
            }
        }
        long end = System.nanoTime() + 5_000_000_000L;
        while (memory.used() > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(memory.used()).as("every buffer given back once its connection is gone").isZero();
    }
}
