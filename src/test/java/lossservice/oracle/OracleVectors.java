package lossservice.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The PyTorch oracle's vectors (src/test/resources/oracle) and how a response is judged against them:
 * every element within {@code 1e-6 + 1e-5 |expected|} of the float64 expectation, or within
 * {@code 1e-12 + 1e-10 |expected|} for a request with {@code "dtype": "float64"}.
 */
public final class OracleVectors {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final double ATOL = 1e-6;
    public static final double RTOL = 1e-5;
    public static final double ATOL_FLOAT64 = 1e-12;
    public static final double RTOL_FLOAT64 = 1e-10;
    public static final String CROSS_ENTROPY = "/v1/losses/cross-entropy";
    public static final String BINARY_CROSS_ENTROPY = "/v1/losses/binary-cross-entropy";

    /**
     * What the contract says of each endpoint's optional arrays: all of them (a valid case asks for every one), the
     * one reduction "none" always returns, and those a request without {@code include} gets.
     */
    public record Endpoint(List<String> outputs, String unreduced, List<String> defaults) {
    }

    public static final Map<String, Endpoint> ENDPOINTS = Map.of(
            CROSS_ENTROPY, new Endpoint(List.of("smoothedTargets", "perSampleLoss", "probabilities", "gradient"),
                    "perSampleLoss", List.of("smoothedTargets")),
            BINARY_CROSS_ENTROPY, new Endpoint(List.of("smoothedTargets", "elementLoss", "probabilities", "gradient"),
                    "elementLoss", List.of("smoothedTargets")),
            "/v1/losses/nll", new Endpoint(List.of("perSampleLoss", "gradient"), "perSampleLoss", List.of()),
            "/v1/losses/kl-divergence", new Endpoint(List.of("teacherProbabilities", "studentProbabilities",
                    "perSampleLoss", "gradient"), "perSampleLoss", List.of("teacherProbabilities")),
            "/v1/losses/focal", new Endpoint(List.of("smoothedTargets", "perSampleLoss", "probabilities", "gradient"),
                    "perSampleLoss", List.of("smoothedTargets")),
            "/v1/losses/sigmoid-focal", new Endpoint(List.of("smoothedTargets", "elementLoss", "probabilities",
                    "gradient"), "elementLoss", List.of("smoothedTargets")));

    /** Fields of an expectation compared exactly; every other number is an echoed scalar, within 1e-9. */
    private static final Set<String> EXACT = Set.of("batchSize", "numClasses", "ignoreIndex", "shape", "dtype",
            "reduction");

    /** One oracle case: its name, the request, and what PyTorch says. */
    public record Case(String name, JsonNode node) {

        /** The path the case is posted to. */
        public String endpoint() {
            return node.has("endpoint") ? node.get("endpoint").asString() : CROSS_ENTROPY;
        }

        /** The optional outputs of the case's endpoint. */
        public List<String> allOutputs() {
            return ENDPOINTS.get(endpoint()).outputs();
        }

        /** The output that reduction "none" always returns. */
        String unreducedOutput() {
            return ENDPOINTS.get(endpoint()).unreduced();
        }

        public boolean isFloat64() {
            JsonNode request = node.get("request");
            return request != null && request.isObject() && request.has("dtype")
                    && "float64".equals(request.get("dtype").asString(""));
        }

        public int expectedStatus() {
            return node.get("expected_status").intValue();
        }

        public boolean isValid() {
            return expectedStatus() == 200;
        }

        /**
         * Cases named "as_is_*" or marked {@code send_as_is} test the defaults and are sent unchanged; the others ask
         * for every output.
         */
        public boolean sentAsIs() {
            return name.startsWith("as_is") || node.path("send_as_is").asBoolean(false);
        }

        /** The request as the case gives it (null for a raw body). */
        public JsonNode request() {
            return node.get("request");
        }

        /** The outputs a valid case's response must hold (and no others). */
        public List<String> requestedOutputs() {
            return OracleVectors.requestedOutputs(this, request());
        }

