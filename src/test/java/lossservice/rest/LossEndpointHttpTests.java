package lossservice.rest;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.JsonNode;

/**
 * The JSON endpoints of the catalogue over real HTTP: media types, statuses and problem bodies of
 * {@code POST /v1/losses/{name}}, and {@code GET /v1/losses}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LossEndpointHttpTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SEED = """
            {"logits": [[0.29657507, 0.37199768, -0.77696386, -0.34608492, -0.97522074, 1.6493007, 0.5288561,
                         0.570293, 1.2381971, -0.42675203],
                        [-0.94538414, -1.0840734, 0.11295679, 0.81490177, -0.28811437, -1.154883, -0.19231182,
                         -0.38785625, 0.2279211, 2.0117142]],
             "targets": [2, 5], "epsilon": 0.1, "numClasses": 10}""";

    @LocalServerPort
    int port;

    @Test
    void answersTheSeedExample() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "application/json", SEED, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode answer = LocalEndpoint.JSON.readTree(response.body());
        assertThat(answer.get("loss").doubleValue()).isCloseTo(3.6503466, org.assertj.core.data.Offset.offset(4e-5));
        assertThat(answer.get("smoothedTargets").get(0).get(2).doubleValue()).isEqualTo(0.91, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(answer.get("batchSize").intValue()).isEqualTo(2);
        assertThat(answer.get("numClasses").intValue()).isEqualTo(10);
        assertThat(answer.get("backend").asString()).isEqualTo("cpu");
        // A small answer goes out in one piece, with its length.
        assertThat(response.headers().firstValue("Content-Length")).hasValue(
                String.valueOf(response.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        assertThat(response.headers().firstValue("Transfer-Encoding")).isEmpty();
    }

    @Test
    void anUndefinedMeanIsNullNotNaN() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "application/json",
                "{\"logits\": [[1, 2]], \"targets\": [-100], \"include\": [\"gradient\"]}", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"loss\":null", "\"gradient\":null").doesNotContain("NaN");
    }

    @Test
    void invalidInputIs422WithEveryViolation() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "application/json",
                "{\"logits\": [[1, 2]], \"targets\": [5], \"epsilon\": 2}", null);

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.get("errors").valueStream().map(error -> error.get("pointer").asString()).toList())
                .containsExactlyInAnyOrder("/targets/0", "/epsilon");
    }

    @Test
    void malformedJsonAndAnEmptyBodyAre400() throws Exception {
        for (String body : List.of("{\"logits\": [[1,", "")) {
            HttpResponse<String> response = post("/v1/losses/binary-cross-entropy", "application/json", body, null);
            assertProblem(response.statusCode(), contentType(response), response.body(), 400, "malformed-json");
        }
    }

    @Test
    void aBodyThatIsNotJsonIs415() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "text/plain", SEED, null);

        assertProblem(response.statusCode(), contentType(response), response.body(), 415, "unsupported-media-type");
    }

    @Test
    void aBodyWithoutContentTypeIs415SayingWhatToSend() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/v1/losses/cross-entropy"))
                .POST(HttpRequest.BodyPublishers.ofString(SEED)).build(), HttpResponse.BodyHandlers.ofString());

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 415,
                "unsupported-media-type");
        assertThat(problem.get("detail").asString()).isEqualTo(
                "The request has no Content-Type; send the body as application/json.");
    }

    /** A client's error is answered, not logged as a warning of the service (a client could fill the log). */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void getOfALossIs405WithAllow(CapturedOutput log) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/v1/losses/cross-entropy")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertProblem(response.statusCode(), contentType(response), response.body(), 405, "method-not-allowed");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(log.getAll()).doesNotContain("is not supported").doesNotContain(" WARN ");
    }

    /** Spring's resource handler warns of a path that climbs out of its folder: a client's error too. */
    @ParameterizedTest
    @ValueSource(strings = {"/v1/losses/../losses/cross-entropy", "/swagger-ui/../../etc/passwd",
        "/webjars/%2e%2e/%2e%2e/etc/passwd"})
    @ExtendWith(OutputCaptureExtension.class)
    void aPathThatClimbsIsNotFoundAndNotLogged(String path, CapturedOutput log) throws Exception {
        HttpResponse<String> response = post(path, "application/json", SEED, null);

        assertThat(response.statusCode()).as(path).isIn(400, 404);
        assertProblem(response.statusCode(), contentType(response), response.body(), response.statusCode(),
                response.statusCode() == 404 ? "not-found" : "bad-request");
        assertThat(log.getAll()).doesNotContain(" WARN ");
    }

    /** The container's error page answers error dispatches only; asked for directly it is no resource. */
    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "DELETE"})
    void theErrorPathAskedForDirectlyIsNotFound(String method) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/error"))
                .method(method, HttpRequest.BodyPublishers.ofString(SEED)).header("Content-Type", "application/json")
                .build(), HttpResponse.BodyHandlers.ofString());

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 404,
                "not-found");
        assertThat(problem.get("detail").asString()).isEqualTo("There is no resource at /error.");
    }

    @Test
    void anUnknownLossIs404NamingTheLosses() throws Exception {
        HttpResponse<String> response = post("/v1/losses/hinge", "application/json", SEED, null);

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 404,
                "not-found");
        assertThat(problem.get("detail").asString()).contains("hinge", "cross-entropy", "binary-cross-entropy");
        assertThat(problem.get("instance").asString()).isEqualTo("/v1/losses/hinge");
    }

    @Test
    void anUnacceptableAcceptIs406() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "application/json", SEED, "text/html");

        assertThat(response.statusCode()).isEqualTo(406);
    }

    @Test
    void aResultBeyondFloat32Is422ResultOutOfRange() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "application/json",
                "{\"logits\": [[3e38, -3e38]], \"targets\": [1], \"classWeights\": [3e38, 3e38]}", null);

        assertProblem(response.statusCode(), contentType(response), response.body(), 422, "result-out-of-range");
    }

    /**
     * A value that breaks a rule hides no other: a bad number keeps its place, so the shape it is part of still
     * serves the other inputs' checks and the loss's own rules.
     */
    @Test
    void everyRuleBrokenIsListedBesideABadNumber() throws Exception {
        Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
        expected.put("cross-entropy {\"logits\": [[0.5, \"NaN\", 2], [1, 2, 3]], \"targets\": [7, 1],"
                + " \"classWeights\": [1, -1, 1]}", List.of("/logits/0/1", "/targets/0", "/classWeights/1"));
        expected.put("cross-entropy {\"logits\": [[1e39, 1, 2], [1, 2, 3]], \"targets\": [0, 1],"
                + " \"classWeights\": [1e39, 1, -1]}", List.of("/logits/0/0", "/classWeights/0", "/classWeights/2"));
        expected.put("focal {\"logits\": [[0.5, 1, 2], [1, 2, 3]], \"targets\": [[0.5, 0.5, 0], [1, -1, 0]],"
                + " \"ignoreIndex\": 3}", List.of("/targets/1/1", "/ignoreIndex"));
        expected.put("binary-cross-entropy {\"logits\": [[1, 2, 3], [4, 5, 6]],"
                + " \"targets\": [[2, -1, 0.5], [0.5, \"x\", 0]]}", List.of("/targets/0/0", "/targets/0/1", "/targets/1/1"));
        expected.put("kl-divergence {\"studentLogits\": [[1e39, 1]], \"teacherLogits\": [[\"x\", 1]]}",
                List.of("/studentLogits/0/0", "/teacherLogits/0/0"));
        expected.put("nll {\"logProbabilities\": [[-1, -2], [-1, -2]], \"targets\": [\"x\", 5]}",
                List.of("/targets/0", "/targets/1"));
        for (Map.Entry<String, List<String>> request : expected.entrySet()) {
            String[] lossAndBody = request.getKey().split(" ", 2);
            HttpResponse<String> response = post("/v1/losses/" + lossAndBody[0], "application/json", lossAndBody[1],
                    null);

            JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                    "invalid-request");
            List<String> pointers = new java.util.ArrayList<>();
            problem.get("errors").forEach(error -> pointers.add(error.get("pointer").asString()));
            assertThat(pointers).as(request.getKey()).containsExactlyInAnyOrderElementsOf(request.getValue());
        }
    }

    /** {@code null} means the default of a field the loss has; a field it does not have is unknown whatever its value. */
    @Test
    void anUnknownFieldIsAViolationEvenWhenNull() throws Exception {
        Map<String, String> bodies = Map.of(
                "/v1/losses/nll", "{\"logProbabilities\": [[-0.5, -1]], \"targets\": [0], \"epsilon\": null}",
                "/v1/losses/focal", "{\"logits\": [[1, 2]], \"targets\": [0], \"labelSmooth\": null}",
                "/v1/losses/cross-entropy", "{\"logits\": [[1, 2]], \"targets\": [0], \"gamma\": null}",
                "/v1/losses/sigmoid-focal", "{\"logits\": [1, 2], \"targets\": [0, 1], \"posWeight\": null}");
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            HttpResponse<String> response = post(body.getKey(), "application/json", body.getValue(), null);

            JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                    "invalid-request");
            String field = body.getValue().substring(body.getValue().lastIndexOf(", \"") + 3,
                    body.getValue().lastIndexOf("\": null"));
            assertThat(problem.get("errors")).as(body.getKey()).hasSize(1);
            assertThat(problem.get("errors").get(0).get("pointer").asString()).isEqualTo("/" + field);
            assertThat(problem.get("errors").get(0).get("message").asString()).startsWith("unknown field");
            assertThat(problem.get("detail").asString()).as("one rule: the pointer is the subject of the message")
                    .startsWith("The request breaks 1 rule, at /" + field + ": unknown field; the fields are ");
        }
        HttpResponse<String> knownNull = post("/v1/losses/focal", "application/json",
                "{\"logits\": [[1, 2]], \"targets\": [0], \"gamma\": null, \"include\": null, \"dtype\": null}", null);
        assertThat(knownNull.statusCode()).as(knownNull.body()).isEqualTo(200);
        assertThat(knownNull.body()).contains("\"gamma\":2.0");
    }

    @Test
    void oneDimensionalLogitsAndAScalarTargetGetOneClearViolationEach() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "application/json",
                "{\"logits\": [0.3, -1.2, 2.0], \"targets\": 2}", null);

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.get("errors")).hasSize(2);
        assertThat(problem.get("errors").get(0).get("pointer").asString()).isEqualTo("/logits/0");
        assertThat(problem.get("errors").get(0).get("message").asString()).contains("[N, C", "[[...]]");
        assertThat(problem.get("errors").get(1).get("pointer").asString()).isEqualTo("/targets");
        assertThat(problem.get("errors").get(1).get("message").asString())
                .contains("found the number 2", "[...]").doesNotContain("required");
    }

    @Test
    void swappedLogitsAndTargetsGetOneViolationThatSaysSo() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "application/json",
                "{\"logits\": [2, 0], \"targets\": [[0.3, -1.2, 2.0], [1.0, 0.5, -0.5]]}", null);

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.get("errors")).hasSize(1);
        assertThat(problem.get("errors").get(0).get("pointer").asString()).isEqualTo("/logits");
        assertThat(problem.get("errors").get(0).get("message").asString()).contains("swapped", "[N, C");
    }

    @Test
    void aScalarTargetBesideGoodLogitsSaysWhatShapeIsExpected() throws Exception {
        HttpResponse<String> response = post("/v1/losses/cross-entropy", "application/json",
                "{\"logits\": [[0.3, -1.2, 2.0]], \"targets\": 2}", null);

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 422,
                "invalid-request");
        assertThat(problem.get("errors")).hasSize(1);
        assertThat(problem.get("errors").get(0).get("message").asString())
                .contains("class indices of shape [1]", "found the number 2");
    }

    @Test
    void theCatalogueListsEveryLossWithItsSignature() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/v1/losses")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode losses = LocalEndpoint.JSON.readTree(response.body()).get("losses");
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        losses.forEach(loss -> byName.put(loss.get("name").asString(), loss));
        assertThat(byName).containsKeys("cross-entropy", "binary-cross-entropy");
        JsonNode crossEntropy = byName.get("cross-entropy");
        assertThat(crossEntropy.get("path").asString()).isEqualTo("/v1/losses/cross-entropy");
        assertThat(crossEntropy.get("model").asString()).isEqualTo("cross-entropy");
        assertThat(crossEntropy.get("inputs").valueStream().map(input -> input.get("name").asString() + "/"
                + input.get("tensor").asString()).toList())
                .containsExactly("logits/logits", "targets/targets", "classWeights/class_weights");
        assertThat(crossEntropy.get("inputs").get(1).get("forms").valueStream()
                .map(form -> form.get("kind").asString()).toList()).containsExactly("classIndices", "real");
        JsonNode epsilon = crossEntropy.get("scalars").valueStream()
                .filter(scalar -> scalar.get("name").asString().equals("epsilon")).findFirst().orElseThrow();
        assertThat(epsilon.get("defaultValue").doubleValue()).isEqualTo(0.1);
        assertThat(epsilon.get("range").asString()).isEqualTo("in [0, 1]");
        assertThat(crossEntropy.get("reductions").toString()).isEqualTo("[\"mean\",\"sum\",\"none\"]");
        assertThat(crossEntropy.get("outputs").valueStream().filter(output -> output.get("byDefault").booleanValue())
                .map(output -> output.get("name").asString()).toList()).containsExactly("smoothedTargets");
        JsonNode binary = byName.get("binary-cross-entropy");
        assertThat(binary.get("scalars").get(0).get("defaultValue").doubleValue()).isZero();
        assertThat(binary.get("outputs").valueStream().filter(output -> output.get("unreduced").booleanValue())
                .map(output -> output.get("tensor").asString()).toList()).containsExactly("element_loss");
    }

    private HttpResponse<String> post(String path, String contentType, String body, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String contentType(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}
