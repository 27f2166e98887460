package lossservice.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import lossservice.inference.TritonHttpClient.Body;
import lossservice.inference.TritonHttpClient.Input;
import lossservice.inference.TritonHttpClient.Output;
import lossservice.inference.TritonHttpClient.Result;
import lossservice.oracle.NestedArrays;
import tools.jackson.databind.JsonNode;

/**
 * The Open Inference Protocol endpoints over real HTTP, spoken as {@code tritonclient.http} speaks it: every
 * valid PyTorch oracle vector (src/test/resources/oracle/cases.json) in each way of sending tensors, compared
 * at the tolerance of the JSON endpoint's oracle tests, and the errors a V2 client must get as
 * {@code {"error": "..."}} with a 4xx status.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InferenceProtocolHttpTests {

    private static final String INFER = "/v2/models/cross-entropy/infer";
    private static final double ATOL = 1e-6;
    private static final double RTOL = 1e-5;
    private static final List<String> OUTPUTS =
            List.of("loss", "smoothed_targets", "per_sample_loss", "probabilities", "gradient");
    private static final Map<String, String> EXPECTED_FIELD = Map.of("smoothed_targets", "smoothedTargets",
            "per_sample_loss", "perSampleLoss", "probabilities", "probabilities", "gradient", "gradient");

    @LocalServerPort
    int port;

    /** How a request carries its tensors, as tritonclient would be told to. */
    enum Mode {
        /** set_data_from_numpy(binary_data=False); InferRequestedOutput(binary_data=False). */
        JSON_ONLY,
        /** binary inputs, FP64 logits and INT64 targets; no outputs listed, so binary_data_output. */
        BINARY_IN_BINARY_OUT,
        /** binary inputs, INT32 targets; every output listed with binary_data=False. */
        BINARY_IN_JSON_OUT,
        /** logits binary, targets and weights in JSON; outputs alternately binary and JSON. */
        MIXED
    }

    static Stream<Arguments> oracleCasesInEveryMode() {
        List<Arguments> arguments = new ArrayList<>();
        for (JsonNode oracleCase : oracleCases()) {
            if (oracleCase.get("expected_status").intValue() != 200) {
                continue;
            }
            for (Mode mode : Mode.values()) {
                arguments.add(Arguments.of(oracleCase.get("name").asString(), mode, oracleCase));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("oracleCasesInEveryMode")
    void oracleCaseMatchesPyTorch(String name, Mode mode, JsonNode oracleCase) throws Exception {
        JsonNode request = oracleCase.get("request");
        Body body = TritonHttpClient.body("case-" + name, inputs(request, mode), outputs(mode), parameters(request));

        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, body);

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        Result result = Result.of(response);
        assertThat(result.json().get("id").asString()).isEqualTo("case-" + name);
        assertThat(result.json().get("model_name").asString()).isEqualTo("cross-entropy");
        assertThat(result.outputs().keySet()).containsExactlyElementsOf(OUTPUTS);
        boolean anyBinary = result.binary().containsValue(true);
        assertThat(response.headers().firstValue("Inference-Header-Content-Length").isPresent()).isEqualTo(anyBinary);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(
                anyBinary ? "application/octet-stream" : "application/json");
        for (int i = 0; i < OUTPUTS.size(); i++) {
            boolean expectBinary = switch (mode) {
                case JSON_ONLY, BINARY_IN_JSON_OUT -> false;
                case BINARY_IN_BINARY_OUT -> true;
                case MIXED -> i % 2 == 0;
            };
            assertThat(result.binary().get(OUTPUTS.get(i))).as(OUTPUTS.get(i) + " binary").isEqualTo(expectBinary);
        }
        assertMatchesOracle(oracleCase, result);
    }

    @Test
    void serverMetadataListsTheBinaryTensorDataExtension() throws Exception {
        HttpResponse<String> response = TritonHttpClient.get(port, "/v2");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode metadata = TritonHttpClient.JSON.readTree(response.body());
        assertThat(metadata.get("name").asString()).isEqualTo("loss-service");
        assertThat(metadata.get("version").asString()).isNotBlank().doesNotContain("@");
        assertThat(metadata.get("extensions").valueStream().map(JsonNode::asString))
                .contains("binary_tensor_data", "model_repository");
    }

    @Test
    void healthAndReadinessAnswer200WithAnEmptyBody() throws Exception {
        for (String path : List.of("/v2/health/live", "/v2/health/ready", "/v2/models/cross-entropy/ready",
                "/v2/models/cross-entropy/versions/1/ready")) {
            HttpResponse<String> response = TritonHttpClient.get(port, path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).isEmpty();
        }
    }

    @Test
    void modelMetadataGivesEveryTensorWithVariableDimensions() throws Exception {
        for (String path : List.of("/v2/models/cross-entropy", "/v2/models/cross-entropy/versions/1")) {
            HttpResponse<String> response = TritonHttpClient.get(port, path);

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode metadata = TritonHttpClient.JSON.readTree(response.body());
            assertThat(metadata.get("name").asString()).isEqualTo("cross-entropy");
            assertThat(metadata.get("versions").get(0).asString()).isEqualTo("1");
            assertThat(tensors(metadata.get("inputs"))).containsExactly(
                    "logits FP32 [-1,-1]", "targets INT64 [-1]", "class_weights FP32 [-1]");
            assertThat(tensors(metadata.get("outputs"))).containsExactly("loss FP32 [-1]",
                    "smoothed_targets FP32 [-1,-1]", "per_sample_loss FP32 [-1]", "probabilities FP32 [-1,-1]",
                    "gradient FP32 [-1,-1]");
        }
    }

    @Test
    void theRepositoryIndexListsEveryLossAsAReadyModel() throws Exception {
        HttpResponse<byte[]> response = TritonHttpClient.post(port, "/v2/repository/index", new byte[0], null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode index = TritonHttpClient.JSON.readTree(response.body());
        assertThat(index.valueStream().map(model -> model.get("name").asString() + " " + model.get("version").asString()
                + " " + model.get("state").asString()).toList())
                .contains("cross-entropy 1 READY", "binary-cross-entropy 1 READY");
    }

    @Test
    void binaryCrossEntropyIsAModelWithItsOwnTensors() throws Exception {
        HttpResponse<String> response = TritonHttpClient.get(port, "/v2/models/binary-cross-entropy");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode metadata = TritonHttpClient.JSON.readTree(response.body());
        assertThat(tensors(metadata.get("inputs"))).containsExactly("logits FP32 [-1]", "targets FP32 [-1]",
                "pos_weight FP32 [-1]", "class_weights FP32 [-1]");
        assertThat(tensors(metadata.get("outputs"))).containsExactly("loss FP32 [-1]", "smoothed_targets FP32 [-1]",
                "element_loss FP32 [-1]", "probabilities FP32 [-1]", "gradient FP32 [-1]");
    }

    @Test
    void kDimensionalFp64InputsAreComputedAndAnsweredInFloat64() throws Exception {
        String json = """
                {"inputs": [
                  {"name": "logits", "datatype": "FP64", "shape": [1, 2, 2],
                   "data": [100000000.0, 0.0, 100000000.00000001490116119384765625, 1.0]},
                  {"name": "targets", "datatype": "INT32", "shape": [1, 2], "data": [1, 0]}],
                 "parameters": {"epsilon": 0.0, "reduction": "none"},
                 "outputs": [{"name": "per_sample_loss"}, {"name": "loss"}]}""";

        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, json.getBytes(StandardCharsets.UTF_8), null);

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        Result result = Result.of(response);
        assertThat(result.json().get("outputs").get(0).get("datatype").asString()).isEqualTo("FP64");
        assertThat(result.shapes().get("per_sample_loss")).containsExactly(1, 2);
        assertThat(result.shapes().get("loss")).as("no loss for reduction none").containsExactly(0);
        // Position 0: logits 1e8 and 1e8 + 2^-26... apart by 1.49e-8, target 1: log(1 + exp(-d)) with d = 1.49e-8
        double d = 100000000.00000001490116119384765625 - 100000000.0;
        double expected = Math.log1p(Math.exp(-d));
        assertThat(result.outputs().get("per_sample_loss")[0]).isCloseTo(expected,
                org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void theDtypeParameterDecidesThePrecision() throws Exception {
        String json = """
                {"inputs": [
                  {"name": "logits", "datatype": "FP32", "shape": [1, 3], "data": [1.0, 2.0, 3.0]},
                  {"name": "targets", "datatype": "INT64", "shape": [1], "data": [2]}],
                 "parameters": {"epsilon": 0.0, "dtype": "float64"},
                 "outputs": [{"name": "loss"}]}""";

        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, json.getBytes(StandardCharsets.UTF_8), null);

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        Result result = Result.of(response);
        assertThat(result.json().get("outputs").get(0).get("datatype").asString()).isEqualTo("FP64");
        assertThat(result.outputs().get("loss")[0]).isCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3,
                org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void nestedDataVersionedPathAndListedOutputsInRequestOrder() throws Exception {
        String json = """
                {"inputs": [
                  {"name": "targets", "datatype": "INT64", "shape": [2], "data": [2, 1]},
                  {"name": "logits", "datatype": "FP32", "shape": [2, 3], "data": [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]}],
                 "parameters": {"epsilon": 0.0, "reduction": "sum"},
                 "outputs": [{"name": "per_sample_loss"}, {"name": "loss"}]}""";

        HttpResponse<byte[]> response = TritonHttpClient.post(port, "/v2/models/cross-entropy/versions/1/infer",
                json.getBytes(StandardCharsets.UTF_8), null);

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        Result result = Result.of(response);
        assertThat(result.outputs().keySet()).containsExactly("per_sample_loss", "loss");
        assertThat(result.json().has("id")).isFalse();
        // log-softmax by hand: row 0 target 2, row 1 target 1
        double row0 = Math.log(Math.exp(1.0) + Math.exp(2.0) + Math.exp(0.5)) - 0.5;
        double row1 = Math.log(Math.exp(0.0) + Math.exp(-1.0) + Math.exp(3.0)) + 1.0;
        assertClose("per_sample_loss", new double[] {row0, row1}, result.outputs().get("per_sample_loss"));
        assertClose("loss", new double[] {row0 + row1}, result.outputs().get("loss"));
    }

    @Test
    void gzipCompressedBinaryRequestIsAccepted() throws Exception {
        Body body = TritonHttpClient.body("", List.of(
                new Input("logits", new long[] {1, 3}, "FP32", new double[] {1, 2, 3}, true),
                new Input("targets", new long[] {1}, "INT64", new double[] {2}, true)), null, Map.of("epsilon", 0.0));
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write(body.bytes());
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + INFER))
                .header("Inference-Header-Content-Length", String.valueOf(body.jsonSize()))
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(compressed.toByteArray())).build();

        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        double expected = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
        assertClose("loss", new double[] {expected}, Result.of(response).outputs().get("loss"));
    }

    @Test
    void jsonBodyUnderAnyContentTypeIsRead() throws Exception {
        // curl -d sends application/x-www-form-urlencoded; the body must still be read as the inference request.
        String json = "{\"inputs\":[{\"name\":\"logits\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[0,0]},"
                + "{\"name\":\"targets\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1]}],"
                + "\"parameters\":{\"epsilon\":0},\"outputs\":[{\"name\":\"loss\"}]}";
        for (String type : List.of("application/x-www-form-urlencoded", "application/json", "application/octet-stream")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + INFER))
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(json)).build();

            HttpResponse<byte[]> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofByteArray());

            assertThat(response.statusCode()).as(type + ": " + text(response)).isEqualTo(200);
            assertClose("loss", new double[] {Math.log(2)}, Result.of(response).outputs().get("loss"));
        }
    }

    // ---- errors --------------------------------------------------------------------------------------

    static Stream<Arguments> invalidRequests() {
        Input logits = new Input("logits", new long[] {2, 3}, "FP32", new double[] {1, 2, 3, 4, 5, 6}, true);
        Input targets = new Input("targets", new long[] {2}, "INT64", new double[] {0, 2}, true);
        Body valid = TritonHttpClient.body("", List.of(logits, targets), null, Map.of());
        byte[] validJson = java.util.Arrays.copyOf(valid.bytes(), valid.jsonSize());
        return Stream.of(
                Arguments.of("class indices as floating point", TritonHttpClient.body("", List.of(logits,
                        new Input("targets", new long[] {2}, "FP32", new double[] {0, 2}, true)), null, Map.of()),
                        "class indices must be integers (INT64 or INT32), found FP32"),
                Arguments.of("unsupported datatype", raw("""
                        {"inputs":[{"name":"logits","shape":[1,2],"datatype":"BYTES","data":[1,2]}]}"""),
                        "not supported"),
                Arguments.of("targets shape disagrees with logits", TritonHttpClient.body("", List.of(logits,
                        new Input("targets", new long[] {3}, "INT64", new double[] {0, 1, 2}, true)), null, Map.of()),
                        "input targets: has 3 entries, expected 2"),
                Arguments.of("JSON data does not fit the shape", TritonHttpClient.body("", List.of(
                        new Input("logits", new long[] {2, 2}, "FP32", new double[] {1, 2, 3, 4, 5, 6}, false),
                        targets), null, Map.of()), "has 6 elements"),
                Arguments.of("binary_data_size disagrees with the shape", raw(
                        "{\"inputs\":[{\"name\":\"logits\",\"shape\":[2,3],\"datatype\":\"FP32\","
                                + "\"parameters\":{\"binary_data_size\":20}}]}", new byte[20]),
                        "binary_data_size"),
                Arguments.of("body shorter than the binary sizes", new Body(
                        java.util.Arrays.copyOf(valid.bytes(), valid.bytes().length - 4), valid.jsonSize()),
                        "binary_data_size parameters"),
                Arguments.of("missing targets", TritonHttpClient.body("", List.of(logits), null, Map.of()),
                        "input targets: is required"),
                Arguments.of("header length beyond the body", new Body(valid.bytes(), valid.bytes().length + 1),
                        "Inference-Header-Content-Length"),
                Arguments.of("header length cutting the JSON short", new Body(valid.bytes(), valid.jsonSize() - 5),
                        "Inference-Header-Content-Length"),
                Arguments.of("binary inputs without the header", new Body(valid.bytes(), null),
                        "must be announced with the Inference-Header-Content-Length header"),
                Arguments.of("header length on a JSON-only body with trailing bytes",
                        new Body(concat(validJson, new byte[3]), validJson.length), "add up to"),
                Arguments.of("unknown output", TritonHttpClient.body("", List.of(logits, targets),
                        List.of(new Output("hidden_state", true)), Map.of()), "unknown output"),
                Arguments.of("unknown input", TritonHttpClient.body("", List.of(logits, targets,
                        new Input("labels", new long[] {2}, "INT64", new double[] {0, 1}, false)), null, Map.of()),
                        "unknown input"),
                Arguments.of("class index out of range", TritonHttpClient.body("", List.of(logits,
                        new Input("targets", new long[] {2}, "INT64", new double[] {0, 3}, true)), null, Map.of()),
                        "class index 3 is outside [0, 3)"),
                Arguments.of("NaN logit in binary", TritonHttpClient.body("", List.of(
                        new Input("logits", new long[] {2, 3}, "FP32", new double[] {1, Double.NaN, 3, 4, 5, 6}, true),
                        targets), null, Map.of()), "logits[0][1]"),
                Arguments.of("FP64 logit beyond float32 in a float32 computation", TritonHttpClient.body("", List.of(
                        new Input("logits", new long[] {2, 3}, "FP64", new double[] {1, 1e39, 3, 4, 5, 6}, true),
                        targets), null, Map.of("dtype", "float32")), "input logits[0][1]: is beyond the float32 range"),
                Arguments.of("FP32 JSON data beyond float32", raw("""
                        {"inputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","data":[1e39,2]},
                        {"name":"targets","shape":[1],"datatype":"INT64","data":[0]}]}"""), "does not fit FP32"),
                Arguments.of("negative probability", TritonHttpClient.body("", List.of(logits,
                        new Input("targets", new long[] {2, 3}, "FP32", new double[] {1, 0, 0, -0.5, 1, 0}, true)),
                        null, Map.of()), "a probability must be >= 0"),
                Arguments.of("epsilon out of range", TritonHttpClient.body("", List.of(logits, targets), null,
                        Map.of("epsilon", 1.5)), "must be in [0, 1]"),
                Arguments.of("unknown parameter", TritonHttpClient.body("", List.of(logits, targets), null,
                        Map.of("temperature", 2)), "unknown parameter"),
                Arguments.of("num_classes other than C", TritonHttpClient.body("", List.of(logits, targets), null,
                        Map.of("num_classes", 4)), "must equal the number of classes in logits (3, dimension 1), found 4"),
                Arguments.of("tensors of shape []", TritonHttpClient.body("", List.of(
                        new Input("logits", new long[] {}, "FP32", new double[] {0.5}, true),
                        new Input("targets", new long[] {}, "INT64", new double[] {0}, true)), null, Map.of()),
                        "input logits: expected numbers of shape [N, C, d1..d3], found a single number (shape [])"),
                Arguments.of("an input's field given twice", raw("""
                        {"inputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","data":[9,9],"data":[1,2]},
                        {"name":"targets","shape":[1],"datatype":"INT64","data":[0]}]}"""),
                        "/inputs/0/data: appears more than once"),
                Arguments.of("an output's name given twice", raw("""
                        {"inputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","data":[1,2]},
                        {"name":"targets","shape":[1],"datatype":"INT64","data":[0]}],
                        "outputs":[{"name":"loss","name":"gradient"}]}"""), "/outputs/0/name: appears more than once"),
                Arguments.of("a parameter given twice", raw("""
                        {"parameters":{"binary_data_output":false,"binary_data_output":true},
                        "inputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","data":[1,2]},
                        {"name":"targets","shape":[1],"datatype":"INT64","data":[0]}]}"""),
                        "/parameters/binary_data_output: appears more than once"),
                Arguments.of("an unknown parameter set to null", TritonHttpClient.body("", List.of(logits, targets),
                        null, java.util.Collections.singletonMap("temperature", null)),
                        "/parameters/temperature: unknown parameter"),
                Arguments.of("the body names another model", raw("""
                        {"model_name":"focal","inputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","data":[1,2]},
                        {"name":"targets","shape":[1],"datatype":"INT64","data":[0]}]}"""),
                        "/model_name: is \"focal\", but this is the model \"cross-entropy\""),
                Arguments.of("the body names another version", raw("""
                        {"model_version":"2","inputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","data":[1,2]},
                        {"name":"targets","shape":[1],"datatype":"INT64","data":[0]}]}"""),
                        "/model_version: is \"2\", but this is the version \"1\""),
                Arguments.of("malformed JSON", raw("{\"inputs\": [}"), "not well-formed JSON"));
    }

    /**
     * An undefined loss (reduction none) as the last binary output has no bytes: the answer ends with the one before
     * it, and nothing is written after the Content-Length is reached (which failed, and logged a warning, before).
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void anEmptyLastBinaryOutputEndsTheAnswerCleanly(CapturedOutput log) throws Exception {
        Input logits = new Input("logits", new long[] {2, 3}, "FP32", new double[] {2, 1, 0.1, 0.5, 2.5, -1}, true);
        Input targets = new Input("targets", new long[] {2}, "INT64", new double[] {0, 1}, true);

        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, TritonHttpClient.body("",
                List.of(logits, targets), List.of(new Output("per_sample_loss", true), new Output("loss", true)),
                Map.of("reduction", "none")));

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        Result result = Result.of(response);
        assertThat(result.outputs().get("loss")).isEmpty();
        assertThat(result.outputs().get("per_sample_loss")).hasSize(2);
        Thread.sleep(200); // the warning came after the answer
        assertThat(log.getAll()).doesNotContain("Failure in @ExceptionHandler").doesNotContain("may not be written");
    }

    /** The reading goes on after a shape of too many dimensions: the next input is read as the next input. */
    @Test
    void aShapeOfTooManyDimensionsIsTheOneViolation() throws Exception {
        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, raw("""
                {"inputs":[{"name":"logits","datatype":"FP32","shape":[1,1,1,1,1,1,1,1,2],"data":[1,2]},
                {"name":"targets","shape":[1],"datatype":"INT64","data":[0]}]}"""));

        assertError(response, 400, "has more than 8 dimensions");
        assertThat(text(response)).doesNotContain("/inputs/1").doesNotContain("rules");
    }

    /** As on the JSON endpoints, a bad value in JSON data hides no other rule broken: every one is in the message. */
    @Test
    void aBadValueInJsonDataHidesNoOtherViolation() throws Exception {
        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, raw("""
                {"inputs":[{"name":"logits","shape":[2,3],"datatype":"FP32","data":[0.5,"NaN",2,1,1e39,3]},
                {"name":"targets","shape":[2],"datatype":"INT64","data":[7,1.5]},
                {"name":"class_weights","shape":[3],"datatype":"FP32","data":[1,-1,1]}],
                "parameters":{"epsilon":2}}"""));

        assertError(response, 400, "The request breaks 6 rules");
        assertThat(text(response)).contains("/inputs/0/data/1: expected a number, found the string",
                "/inputs/0/data/4: does not fit FP32", "/inputs/1/data/1: an INT64 element must be a JSON integer",
                "parameter epsilon: must be in [0, 1]", "input class_weights[1]",
                "input targets[0]: class index 7 is outside [0, 3)");
    }

    /** A body may name the model and version of its path, as the gRPC form's message does. */
    @Test
    void aBodyNamingItsOwnModelIsAnswered() throws Exception {
        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, raw("""
                {"model_name":"cross-entropy","model_version":"1",
                "inputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","data":[0,0]},
                {"name":"targets","shape":[1],"datatype":"INT64","data":[0]}],"outputs":[{"name":"loss"}],
                "parameters":{"epsilon":0}}"""));

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        assertClose("loss", new double[] {Math.log(2)}, Result.of(response).outputs().get("loss"));
    }

    /** {@code null} means the parameter's default, as on the JSON endpoints. */
    @Test
    void aParameterOfTheLossSetToNullTakesItsDefault() throws Exception {
        Input logits = new Input("logits", new long[] {1, 2}, "FP32", new double[] {0, 0}, false);
        Input targets = new Input("targets", new long[] {1}, "INT64", new double[] {0}, false);
        Map<String, Object> parameters = new java.util.HashMap<>();
        parameters.put("epsilon", null);
        parameters.put("reduction", null);
        parameters.put("dtype", null);

        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, TritonHttpClient.body("",
                List.of(logits, targets), List.of(new Output("loss", false)), parameters));

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        assertClose("loss", new double[] {Math.log(2)}, Result.of(response).outputs().get("loss"));
        assertThat(text(response)).contains("\"FP32\"");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void invalidRequestGetsA400WithAnError(String name, Body body, String expectedInMessage) throws Exception {
        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, body);

        assertError(response, 400, expectedInMessage);
    }

    @Test
    void badInferenceHeaderContentLengthValueGetsA400() throws Exception {
        HttpResponse<byte[]> response = TritonHttpClient.post(port, INFER, "{\"inputs\":[]}".getBytes(), "twelve");

        assertError(response, 400, "must be a positive integer");
    }

    @Test
    void unknownModelAndVersionGet404AndWrongMethodGets405() throws Exception {
        Body body = TritonHttpClient.body("", List.of(), null, Map.of());
        assertError(TritonHttpClient.post(port, "/v2/models/resnet50/infer", body), 404, "Unknown model");
        assertError(TritonHttpClient.post(port, "/v2/models/cross-entropy/versions/7/infer", body), 404,
                "no version");
        HttpResponse<String> get = TritonHttpClient.get(port, INFER);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(TritonHttpClient.JSON.readTree(get.body()).get("error").asString()).contains("POST");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET, /v2", "GET, /v2/models/cross-entropy", "GET, /v2/models/focal/versions/1",
            "POST, /v2/repository/index"})
    void anAcceptThatExcludesJsonGets406NotA405(String method, String path) throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + path)).header("Accept", "text/html")
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertError(response, 406, "Accept");
    }

    private static void assertError(HttpResponse<byte[]> response, int status, String expectedInMessage) {
        String body = text(response);
        assertThat(response.statusCode()).as(body).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = TritonHttpClient.JSON.readTree(body);
        assertThat(error.propertyNames()).containsExactly("error");
        assertThat(error.get("error").asString()).contains(expectedInMessage.replace("\\\"", "\""));
        assertThat(body).doesNotContain("Exception", "jackson", "springframework", "nd4j", "\tat ");
    }

    // ---- oracle cases as tensors ------------------------------------------------------------------------

    private static List<Input> inputs(JsonNode request, Mode mode) {
        JsonNode logits = request.get("logits");
        int n = logits.size();
        int c = logits.get(0).size();
        List<Input> inputs = new ArrayList<>();
        inputs.add(new Input("logits", new long[] {n, c}, mode == Mode.BINARY_IN_BINARY_OUT ? "FP64" : "FP32",
                NestedArrays.flat(logits), mode != Mode.JSON_ONLY));
        JsonNode targets = request.get("targets");
        boolean targetsBinary = mode == Mode.BINARY_IN_BINARY_OUT || mode == Mode.BINARY_IN_JSON_OUT;
        if (targets.get(0).isArray()) {
            inputs.add(new Input("targets", new long[] {n, c}, "FP32", NestedArrays.flat(targets), targetsBinary));
        } else {
            inputs.add(new Input("targets", new long[] {n}, mode == Mode.BINARY_IN_JSON_OUT ? "INT32" : "INT64",
                    NestedArrays.flat(targets), targetsBinary));
        }
        JsonNode weights = request.get("classWeights");
        if (weights != null && !weights.isNull()) {
            inputs.add(new Input("class_weights", new long[] {c}, "FP32", NestedArrays.flat(weights), targetsBinary));
        }
        return inputs;
    }

    private static List<Output> outputs(Mode mode) {
        return switch (mode) {
            case BINARY_IN_BINARY_OUT -> null;
            case JSON_ONLY, BINARY_IN_JSON_OUT -> OUTPUTS.stream().map(name -> new Output(name, false)).toList();
            case MIXED -> {
                List<Output> outputs = new ArrayList<>();
                for (int i = 0; i < OUTPUTS.size(); i++) {
                    outputs.add(new Output(OUTPUTS.get(i), i % 2 == 0));
                }
                yield outputs;
            }
        };
    }

    private static Map<String, Object> parameters(JsonNode request) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (request.has("epsilon") && !request.get("epsilon").isNull()) {
            parameters.put("epsilon", request.get("epsilon").doubleValue());
        }
        if (request.has("labelSmooth") && !request.get("labelSmooth").isNull()) {
            parameters.put("label_smooth", request.get("labelSmooth").booleanValue());
        }
        if (request.has("reduction") && !request.get("reduction").isNull()) {
            parameters.put("reduction", request.get("reduction").asString());
        }
        if (request.has("ignoreIndex") && !request.get("ignoreIndex").isNull()) {
            parameters.put("ignore_index", request.get("ignoreIndex").longValue());
        }
        if (request.has("numClasses") && !request.get("numClasses").isNull()) {
            parameters.put("num_classes", request.get("numClasses").longValue());
        }
        return parameters;
    }

    private static void assertMatchesOracle(JsonNode oracleCase, Result result) {
        JsonNode expected = oracleCase.get("expected");
        JsonNode loss = expected.get("loss");
        boolean lossUndefined = loss == null || loss.isNull() || loss.isString();
        if (lossUndefined) {
            assertThat(result.shapes().get("loss")).as("an undefined loss has no elements").containsExactly(0);
        } else {
            assertThat(result.shapes().get("loss")).containsExactly(1);
            assertClose("loss", new double[] {loss.doubleValue()}, result.outputs().get("loss"));
        }
        int n = expected.get("batchSize").intValue();
        int c = expected.get("numClasses").intValue();
        boolean meanUndefined = loss != null && loss.isString();
        for (String output : OUTPUTS.subList(1, OUTPUTS.size())) {
            if (output.equals("gradient") && meanUndefined) {
                assertThat(result.shapes().get(output)).as("gradient of an undefined loss").containsExactly(0);
                continue;
            }
            long[] shape = output.equals("per_sample_loss") ? new long[] {n} : new long[] {n, c};
            assertThat(result.shapes().get(output)).as(output + " shape").containsExactly(shape);
            assertClose(output, NestedArrays.flat(expected.get(EXPECTED_FIELD.get(output))), result.outputs().get(output));
        }
    }

    private static void assertClose(String name, double[] expected, double[] actual) {
        assertThat(actual).as(name + " length").hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = ATOL + RTOL * Math.abs(expected[i]);
            if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                fail(name + "[" + i + "]: expected " + expected[i] + " +- " + tolerance + ", got " + actual[i]);
            }
        }
    }

    private static List<JsonNode> oracleCases() {
        try (InputStream in = InferenceProtocolHttpTests.class.getResourceAsStream("/oracle/cases.json")) {
            List<JsonNode> cases = new ArrayList<>();
            TritonHttpClient.JSON.readTree(in).get("cases").forEach(cases::add);
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> tensors(JsonNode tensors) {
        return tensors.valueStream().map(t -> t.get("name").asString() + " " + t.get("datatype").asString() + " "
                + t.get("shape").toString()).toList();
    }

    private static Body raw(String json, byte[]... binary) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        if (binary.length == 0) {
            return new Body(header, null);
        }
        return new Body(concat(header, binary[0]), header.length);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
