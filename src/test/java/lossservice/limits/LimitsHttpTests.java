package lossservice.limits;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import lossservice.RawHttp;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Every request limit, passed over real HTTP (the limits are set small in {@link SmallLimitsApplicationTests}). */
class LimitsHttpTests extends SmallLimitsApplicationTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedBeforeItIsSent() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            // Only the head and 10 bytes of a 200,000-byte body: the answer cannot depend on reading it.
            http.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200000\r\n\r\n{\"logits\":");
            RawHttp.Response response = http.read();

            JsonNode problem = assertProblem(response.status(), response.header("Content-Type"), response.body(), 413,
                    "payload-too-large");
            assertThat(problem.path("detail").asString()).contains("200000", "102400");
            assertThat(problem.path("instance").asString()).isEqualTo(PATH);
        }
    }

    @Test
    void theRestOfARefusedBodyIsNotReadTheConnectionIsClosedInstead() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 8000000\r\n\r\n");
            http.send(" ".repeat(65_536)); // the client is still sending its 8 MB
            RawHttp.Response response = http.read();

            assertProblem(response.status(), response.header("Content-Type"), response.body(), 413,
                    "payload-too-large");
            assertThat(response.header("Connection")).isEqualTo("close");
            // Tomcat used to read and discard the rest (up to server.tomcat.max-swallow-size) on a worker thread
            // before closing, for as long as the client took to send it.
            assertThat(http.closedByServer(2_000)).as("closed without reading the rest").isTrue();
        }
    }

    @Test
    void aChunkedBodyIsCutOffAsSoonAsItPassesTheLimit() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            http.chunk("{\"logits\": ".getBytes(StandardCharsets.UTF_8));
            byte[] blanks = " ".repeat(24 * 1024).getBytes(StandardCharsets.UTF_8); // valid JSON, only long
            for (int i = 0; i < 5; i++) {
                http.chunk(blanks); // 120 KiB in all, and the body never ends
            }
            RawHttp.Response response = http.read();

            JsonNode problem = assertProblem(response.status(), response.header("Content-Type"), response.body(), 413,
                    "payload-too-large");
            assertThat(problem.path("detail").asString()).contains("102400");
        }
    }

    @Test
    void aChunkedBodyUnderTheLimitIsAnswered() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            byte[] body = VALID.getBytes(StandardCharsets.UTF_8);
            http.chunk(Arrays.copyOfRange(body, 0, 20)).chunk(Arrays.copyOfRange(body, 20, body.length))
                    .send("0\r\n\r\n");
            RawHttp.Response response = http.read();

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("\"batchSize\":2");
        }
    }

    @Test
    void moreLogitsThanTheElementLimitAre422WithTheNumbers() throws Exception {
        HttpResponse<String> response = post(body(40, 30, "[]")); // 1200 > 1000

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/logits");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("1000");
    }

    @Test
    void requestedOutputsOverTheOutputLimitAre422WithTheNumbers() throws Exception {
        // 30 x 30 = 900 logits (under 1000), but three 900-number outputs = 2700 > 1500
        HttpResponse<String> response = post(body(30, 30, "[\"smoothedTargets\", \"probabilities\", \"gradient\"]"));

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/include");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("2700", "1500");

        assertThat(post(body(30, 30, "[\"gradient\"]")).statusCode()).isEqualTo(200); // 900 <= 1500
    }

    /** Well-formed JSON past a parser limit is a rule broken, at the value that passes it: 422, not 400. */
    @Test
    void nestingDeeperThanTheLimitIs422AtTheField() throws Exception {
        String deep = "[".repeat(20) + "]".repeat(20);
        HttpResponse<String> response = post("{\"logits\": " + deep + ", \"targets\": [0]}");

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/logits");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("more than 16 levels deep");
    }

    @Test
    void aNumberLongerThanTheLimitIs422AtTheNumber() throws Exception {
        HttpResponse<String> response = post("{\"logits\": [[1, 2], [3, 0." + "1".repeat(1000) + "]],"
                + " \"targets\": [0, 1]}");

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/logits/1/1");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("more than 1000 characters");
    }

    /** A long number within the limit is read: a finite one as itself, an integer of 400 digits as beyond float64. */
    @Test
    void aLongNumberWithinTheLimitIsRead() throws Exception {
        HttpResponse<String> finite = post("{\"logits\": [[1, 2]], \"targets\": [0], \"epsilon\": 0."
                + "1".repeat(150) + "}");
        assertThat(finite.statusCode()).as(finite.body()).isEqualTo(200);
        assertThat(finite.body()).contains("\"epsilon\":0.1111111111111111");

        HttpResponse<String> overflowing = post("{\"logits\": [[1, 2]], \"targets\": [0], \"epsilon\": "
                + "9".repeat(400) + "}");
        JsonNode problem = assertProblem(overflowing.statusCode(), contentType(overflowing), overflowing.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/epsilon");
    }

    @Test
    void aStringOrAFieldNameLongerThanTheLimitIs422AtItsPlace() throws Exception {
        HttpResponse<String> string = post("{\"logits\": [[1, 2]], \"targets\": [0], \"reduction\": \""
                + "x".repeat(2000) + "\"}");
        JsonNode problem = assertProblem(string.statusCode(), contentType(string), string.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/reduction");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("more than 1024 characters");

        HttpResponse<String> name = post("{\"logits\": [[1, 2]], \"targets\": [0], \"" + "x".repeat(2000)
                + "\": 1}");
        problem = assertProblem(name.statusCode(), contentType(name), name.body(), 422, "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEmpty();
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("field name of more than 1024");
    }

    @Test
    void aDuplicatedTopLevelFieldIsRejectedNotLastWins() throws Exception {
        HttpResponse<String> response = post(
                "{\"logits\": [[1, 2]], \"targets\": [0], \"epsilon\": 0.1, \"epsilon\": 0.2}");

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/epsilon");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("more than once");
    }

    /** N x C logits of small numbers, class-index targets and the given include list. */
    static String body(int n, int c, String include) {
        String row = IntStream.range(0, c).mapToObj(j -> Double.toString((j % 7) * 0.25))
                .collect(Collectors.joining(",", "[", "]"));
        String logits = IntStream.range(0, n).mapToObj(i -> row).collect(Collectors.joining(",", "[", "]"));
        List<String> targets = IntStream.range(0, n).mapToObj(i -> Integer.toString(i % c)).toList();
        return "{\"logits\": " + logits + ", \"targets\": [" + String.join(",", targets) + "], \"include\": "
                + include + "}";
    }

    private HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}
