package lossservice.hostile;

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
 * Silent bodies: clients that send a head and part of the body, then nothing. They used to hold the places
 * (every other POST answered 503) until Tomcat's read timeout answered them 408. Now a place is taken only once
 * the body has arrived, and a body that stops arriving is cut off by closing its connection after the read timeout
 * ({@code server.tomcat.connection-timeout}, 2 s here).
 */
class SilentBodyHttpTests extends HostileClientsApplicationTests {

    @Autowired
    Admission admission;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void silentBodiesHoldNoPlaceAndAreCutOffAtTheReadTimeout() throws Exception {
        List<RawHttp> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) { // more than the 3 places
                RawHttp http = new RawHttp(port);
                http.send("POST " + CE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 10240\r\n\r\n{\"logits\": [" + " ".repeat(1024));
                silent.add(http);
            }
            Thread.sleep(300);

            long started = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> small = post(CE, VALID);
                assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
                HttpResponse<String> large = post(CE, crossEntropy(20, 10));
                assertThat(large.statusCode()).as(large.body()).isEqualTo(200);
            }
            assertThat((System.nanoTime() - started) / 1_000_000).as("no request waited for a place").isLessThan(5_000);
            // A place is given back after the answer is written, so the last one may still be held for a moment.
            long settle = System.nanoTime() + 2_000_000_000L;
            while (admission.inProgress() != 0 && System.nanoTime() < settle) {
                Thread.sleep(5);
            }
            assertThat(admission.inProgress()).as("places held by silent bodies").isZero();

            for (RawHttp http : silent) {
                http.timeout(6_000);
                long waited = System.nanoTime();
                String answer;
                try {
                    answer = http.read().status() + "";
                } catch (java.net.SocketTimeoutException e) {
                    answer = "still waiting";
                } catch (java.io.IOException e) {
                    answer = "closed";
                }
                assertThat(answer).as("cut off by closing, or told its deadline passed").isIn("closed", "503");
                assertThat((System.nanoTime() - waited) / 1_000_000).isLessThan(6_000);
            }
        } finally {
            for (RawHttp http : silent) {
                http.close();
            }
        }
    }
}
