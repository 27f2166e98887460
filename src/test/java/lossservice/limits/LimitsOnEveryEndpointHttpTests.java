package lossservice.limits;

import static lossservice.ProblemAssertions.assertNoInternals;
import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import lossservice.ProblemAssertions;
import lossservice.RawHttp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/**
 * The limits of {@code loss.limits} on the binary cross-entropy and the Open Inference Protocol endpoints, over real
 * HTTP with the small limits of {@link SmallLimitsApplicationTests} (100 KB bodies, 1000 elements, 1500 output
 * numbers). Binary cross-entropy answers as cross-entropy does (problem+json, the same messages); {@code /v2}
 * answers with the same statuses in the protocol's {@code {"error": "..."}}.
 */
class LimitsOnEveryEndpointHttpTests extends SmallLimitsApplicationTests {

    private static final String BCE = "/v1/losses/binary-cross-entropy";
    private static final String INFER = "/v2/models/cross-entropy/infer";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Autowired
    GatedComputePool pool;

    @AfterEach
    void openTheGate() {
        pool.open();
    }

    // ---- binary cross-entropy -------------------------------------------------------------------------

    @Test
    void binaryCrossEntropyLogitsOverTheElementLimitAre422WithTheNumbers() throws Exception {
        HttpResponse<String> response = post(BCE, bceBody(40, 30, "[]")); // 1200 > 1000

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/logits");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("1000");
    }

    @Test
    void binaryCrossEntropyOutputsOverTheOutputLimitAre422WithTheNumbers() throws Exception {
        // 20 x 20 logits and targets = 800 numbers (under 1000), but four 400-number outputs = 1600 > 1500
        HttpResponse<String> response = post(BCE, bceBody(20, 20,
                "[\"smoothedTargets\", \"elementLoss\", \"probabilities\", \"gradient\"]"));

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/include");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("1600", "1500", "\"gradient\"");

