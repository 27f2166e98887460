package lossservice.losses.sigmoidfocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import lossservice.loss.Example;
import lossservice.losses.binarycrossentropy.BinaryCrossEntropy;
import lossservice.oracle.OracleVectors;
import lossservice.rest.LocalEndpoint;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The maths of the sigmoid focal loss through its JSON endpoint without HTTP. */
class SigmoidFocalTests {

    private static final List<String> ALL_OUTPUTS = List.of("smoothedTargets", "elementLoss", "probabilities",
            "gradient");
    private static final LocalEndpoint SIGMOID_FOCAL = new LocalEndpoint(new SigmoidFocal());
    private static final LocalEndpoint BINARY_CROSS_ENTROPY = new LocalEndpoint(new BinaryCrossEntropy());

    @AfterAll
    static void close() {
        SIGMOID_FOCAL.close();
        BINARY_CROSS_ENTROPY.close();
    }

    @Test
    void everyExampleIsAnsweredAsItsDocumentSays() {
        List<Example> examples = new SigmoidFocal().examples();
        assertThat(examples).hasSizeGreaterThanOrEqualTo(2);
        assertThat(examples.get(0).request()).doesNotContain("alpha", "gamma", "epsilon");
        for (Example example : examples) {
            OracleVectors.assertSameDocument(example.name(), LocalEndpoint.JSON.readTree(example.response()),
                    SIGMOID_FOCAL.post(example.request()));
        }
    }

    static Stream<OracleVectors.Case> binaryCrossEntropyCasesWithoutWeights() {
        return OracleVectors.valid("bce.json").stream()
                .filter(oracleCase -> !oracleCase.request().has("posWeight")
                        && !oracleCase.request().has("classWeights"));
    }

    /** Alpha -1 (no weighting) and gamma 0 is binary cross-entropy in every number: each vector, posted to both. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryCrossEntropyCasesWithoutWeights")
    void alphaOffAndGammaZeroIsBinaryCrossEntropy(OracleVectors.Case oracleCase) {
        ObjectNode binaryCrossEntropy = (ObjectNode) oracleCase.request().deepCopy();
        includeAll(binaryCrossEntropy);
        ObjectNode sigmoidFocal = binaryCrossEntropy.deepCopy();
        JsonNode epsilon = sigmoidFocal.get("epsilon");
        sigmoidFocal.put("epsilon", epsilon == null || epsilon.isNull() ? 0.0 : epsilon.doubleValue());
        sigmoidFocal.put("alpha", -1.0);
        sigmoidFocal.put("gamma", 0.0);

        JsonNode expected = BINARY_CROSS_ENTROPY.post(binaryCrossEntropy.toString());
        JsonNode actual = SIGMOID_FOCAL.post(sigmoidFocal.toString());

        OracleVectors.Tolerance tolerance = tolerance(oracleCase.isFloat64());
        if (expected.get("loss").isNull()) {
            assertThat(actual.get("loss").isNull()).isTrue();
        } else {
            OracleVectors.assertClose("loss", expected.get("loss"), actual.get("loss"), tolerance);
        }
        for (String output : ALL_OUTPUTS) {
            OracleVectors.assertClose(output, expected.get(output), actual.get(output), tolerance);
        }
    }

    static Stream<Arguments> randomRequests() {
        List<Arguments> requests = new ArrayList<>();
        Random random = new Random(20240611);
        double[] alphas = {0.25, -1, 0, 1, 0.5, -0.0, 0.9};
        double[] gammas = {2, 0, 0.5, 1, 3, 0.25};
        double[] epsilons = {0, 0.1, 1, 1.0 / 3};
        for (int i = 0; i < 24; i++) {
            int rank = 1 + random.nextInt(i % 6 == 5 ? 8 : 3);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + random.nextInt(rank > 3 ? 2 : 5);
            }
            String reduction = List.of("mean", "sum", "none").get(i % 3 == 0 ? 0 : random.nextInt(3));
            requests.add(Arguments.of("random_" + i, request(random, shape, i % 2 == 0,
                    alphas[i % alphas.length], gammas[i % gammas.length], epsilons[random.nextInt(epsilons.length)],
                    i % 5 == 4 ? 40 : 4, reduction, i % 3 == 0)));
        }
        return requests.stream();
    }

    /** Other shapes (1 to 8 dimensions), seeds, alphas, gammas and smoothings, against the formulas in double. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("randomRequests")
    void matchesTheFormulas(String name, ObjectNode request) {
        assertMatchesReference(request);
    }

    /**
     * Saturated logits with hard targets: {@code 1 - p_t} is tiny or underflows to 0, and the focal factor and its
     * derivative take their limits, also for gamma below 1, in both precisions; nothing is NaN.
     */
    @ParameterizedTest(name = "gamma {0}")
    @ValueSource(doubles = {0, 0.25, 0.5, 0.999, 1, 2, 5})
    void saturatedLogitsTakeTheLimits(double gamma) {
        double[] logits = {1e4, -1e4, 1e4, -1e4, 120, -120, 30, -30, 17, -17, 800, -800};
        double[] targets = {1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0};
        for (String dtype : List.of("float32", "float64")) {
            for (double epsilon : new double[] {0, 0.1}) {
                for (double alpha : new double[] {0.25, -1}) {
                    double[] used = logits.clone();
                    if (dtype.equals("float32")) {
                        used[10] = 80;
                        used[11] = -80;
                    }
                    assertMatchesReference(request(new int[] {used.length}, used, targets, alpha, gamma, epsilon,
                            "sum", dtype));
                }
            }
        }
    }

