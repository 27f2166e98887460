package lossservice.hostile;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import lossservice.RawHttp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Expect: 100-continue}: a request the head already condemns gets its refusal instead of {@code 100
 * Continue} (so the client never sends the body), and a valid one gets {@code 100 Continue}, then its answer. Tomcat
 * used to answer 100 at once, before the service could look at the head.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ExpectContinueHttpTests extends HostileClientsApplicationTests {

    @Test
    void aDeclaredBodyOverTheLimitIs413WithoutContinue() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + CE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1048577\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response first = http.read();

            assertProblem(first.status(), first.header("Content-Type"), first.body(), 413, "payload-too-large");
            assertThat(http.closedByServer(2_000)).isTrue();
        }
    }

    @Test
    void aContentTypeTheEndpointDoesNotReadIs415WithoutContinue() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + CE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 100\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response first = http.read();

            assertProblem(first.status(), first.header("Content-Type"), first.body(), 415, "unsupported-media-type");
            assertThat(http.closedByServer(2_000)).isTrue();
        }
    }

    @Test
    void aContentEncodingNotSupportedIs415WithoutContinueOnV2Too() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Encoding: br\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response first = http.read();

            assertThat(first.status()).isEqualTo(415);
            assertThat(first.body()).startsWith("{\"error\":");
        }
    }

    @Test
    void aValidRequestGetsContinueThenItsAnswer() throws Exception {
        byte[] body = VALID.getBytes(StandardCharsets.UTF_8);
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + CE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = http.read(); // the body is sent only after this, as a client that waits does

            assertThat(interim.status()).isEqualTo(100);
            http.send(body);
            RawHttp.Response answer = http.read();
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("\"batchSize\":2");
        }
    }

    @Test
    void aValidCompressedInferenceRequestGetsContinueThenItsAnswer() throws Exception {
        byte[] body = ContentEncodingHttpTests.gzip(infer(2, 3).getBytes(StandardCharsets.UTF_8));
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\nContent-Encoding: gzip\r\n"
                    + "Content-Length: " + body.length + "\r\nExpect: 100-continue\r\n\r\n");
            assertThat(http.read().status()).isEqualTo(100);
            http.send(body);
            RawHttp.Response answer = http.read();
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        }
    }
}