        HttpResponse<String> underTheLimit = post(BCE, bceBody(20, 20, "[\"gradient\"]")); // 400 <= 1500
        assertThat(underTheLimit.statusCode()).as(underTheLimit.body()).isEqualTo(200);
    }

    static Stream<String> malformedBodies() {
        return Stream.of(
                "{\"logits\": [[1, 2]], \"targets\": [[0, 1]]",                      // ends early
                "{\"logits\": [[1 2]], \"targets\": [[0, 1]]}",                      // no comma
                "",                                                                   // empty
                "{\"logits\": [[1, 2]], \"targets\": [[0, 1]]} {}");                 // content after the object
    }

    static Stream<String> bodiesPastAParserLimit() {
        return Stream.of(
                "{\"logits\": " + "[".repeat(20) + "1" + "]".repeat(20) + "}",         // nesting 21 > 16
                "{\"logits\": [[1, 2]], \"epsilon\": 0." + "1".repeat(1001) + "}",   // number of 1003 > 1000
                "{\"logits\": [[1, 2]], \"reduction\": \"" + "x".repeat(2000) + "\"}"); // string of 2000 > 1024
    }

    /** JSON past a parser limit: 422 invalid-request at the value, word for word what cross-entropy says. */
    @ParameterizedTest
    @MethodSource("bodiesPastAParserLimit")
    void binaryCrossEntropyParserLimitsAre422WithTheCrossEntropyViolation(String body) throws Exception {
        JsonNode[] problems = crossEntropyThenBinaryCrossEntropy(body, 422, "invalid-request");
        JsonNode expected = problems[0];
        JsonNode problem = problems[1];
        assertThat(problem.path("errors")).hasSize(1).isEqualTo(expected.path("errors"));
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("loss.limits.max-");
    }

    /** Malformed JSON: 400 malformed-json, word for word what cross-entropy says. */
    @ParameterizedTest
    @MethodSource("malformedBodies")
    void binaryCrossEntropyMalformedJsonIs400WithTheCrossEntropyMessage(String body) throws Exception {
        JsonNode[] problems = crossEntropyThenBinaryCrossEntropy(body, 400, "malformed-json");
        JsonNode expected = problems[0];
        JsonNode problem = problems[1];
        assertThat(problem.path("detail").asString()).isEqualTo(expected.path("detail").asString());
    }

    /** The problems cross-entropy and binary cross-entropy answer to {@code body}, each checked for status and type. */
    private JsonNode[] crossEntropyThenBinaryCrossEntropy(String body, int status, String type) throws Exception {
        HttpResponse<String> crossEntropy = post(PATH, body);
        HttpResponse<String> binary = post(BCE, body);
        return new JsonNode[] {
                assertProblem(crossEntropy.statusCode(), contentType(crossEntropy), crossEntropy.body(), status, type),
                assertProblem(binary.statusCode(), contentType(binary), binary.body(), status, type)};
    }

    // ---- Open Inference Protocol ----------------------------------------------------------------------

    /** 40 x 30 = 1200 > 1000: the data stops being read at the 1001st number, whether the shape comes first or not. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void inferenceJsonLogitsOverTheElementLimitAre400WithTheProtocolError(boolean shapeFirst) throws Exception {
        HttpResponse<String> response = post(INFER, inferBody(40, 30, shapeFirst));

        String error = assertProtocolError(response.statusCode(), contentType(response), response.body(), 400);
        assertThat(error).contains("/inputs/0/data", "1000");
    }

    @Test
    void inferenceBinaryLogitsOverTheElementLimitAreRefusedFromTheirShape() throws Exception {
        // Binary logits of 40 x 30 FP32: refused from the declared shape, before the 4800 bytes are read.
        String json = "{\"inputs\": [{\"name\": \"logits\", \"datatype\": \"FP32\", \"shape\": [40, 30],"
                + " \"parameters\": {\"binary_data_size\": 4800}},"
                + " {\"name\": \"targets\", \"datatype\": \"INT64\", \"shape\": [40], \"data\": " + targets(40, 30) + "}]}";
        byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(jsonBytes);
        body.write(ByteBuffer.allocate(4800).order(ByteOrder.LITTLE_ENDIAN).array());
        HttpResponse<String> binary = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + INFER))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", Integer.toString(jsonBytes.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());

        String error = assertProtocolError(binary.statusCode(), contentType(binary), binary.body(), 400);
        assertThat(error).contains("/inputs/0/shape", "1200", "1000");

        HttpResponse<String> underTheLimit = post(INFER, inferBody(20, 20, true)); // 420 <= 1000
        assertThat(underTheLimit.statusCode()).as(underTheLimit.body()).isEqualTo(200);
    }

    @Test
    void inferenceOutputsOverTheOutputLimitAre400WithTheNumbers() throws Exception {
        // 30 x 30 logits and 30 targets = 930 numbers (under 1000); every output (none named): 3 x 900 + 30 + 1
        HttpResponse<String> response = post(INFER, inferBody(30, 30, true));

        String error = assertProtocolError(response.statusCode(), contentType(response), response.body(), 400);
        assertThat(error).contains("outputs", "2730", "1500");
    }

    @Test
    void theElementLimitCountsEveryInputOfARequestTogether() throws Exception {
        // logits 25 x 25 = 625 and targets 625: each under 1000, together 1250
        HttpResponse<String> response = post(BCE, bceBody(25, 25, "[]"));

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.path("errors").get(0).path("pointer").asString()).isEqualTo("/targets");
        assertThat(problem.path("errors").get(0).path("message").asString()).contains("1000");
    }

    @Test
    void inferenceDeclaredBodyOverTheSizeLimitIs413WithTheProtocolError() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            // Only the head and a few bytes of a 200,000-byte body: refused by the filter before it is read.
            http.send("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200000\r\n\r\n{\"inputs\":");
            RawHttp.Response response = http.read();

            String error = assertProtocolError(response.status(), response.header("Content-Type"), response.body(), 413);
            assertThat(error).contains("200000", "102400");
            assertThat(response.header("Connection")).isEqualTo("close");
        }
    }

    @Test
    void inferenceChunkedBodyOverTheSizeLimitIs413WithTheProtocolError() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            http.chunk("{\"inputs\": ".getBytes(StandardCharsets.UTF_8));
            byte[] blanks = " ".repeat(24 * 1024).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 5; i++) {
                http.chunk(blanks); // 120 KiB in all, and the body never ends
            }
            RawHttp.Response response = http.read();

            String error = assertProtocolError(response.status(), response.header("Content-Type"), response.body(), 413);
            assertThat(error).contains("102400");
        }
    }

    @Test
    void inferenceTurnedAwayWhenOverloadedIs503WithTheProtocolError() throws Exception {
        pool.close();
        List<CompletableFuture<HttpResponse<String>>> held = List.of(postAsync(), postAsync());
        pool.awaitHeld(2, Duration.ofSeconds(20));

        HttpResponse<String> response = post(INFER, inferBody(2, 3, true));

        assertProtocolError(response.statusCode(), contentType(response), response.body(), 503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
        pool.open();
        assertThat(held).allSatisfy(future -> assertThat(future.join().statusCode()).isEqualTo(200));
    }

    @Test
    void inferencePastTheDeadlineIs503WithTheProtocolError() throws Exception {
        pool.close(); // the computation is held past the 6 s deadline

        HttpResponse<String> response = post(INFER, inferBody(2, 3, true));

        String error = assertProtocolError(response.statusCode(), contentType(response), response.body(), 503);
        assertThat(error).contains("6.0 s");
        pool.open();
        HttpResponse<String> after = post(INFER, inferBody(2, 3, true)); // the place was given back
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /** A {"error": "..."} answer of this status, never problem+json; returns the message. */
    private static String assertProtocolError(int status, String contentType, String body, int expectedStatus) {
        assertThat(status).as(body).isEqualTo(expectedStatus);
        assertThat(contentType).as("Content-Type of " + body).startsWith("application/json");
        assertNoInternals(body);
        JsonNode error = ProblemAssertions.JSON.readTree(body);
        assertThat(error.propertyNames()).containsExactly("error");
        assertThat(error.path("error").asString()).isNotBlank();
        return error.path("error").asString();
    }

    /** N x C logits, and targets in [0, 1] of the same shape. */
    private static String bceBody(int n, int c, String include) {
        return "{\"logits\": " + matrix(n, c, j -> (j % 7) * 0.25) + ", \"targets\": " + matrix(n, c, j -> (j % 2))
                + ", \"include\": " + include + "}";
    }

    /** A V2 request with FP32 logits [N, C] as nested JSON data and INT64 class-index targets. */
    private static String inferBody(int n, int c, boolean shapeFirst) {
        String shape = "\"shape\": [" + n + ", " + c + "]";
        String data = "\"data\": " + matrix(n, c, j -> (j % 7) * 0.25);
        return "{\"inputs\": [{\"name\": \"logits\", \"datatype\": \"FP32\", "
                + (shapeFirst ? shape + ", " + data : data + ", " + shape) + "},"
                + " {\"name\": \"targets\", \"datatype\": \"INT64\", \"shape\": [" + n + "], \"data\": " + targets(n, c)
                + "}]}";
    }

    private static String matrix(int n, int c, java.util.function.IntToDoubleFunction value) {
        String row = IntStream.range(0, c).mapToObj(j -> Double.toString(value.applyAsDouble(j)))
                .collect(Collectors.joining(",", "[", "]"));
        return IntStream.range(0, n).mapToObj(i -> row).collect(Collectors.joining(",", "[", "]"));
    }

    private static String targets(int n, int c) {
        return IntStream.range(0, n).mapToObj(i -> Integer.toString(i % c)).collect(Collectors.joining(",", "[", "]"));
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> postAsync() {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(VALID)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}