    /** Logits of +-1e4 and around -3e4 in float32 and float64: softplus forms, no overflow, no cancellation. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"float32", "float64"})
    void stableForHugeLogits(String dtype) {
        double[] logits = {1e4, -1e4, -3e4 + 0.5, -3e4 - 1.25, 3e4, 0.75, -2.5, 1e4, -1e4};
        double[] targets = {0.25, 0.75, 1, 0, 0.5, 0.3, 1, 1, 0};
        for (double gamma : new double[] {0, 0.5, 2}) {
            assertMatchesReference(request(new int[] {3, 3}, logits, targets, 0.25, gamma, 0.1, "mean", dtype));
            assertMatchesReference(request(new int[] {9}, logits, targets, -1, gamma, 0, "none", dtype));
        }
    }

    /**
     * Logits of +-1e30 in float32: a wrong side costs a ce of 1e30 with the factor 1 and the alpha weight, a right
     * side 0; the gradient is the weighted (s - t') / 4, and 0 where u underflowed.
     */
    @Test
    void logitsOfPlusMinus1e30StayFinite() {
        JsonNode result = SIGMOID_FOCAL.post(request(new int[] {4}, new double[] {1e30, -1e30, 1e30, -1e30},
                new double[] {0, 1, 1, 0}, 0.25, 2, 0, "mean", "float32").toString());
        OracleVectors.assertClose("elementLoss", LocalEndpoint.JSON.readTree("[7.5e29, 2.5e29, 0, 0]"),
                result.get("elementLoss"));
        OracleVectors.assertClose("loss", LocalEndpoint.JSON.readTree("2.5e29"), result.get("loss"));
        OracleVectors.assertClose("gradient", LocalEndpoint.JSON.readTree("[0.1875, -0.0625, 0, 0]"),
                result.get("gradient"));
    }

