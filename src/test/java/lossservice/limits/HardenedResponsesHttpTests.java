package lossservice.limits;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import lossservice.RawHttp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every kind of error answer, over real HTTP: problem+json, no {@code Server} or {@code X-Powered-By} header, no
 * stack trace, no exception class or internal name.
 */
class HardenedResponsesHttpTests extends SmallLimitsApplicationTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    GatedComputePool pool;

    @AfterEach
    void openTheGate() {
        pool.open();
    }

    @Test
    void notFound() throws Exception {
        assertClean(send(HttpRequest.newBuilder(uri("/no/such/thing")).GET()), 404, "not-found");
    }

    @Test
    void methodNotAllowed() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(PATH)).GET());
        assertClean(response, 405, "method-not-allowed");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void unsupportedMediaType() throws Exception {
        assertClean(send(HttpRequest.newBuilder(uri(PATH)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(VALID))), 415, "unsupported-media-type");
    }

    @Test
    void malformedJson() throws Exception {
        assertClean(send(HttpRequest.newBuilder(uri(PATH)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"logits\": [[1, 2]"))), 400, "malformed-json");
    }

    @Test
    void malformedJsonDeepInAnArray() throws Exception {
        assertClean(send(HttpRequest.newBuilder(uri(PATH)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"logits\": [[1, 2], [3, 4,]], \"targets\": [0, 1]}"))),
                400, "malformed-json");
    }

    @Test
    void payloadTooLarge() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 500000\r\n\r\n");
            RawHttp.Response response = http.read();
            assertProblem(response.status(), response.header("Content-Type"), response.body(), 413,
                    "payload-too-large");
            assertThat(response.headers()).doesNotContainKeys("server", "x-powered-by");
        }
    }

    @Test
    void aBrokenRequestLineIsAnsweredByTheContainerWithAProblem() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /a b c HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.Response response = http.read();
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.headers()).doesNotContainKeys("server", "x-powered-by");
            lossservice.ProblemAssertions.assertNoInternals(response.body());
        }
    }

    @Test
    void overloaded() throws Exception {
        pool.close();
        List<CompletableFuture<HttpResponse<String>>> held = List.of(postAsync(), postAsync());
        pool.awaitHeld(2, Duration.ofSeconds(20));

        HttpResponse<String> response = postAsync().join();

        assertClean(response, 503, "overloaded");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
        pool.open();
        held.forEach(CompletableFuture::join);
    }

    @Test
    void aSuccessfulAnswerHasNoServerHeaderEither() throws Exception {
        HttpResponse<String> response = postAsync().join();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().map()).doesNotContainKeys("server", "x-powered-by");
    }

    private void assertClean(HttpResponse<String> response, int status, String kind) {
        assertProblem(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(),
                status, kind);
        assertThat(response.headers().map()).doesNotContainKeys("server", "x-powered-by");
    }

    private CompletableFuture<HttpResponse<String>> postAsync() {
        return HTTP.sendAsync(HttpRequest.newBuilder(uri(PATH)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(VALID)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