        /** The body to send: the raw text when the case has one, else the request as JSON. */
        public String body() {
            if (node.has("raw_body")) {
                return node.get("raw_body").asString();
            }
            JsonNode request = node.get("request").deepCopy();
            if (isValid() && !sentAsIs() && request instanceof ObjectNode object && !object.has("include")) {
                ArrayNode include = object.putArray("include");
                allOutputs().forEach(include::add);
            }
            return JSON.writeValueAsString(request);
        }

        public String contentType() {
            return node.has("content_type") ? node.get("content_type").asString() : "application/json";
        }

        public String pointer() {
            return node.has("pointer") ? node.get("pointer").asString() : null;
        }

        public JsonNode expected() {
            return node.get("expected");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private OracleVectors() {
    }

    public static List<Case> load(String file) {
        try (InputStream in = OracleVectors.class.getResourceAsStream("/oracle/" + file)) {
            JsonNode root = JSON.readTree(in);
            List<Case> cases = new ArrayList<>();
            for (JsonNode node : root.get("cases")) {
                cases.add(new Case(node.get("name").asString(), node));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of every vector file in the test resources' {@code oracle/} folder, whatever loss it is of. */
    public static List<String> files() {
        try {
            java.nio.file.Path folder = java.nio.file.Path.of(OracleVectors.class.getResource("/oracle").toURI());
            try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.list(folder)) {
                return paths.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".json"))
                        .sorted().toList();
            }
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot list the oracle vectors", e);
        }
    }

    /** Every valid case of every vector file. */
    public static List<Case> allValid() {
        return valid(files().toArray(String[]::new));
    }

    /** Every invalid case of every vector file. */
    public static List<Case> allInvalid() {
        return invalid(files().toArray(String[]::new));
    }

    public static List<Case> valid(String... files) {
        List<Case> cases = new ArrayList<>();
        for (String file : files) {
            load(file).stream().filter(Case::isValid).forEach(cases::add);
        }
        return cases;
    }

    public static List<Case> invalid(String... files) {
        List<Case> cases = new ArrayList<>();
        for (String file : files) {
            load(file).stream().filter(c -> !c.isValid()).forEach(cases::add);
        }
        return cases;
    }

    /** Asserts that a 200 response body of the JSON endpoint agrees with the oracle for this case. */
    public static void assertMatches(Case oracleCase, JsonNode actual) {
        assertMatches(oracleCase, actual, oracleCase.requestedOutputs(), true);
    }

    /**
     * Asserts that a response agrees with the oracle for this case: the loss and exactly {@code requested} of the
     * endpoint's outputs, and the echoed scalars when {@code echoes} (the protocol's responses have none).
     */
    public static void assertMatches(Case oracleCase, JsonNode actual, List<String> requested, boolean echoes) {
        JsonNode expected = oracleCase.expected();
        Tolerance tolerance = oracleCase.isFloat64() ? new Tolerance(ATOL_FLOAT64, RTOL_FLOAT64)
                : new Tolerance(ATOL, RTOL);
        List<String> outputs = oracleCase.allOutputs();
        for (Map.Entry<String, JsonNode> field : expected.properties()) {
            String name = field.getKey();
            if (name.equals("loss") || outputs.contains(name) || !echoes) {
                continue;
            }
            assertThat(actual.get(name)).as(name + " is echoed").isNotNull();
            if (EXACT.contains(name) || !field.getValue().isNumber()) {
                assertThat(actual.get(name).toString()).as(name).isEqualTo(field.getValue().toString());
            } else {
                assertThat(actual.get(name).doubleValue()).as(name)
                        .isCloseTo(field.getValue().doubleValue(), org.assertj.core.data.Offset.offset(1e-9));
            }
        }
        if (echoes) {
            assertThat(actual.path("backend").asString()).as("backend").isIn("cpu", "cuda");
        }

        assertThat(actual.has("loss")).as("loss is always present").isTrue();
        boolean lossUndefined = isNaN(expected.get("loss"));
        if (expected.get("loss").isNull() || lossUndefined) {
            assertThat(actual.get("loss").isNull()).as("loss is null").isTrue();
        } else {
            assertClose("loss", expected.get("loss"), actual.get("loss"), tolerance);
        }

        for (String output : outputs) {
            if (!requested.contains(output)) {
                assertThat(actual.has(output)).as(output + " was not requested").isFalse();
                continue;
            }
            assertThat(actual.has(output)).as(output + " was requested").isTrue();
            if (output.equals("gradient") && lossUndefined) {
                assertThat(actual.get(output).isNull()).as("gradient of an undefined loss is null").isTrue();
                continue;
            }
            assertClose(output, expected.get(output), actual.get(output), tolerance);
        }
    }

    private static List<String> requestedOutputs(Case oracleCase, JsonNode request) {
        boolean asIs = oracleCase.sentAsIs();
        List<String> requested = new ArrayList<>();
        if (!asIs || !request.has("include")) {
            if (asIs) {
                requested.addAll(ENDPOINTS.get(oracleCase.endpoint()).defaults());
            } else {
                requested.addAll(oracleCase.allOutputs());
            }
        } else {
            request.get("include").forEach(name -> requested.add(name.asString()));
        }
        JsonNode reduction = request.get("reduction");
        if (reduction != null && "none".equals(reduction.asString())
                && !requested.contains(oracleCase.unreducedOutput())) {
            requested.add(oracleCase.unreducedOutput());
        }
        return requested;
    }

    private static boolean isNaN(JsonNode node) {
        return node != null && node.isString() && node.asString().equals("NaN");
    }

    /** {@code |actual - expected| <= atol + rtol |expected|}. */
    public record Tolerance(double atol, double rtol) {
    }

    /**
     * A documented answer against the service's: the same fields, arrays, texts and integers, and the other numbers
     * within the float32 tolerance. The last bits of a float32 computation differ between CPUs (ND4J and OpenBLAS
     * choose their kernels by the instruction set: a gradient of an example written on an Intel machine came out one
     * or two units in the last place apart on an AMD one), so an example is its answer to float precision, not to
     * the bit.
     */
    public static void assertSameDocument(String path, JsonNode expected, JsonNode actual) {
        if (expected.isObject()) {
            assertThat(actual.isObject()).as(path + " is an object, found " + actual).isTrue();
            assertThat(actual.propertyNames()).as(path + " fields").containsExactlyInAnyOrderElementsOf(
                    expected.propertyNames());
            for (Map.Entry<String, JsonNode> field : expected.properties()) {
                assertSameDocument(path + "/" + field.getKey(), field.getValue(), actual.get(field.getKey()));
            }
        } else if (expected.isArray()) {
            assertThat(actual.isArray()).as(path + " is an array, found " + actual).isTrue();
            assertThat(actual.size()).as(path + " length").isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertSameDocument(path + "/" + i, expected.get(i), actual.get(i));
            }
        } else if (expected.isFloatingPointNumber() || (expected.isNumber() && !actual.isIntegralNumber())) {
            assertClose(path, expected, actual);
        } else {
            assertThat(actual).as(path).isEqualTo(expected);
        }
    }

    /** Element-wise comparison of numbers or nested arrays of numbers, at the float32 tolerance. */
    public static void assertClose(String path, JsonNode expected, JsonNode actual) {
        assertClose(path, expected, actual, new Tolerance(ATOL, RTOL));
    }

    /** Element-wise comparison of numbers or nested arrays of numbers. */
    public static void assertClose(String path, JsonNode expected, JsonNode actual, Tolerance tolerance) {
        if (expected.isArray()) {
            assertThat(actual.isArray()).as(path + " is an array").isTrue();
            assertThat(actual.size()).as(path + " length").isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertClose(path + "/" + i, expected.get(i), actual.get(i), tolerance);
            }
            return;
        }
        if (isNaN(expected)) {
            fail(path + ": the oracle has NaN here, which no response may hold");
        }
        assertThat(actual.isNumber()).as(path + " is a number, found " + actual).isTrue();
        double want = expected.doubleValue();
        double got = actual.doubleValue();
        double allowed = tolerance.atol() + tolerance.rtol() * Math.abs(want);
        if (!(Math.abs(got - want) <= allowed)) {
            fail(path + ": expected " + want + " +- " + allowed + ", got " + got);
        }
    }
}