    @Test
    void aResultBeyondFloat32IsRefused() {
        ObjectNode request = request(new int[] {2}, new double[] {3e38, 3e38}, new double[] {0, 0}, -1, 2, 0, "sum",
                "float32");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SIGMOID_FOCAL.post(request.toString()))
                .isInstanceOf(lossservice.problem.ResultOutOfRangeException.class);
        request.put("dtype", "float64");
        assertThat(SIGMOID_FOCAL.post(request.toString()).get("loss").doubleValue()).isEqualTo(6e38);
    }

    /** One summation order: the loss is the same number whatever outputs a request asks for. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("randomRequests")
    void theLossIsBitIdenticalWhateverIncludeAsks(String name, ObjectNode request) {
        if (request.get("reduction").asString().equals("none")) {
            request.put("reduction", "mean");
        }
        List<List<String>> includes = new ArrayList<>();
        includes.add(List.of());
        ALL_OUTPUTS.forEach(output -> includes.add(List.of(output)));
        includes.add(ALL_OUTPUTS);
        includes.add(List.of("gradient", "probabilities"));
        JsonNode first = null;
        for (List<String> include : includes) {
            ObjectNode asked = request.deepCopy();
            ArrayNode array = asked.putArray("include");
            include.forEach(array::add);
            JsonNode loss = SIGMOID_FOCAL.post(asked.toString()).get("loss");
            if (first == null) {
                first = loss;
            }
            assertThat(loss).as("loss with include " + include).isEqualTo(first);
        }
    }

    /** Arrays kept by the worker between calls of other shapes, precisions and paths change nothing. */
    @Test
    void keptScratchArraysCarryNothingOver() {
        Random random = new Random(7);
        List<ObjectNode> requests = List.of(
                request(random, new int[] {2, 3}, true, 0.25, 2, 0.1, 4, "mean", false),
                request(random, new int[] {5, 7}, false, -1, 0.5, 0.2, 4, "sum", true),
                request(random, new int[] {600, 500}, true, 0.25, 2, 0, 4, "mean", false),
                request(random, new int[] {35}, false, 0.5, 0, 0, 4, "none", false),
                request(random, new int[] {2, 3}, false, 1, 1, 0, 4, "sum", false),
                request(random, new int[] {3, 2, 1, 2}, true, 0, 3, 0.5, 4, "mean", true));
        List<String> answers = new ArrayList<>();
        try (LocalEndpoint fresh = new LocalEndpoint(new SigmoidFocal())) {
            for (ObjectNode request : requests) {
                answers.add(fresh.post(request.toString()).toString());
            }
        }
        for (int round = 0; round < 2; round++) {
            for (int i = requests.size() - 1; i >= 0; i--) {
                assertThat(SIGMOID_FOCAL.post(requests.get(i).toString()).toString()).as("request " + i)
                        .isEqualTo(answers.get(i));
            }
        }
    }

    /**
     * Alpha weighs the smoothed target: 1 keeps only the positive part of hard targets, 0 only the negative part,
     * -0.0 is 0 (torchvision tests {@code alpha >= 0}), and every negative value turns the weighting off.
     */
    @Test
    void alphaWeighsTheSmoothedTarget() {
        String base = "{\"logits\": [[2.0, -1.0, 0.5, -0.3]], \"targets\": [[1, 0, 1, 0]], \"include\": "
                + "[\"elementLoss\"], \"alpha\": ";
        JsonNode positives = SIGMOID_FOCAL.post(base + "1}").get("elementLoss").get(0);
        assertThat(positives.get(1).doubleValue()).isZero();
        assertThat(positives.get(3).doubleValue()).isZero();
        assertThat(positives.get(0).doubleValue()).isPositive();
        JsonNode zero = SIGMOID_FOCAL.post(base + "0}").get("elementLoss");
        JsonNode negatives = zero.get(0);
        assertThat(negatives.get(0).doubleValue()).isZero();
        assertThat(negatives.get(2).doubleValue()).isZero();
        assertThat(negatives.get(1).doubleValue()).isPositive();
        assertThat(SIGMOID_FOCAL.post(base + "-0.0}").get("elementLoss")).isEqualTo(zero);
        JsonNode off = SIGMOID_FOCAL.post(base + "-1}");
        assertThat(SIGMOID_FOCAL.post(base + "-7.5}").get("elementLoss")).isEqualTo(off.get("elementLoss"));
        assertThat(SIGMOID_FOCAL.post(base + "0.5}").get("loss").doubleValue())
                .isCloseTo(off.get("loss").doubleValue() / 2, org.assertj.core.data.Offset.offset(1e-7));
    }

    @Test
    void echoesTheScalarsUsedDefaultsIncluded() {
        JsonNode defaults = SIGMOID_FOCAL.post("""
                {"logits": [1, 2], "targets": [1, 0], "alpha": null, "gamma": null, "epsilon": null}""");
        assertThat(defaults.get("alpha").doubleValue()).isEqualTo(0.25);
        assertThat(defaults.get("gamma").doubleValue()).isEqualTo(2.0);
        assertThat(defaults.get("epsilon").doubleValue()).isEqualTo(0.0);
        assertThat(defaults.get("reduction").asString()).isEqualTo("mean");
        assertThat(defaults.get("dtype").asString()).isEqualTo("float32");
        assertThat(defaults.get("shape").toString()).isEqualTo("[2]");
        assertThat(defaults.has("smoothedTargets")).isTrue();
        assertThat(defaults.has("elementLoss")).isFalse();
        JsonNode none = SIGMOID_FOCAL.post("""
                {"logits": [[1, 2]], "targets": [[1, 0]], "alpha": 0.6, "gamma": 0.3, "epsilon": 0.2,
                 "reduction": "none", "include": []}""");
        assertThat(none.get("loss").isNull()).isTrue();
        assertThat(none.get("elementLoss").size()).isEqualTo(1);
        assertThat(none.get("alpha").doubleValue()).isEqualTo(0.6);
        assertThat(none.get("gamma").doubleValue()).isEqualTo(0.3);
        assertThat(none.get("epsilon").doubleValue()).isEqualTo(0.2);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Posts the request and compares every number with the formulas computed in double from the same inputs. */
    static void assertMatchesReference(ObjectNode request) {
        ObjectNode asked = request.deepCopy();
        includeAll(asked);
        boolean float64 = asked.path("dtype").asString("float32").equals("float64");
        JsonNode actual = SIGMOID_FOCAL.post(asked.toString());
        SigmoidFocalReference.Result expected = SigmoidFocalReference.compute(flat(asked.get("logits"), float64),
                flat(asked.get("targets"), float64), asked.path("alpha").asDouble(0.25),
                asked.path("gamma").asDouble(2.0), asked.path("epsilon").asDouble(0.0),
                asked.path("reduction").asString("mean"));
        OracleVectors.Tolerance tolerance = tolerance(float64);
        if (expected.loss() == null) {
            assertThat(actual.get("loss").isNull()).isTrue();
        } else {
            OracleVectors.assertClose("loss", LocalEndpoint.JSON.valueToTree(expected.loss()), actual.get("loss"),
                    tolerance);
        }
        OracleVectors.assertClose("elementLoss", LocalEndpoint.JSON.valueToTree(expected.elementLoss()),
                flatNode(actual.get("elementLoss")), tolerance);
        OracleVectors.assertClose("smoothedTargets", LocalEndpoint.JSON.valueToTree(expected.smoothedTargets()),
                flatNode(actual.get("smoothedTargets")), tolerance);
        OracleVectors.assertClose("probabilities", LocalEndpoint.JSON.valueToTree(expected.probabilities()),
                flatNode(actual.get("probabilities")), tolerance);
        OracleVectors.assertClose("gradient", LocalEndpoint.JSON.valueToTree(expected.gradient()),
                flatNode(actual.get("gradient")), tolerance);
    }

    static ObjectNode request(int[] shape, double[] logits, double[] targets, double alpha, double gamma,
            double epsilon, String reduction, String dtype) {
        ObjectNode request = LocalEndpoint.JSON.createObjectNode();
        request.set("logits", nested(logits, shape));
        request.set("targets", nested(targets, shape));
        request.put("alpha", alpha);
        request.put("gamma", gamma);
        request.put("epsilon", epsilon);
        request.put("reduction", reduction);
        request.put("dtype", dtype);
        includeAll(request);
        return request;
    }

    /** A random request of float32-exact numbers, hard (0 or 1) or soft targets. */
    static ObjectNode request(Random random, int[] shape, boolean hard, double alpha, double gamma, double epsilon,
            double scale, String reduction, boolean float64) {
        int size = 1;
        for (int dimension : shape) {
            size *= dimension;
        }
        double[] logits = new double[size];
        double[] targets = new double[size];
        for (int i = 0; i < size; i++) {
            logits[i] = (float) (random.nextGaussian() * scale);
            targets[i] = hard ? random.nextInt(2) : (float) random.nextDouble();
        }
        ObjectNode request = request(shape, logits, targets, alpha, gamma, epsilon, reduction,
                float64 ? "float64" : "float32");
        request.remove("include");
        return request;
    }

    static void includeAll(ObjectNode request) {
        ArrayNode include = request.putArray("include");
        ALL_OUTPUTS.forEach(include::add);
    }

    static OracleVectors.Tolerance tolerance(boolean float64) {
        return float64 ? new OracleVectors.Tolerance(OracleVectors.ATOL_FLOAT64, OracleVectors.RTOL_FLOAT64)
                : new OracleVectors.Tolerance(OracleVectors.ATOL, OracleVectors.RTOL);
    }

    private static JsonNode nested(double[] values, int[] shape) {
        return nested(values, shape, 0, new int[] {0});
    }

    private static JsonNode nested(double[] values, int[] shape, int level, int[] at) {
        ArrayNode array = LocalEndpoint.JSON.createArrayNode();
        for (int i = 0; i < shape[level]; i++) {
            if (level == shape.length - 1) {
                array.add(values[at[0]++]);
            } else {
                array.add(nested(values, shape, level + 1, at));
            }
        }
        return array;
    }

    /** The numbers of a nested array in row-major order, rounded to float32 unless float64. */
    private static double[] flat(JsonNode nested, boolean float64) {
        List<Double> values = new ArrayList<>();
        collect(nested, values);
        return values.stream().mapToDouble(value -> float64 ? value : (float) (double) value).toArray();
    }

    private static ArrayNode flatNode(JsonNode nested) {
        ArrayNode flat = LocalEndpoint.JSON.createArrayNode();
        List<Double> values = new ArrayList<>();
        collect(nested, values);
        values.forEach(flat::add);
        return flat;
    }

    private static void collect(JsonNode node, List<Double> values) {
        if (node.isArray()) {
            node.forEach(element -> collect(element, values));
        } else {
            values.add(node.doubleValue());
        }
    }
}
