package lossservice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import lossservice.oracle.OracleVectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One request body, one set of numbers: for every valid oracle case of every loss, in float32 and float64, the loss
 * and every array are bit-identical whatever {@code include} asks for, on the JSON endpoint and through the
 * protocol's binary tensors, and when the same request is sent again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeterminismHttpTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    static List<OracleVectors.Case> cases() {
        return OracleVectors.allValid().stream().filter(c -> c.request() != null && c.request().isObject()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyNumberIsTheSameWhateverIsAskedFor(OracleVectors.Case oracleCase) throws Exception {
        List<String> outputs = oracleCase.allOutputs();
        JsonNode everything = postJson(oracleCase, outputs);
        assertThat(postJson(oracleCase, outputs)).as("the same request again").isEqualTo(everything);

        JsonNode nothing = postJson(oracleCase, List.of());
        assertThat(nothing.get("loss").toString()).as("loss with include []").isEqualTo(everything.get("loss").toString());
        for (String output : outputs) {
            JsonNode alone = postJson(oracleCase, List.of(output));
            assertThat(alone.get("loss").toString()).as("loss with include [%s]", output)
                    .isEqualTo(everything.get("loss").toString());
            assertThat(alone.get(output).toString()).as("%s alone", output).isEqualTo(everything.get(output).toString());
        }

        // The protocol's binary tensors carry the very same values.
        ObjectNode request = (ObjectNode) oracleCase.request().deepCopy();
        ArrayNode include = request.putArray("include");
        outputs.forEach(include::add);
        request.put("binaryDataOutput", true);
        V2Requests.Body body = V2Requests.convert(request, true);
        HttpResponse<byte[]> response = TritonHttpClient.post(port, "/v2/models/"
                + oracleCase.endpoint().substring("/v1/losses/".length()) + "/infer", body.bytes(),
                body.jsonLength() == null ? null : String.valueOf(body.jsonLength()));
        assertThat(response.statusCode()).isEqualTo(200);
        TritonHttpClient.Result result = TritonHttpClient.Result.of(response);
        boolean float64 = oracleCase.isFloat64();
        Map<String, String> jsonNames = V2Requests.jsonNames(outputs);
        for (Map.Entry<String, double[]> output : result.outputs().entrySet()) {
            String field = output.getKey().equals("loss") ? "loss" : jsonNames.get(output.getKey());
            double[] sent = output.getValue().clone();
            for (int i = 0; i < sent.length && !float64; i++) {
                sent[i] = (float) sent[i]; // FP32 data written in JSON reads back as a double
            }
            assertThat(sent).as("%s through the protocol", field).containsExactly(flatten(everything.get(field), float64));
        }
    }

    /** The largest valid case of each loss in each precision. */
    static List<OracleVectors.Case> oneCasePerLossAndPrecision() {
        Map<String, OracleVectors.Case> chosen = new TreeMap<>();
        for (OracleVectors.Case oracleCase : cases()) {
            String key = oracleCase.endpoint() + (oracleCase.isFloat64() ? " float64" : " float32");
            OracleVectors.Case kept = chosen.get(key);
            if (kept == null || oracleCase.request().toString().length() > kept.request().toString().length()) {
                chosen.put(key, oracleCase);
            }
        }
        return List.copyOf(chosen.values());
    }

    /** Computed on many threads at once, the same numbers: nothing a thread keeps changes a result. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("oneCasePerLossAndPrecision")
    void theSameRequestFromManyThreadsAtOnceGetsTheSameNumbers(OracleVectors.Case oracleCase) throws Exception {
        List<String> outputs = oracleCase.allOutputs();
        JsonNode first = postJson(oracleCase, outputs);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                answers.add(callers.submit(() -> postJson(oracleCase, outputs)));
            }
            for (Future<JsonNode> answer : answers) {
                assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo(first);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    private JsonNode postJson(OracleVectors.Case oracleCase, List<String> include) throws Exception {
        ObjectNode request = (ObjectNode) oracleCase.request().deepCopy();
        ArrayNode names = request.putArray("include");
        include.forEach(names::add);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + oracleCase.endpoint())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(OracleVectors.JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return OracleVectors.JSON.readTree(response.body());
    }

    /** The numbers of a JSON answer as the protocol sends them: float32 values read as floats. */
    private static double[] flatten(JsonNode node, boolean float64) {
        List<Double> values = new ArrayList<>();
        collect(node, values, float64);
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(JsonNode node, List<Double> values, boolean float64) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isArray()) {
            node.forEach(element -> collect(element, values, float64));
        } else {
            values.add(float64 ? node.doubleValue() : (double) Float.parseFloat(node.asString()));
        }
    }
}
