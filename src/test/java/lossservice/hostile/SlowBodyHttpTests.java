package lossservice.hostile;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import lossservice.RawHttp;
import lossservice.limits.Admission;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Slow bodies: clients that declare a body and send it a byte at a time. They must hold neither a thread nor a
 * place: health and small valid requests are answered meanwhile, and the slow ones end with a 503
 * deadline-exceeded (or a closed connection) at the deadline, never a 500. Tomcat used to keep a worker thread per
 * such client, first to read the body, then to discard the rest of it after the refusal.
 */
class SlowBodyHttpTests extends HostileClientsApplicationTests {

    @Autowired
    Admission admission;

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void twoHundredTricklingBodiesLeaveHealthAndSmallRequestsAnswered() throws Exception {
        // 200 x 15,000 bytes: the tricklers' declared bodies fit in the 3 MB the large ones may reserve.
        String head = "POST " + CE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 15000\r\n\r\n{\"logits\": ";
        List<Long> healthMillis = new ArrayList<>();
        List<Long> postMillis = new ArrayList<>();
        int healthOk = 0;
        int postOk = 0;
        try (Tricklers tricklers = new Tricklers(port, 200, head, 200)) {
            Thread.sleep(500);
            long end = System.nanoTime() + 3_000_000_000L; // within the 4 s deadline of the tricklers
            while (System.nanoTime() < end) {
                long started = System.nanoTime();
                HttpResponse<String> health = get("/actuator/health");
                long healthTook = (System.nanoTime() - started) / 1_000_000;
                healthMillis.add(healthTook);
                healthOk += health.statusCode() == 200 && healthTook < 2_000 ? 1 : 0;

                started = System.nanoTime();
                HttpResponse<String> small = post(CE, VALID);
                long postTook = (System.nanoTime() - started) / 1_000_000;
                postMillis.add(postTook);
                postOk += small.statusCode() == 200 && postTook < 2_000 ? 1 : 0;
                Thread.sleep(100);
            }
            assertThat(admission.inProgress()).as("no trickling body holds a place").isZero();

            Thread.sleep(4_000); // past the tricklers' deadline
            List<Tricklers.Outcome> outcomes = tricklers.outcomes();
            assertThat(outcomes).allSatisfy(outcome -> {
                assertThat(outcome.status()).as(outcome.answer()).isIn(0, 503);
                assertThat(outcome.closed() || outcome.status() == 503).as("answered or closed").isTrue();
            });
            assertThat(outcomes.stream().filter(outcome -> outcome.answer().contains("deadline-exceeded")).count())
                    .as("most are told their deadline passed").isGreaterThan(150);
        }
        assertThat(healthOk).as("health answered 200 within 2 s: " + healthMillis)
                .isGreaterThanOrEqualTo((int) Math.ceil(0.9 * healthMillis.size()));
        assertThat(postOk).as("small valid POST answered 200 within 2 s: " + postMillis)
                .isGreaterThanOrEqualTo((int) Math.ceil(0.9 * postMillis.size()));
        assertThat(healthMillis).hasSizeGreaterThan(5);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aTricklingBodyIsAnswered503DeadlineExceededAtTheDeadlineAndTheConnectionClosed() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 500000\r\n\r\n");
            long started = System.nanoTime();
            http.timeout(100);
            RawHttp.Response response = null;
            while (response == null && System.nanoTime() - started < 10_000_000_000L) {
                http.send(" ");
                try {
                    response = http.read();
                } catch (java.net.SocketTimeoutException e) {
                    // not yet
                }
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(response).isNotNull();
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.body()).contains("deadline").contains("4.0 s");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(tookMillis).as("answered at the deadline").isBetween(3_000L, 7_000L);
            assertThat(http.closedByServer(2_000)).as("closed, the rest not read").isTrue();
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void healthWithATrickledDeclaredBodyIsAnsweredAtOnceAndTheRestIsNotRead() throws Exception {
        // A JSON body: the health endpoint would read it (and wait for all of it) if it were given the body.
        String head = "GET /actuator/health HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000000\r\n\r\n";
        try (Tricklers tricklers = new Tricklers(port, 50, head, 100)) {
            long end = System.nanoTime() + 5_000_000_000L;
            while (tricklers.pending() > 0 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(tricklers.pending()).as("every trickler answered within 5 s").isZero();
            Thread.sleep(1_000);
            List<Tricklers.Outcome> outcomes = tricklers.outcomes();
            assertThat(outcomes).allSatisfy(outcome -> {
                assertThat(outcome.status()).as(outcome.answer()).isEqualTo(200);
                assertThat(outcome.answer()).contains("\"UP\"");
                assertThat(outcome.closed()).as("the connection is closed instead of the body being read").isTrue();
            });
        }
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aPostRefusedFromItsHeadIsAnsweredWithoutReadingItsTrickledBody() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            // 405 (the health endpoint is GET only): MVC refuses it from the head; its 1 MB body is never read.
            http.send("POST /actuator/health HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000000\r\n\r\n{");
            RawHttp.Response response = http.timeout(5_000).read();

            assertProblem(response.status(), response.header("Content-Type"), response.body(), 405,
                    "method-not-allowed");
            assertThat(http.closedByServer(2_000)).isTrue();
        }
    }
}
