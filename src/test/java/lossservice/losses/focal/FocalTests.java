package lossservice.losses.focal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import lossservice.loss.Example;
import lossservice.losses.crossentropy.CrossEntropy;
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

/** The maths of the focal loss through its JSON endpoint without HTTP. */
class FocalTests {

    private static final List<String> ALL_OUTPUTS = List.of("smoothedTargets", "perSampleLoss", "probabilities",
            "gradient");
    private static final LocalEndpoint FOCAL = new LocalEndpoint(new Focal());
    private static final LocalEndpoint CROSS_ENTROPY = new LocalEndpoint(new CrossEntropy());

    @AfterAll
    static void close() {
        FOCAL.close();
        CROSS_ENTROPY.close();
    }

    @Test
    void everyExampleIsAnsweredAsItsDocumentSays() {
        List<Example> examples = new Focal().examples();
        assertThat(examples).hasSizeGreaterThanOrEqualTo(2);
        assertThat(examples.get(0).request()).doesNotContain("classWeights", "gamma", "epsilon");
        for (Example example : examples) {
            OracleVectors.assertSameDocument(example.name(), LocalEndpoint.JSON.readTree(example.response()),
                    FOCAL.post(example.request()));
        }
    }

    static Stream<OracleVectors.Case> crossEntropyCases() {
        return OracleVectors.valid("cases.json", "kdim.json", "float64.json").stream()
                .filter(oracleCase -> oracleCase.endpoint().equals(OracleVectors.CROSS_ENTROPY));
    }

    /** Gamma 0 is cross-entropy in every number: each cross-entropy vector, posted to both. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("crossEntropyCases")
    void gammaZeroIsCrossEntropy(OracleVectors.Case oracleCase) {
        ObjectNode crossEntropy = (ObjectNode) oracleCase.request().deepCopy();
        includeAll(crossEntropy);
        ObjectNode focal = crossEntropy.deepCopy();
        JsonNode labelSmooth = focal.remove("labelSmooth");
        focal.remove("numClasses");
        JsonNode epsilon = focal.get("epsilon");
        boolean smoothing = labelSmooth == null || labelSmooth.isNull() || labelSmooth.asBoolean();
        focal.put("epsilon", !smoothing ? 0.0 : epsilon == null || epsilon.isNull() ? 0.1 : epsilon.doubleValue());
        focal.put("gamma", 0.0);

        JsonNode expected = CROSS_ENTROPY.post(crossEntropy.toString());
        JsonNode actual = FOCAL.post(focal.toString());

        OracleVectors.Tolerance tolerance = tolerance(oracleCase.isFloat64());
        assertSameOrNull("loss", expected.get("loss"), actual.get("loss"), tolerance);
        for (String output : ALL_OUTPUTS) {
            assertSameOrNull(output, expected.get(output), actual.get(output), tolerance);
        }
        assertThat(actual.get("epsilon").doubleValue()).isEqualTo(expected.get("epsilon").doubleValue());
    }

    static Stream<Arguments> randomRequests() {
        List<Arguments> requests = new ArrayList<>();
        Random random = new Random(20240611);
        double[] gammas = {0, 0.5, 1, 2, 3.7, 0.25};
        double[] epsilons = {0, 0.1, 1, 1.0 / 3};
        for (int i = 0; i < 24; i++) {
            int n = 1 + random.nextInt(7);
            int c = 2 + random.nextInt(9);
            boolean float64 = i % 3 == 0;
            boolean soft = i % 4 == 3;
            String reduction = List.of("mean", "sum", "none").get(i % 3 == 0 ? 0 : random.nextInt(3));
            double scale = i % 5 == 4 ? 40 : 4;
            requests.add(Arguments.of("random_" + i, request(random, n, c, soft, random.nextBoolean(),
                    gammas[i % gammas.length], epsilons[random.nextInt(epsilons.length)], scale, reduction,
                    float64)));
        }
        return requests.stream();
    }

    /** Other shapes, seeds, gammas and smoothings, against the formulas in double precision. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("randomRequests")
    void matchesTheFormulas(String name, ObjectNode request) {
        assertMatchesReference(request);
    }

    /**
     * Where a probability rounds to 1 (the others underflow, or are below half an ulp of 1) the focal factor and its
     * derivative take their limits, also for gamma below 1, in both precisions; nothing is NaN.
     */
    @ParameterizedTest(name = "gamma {0}")
    @ValueSource(doubles = {0, 0.25, 0.5, 0.999, 1, 2, 5})
    void saturatedProbabilitiesTakeTheLimits(double gamma) {
        for (String dtype : List.of("float32", "float64")) {
            ObjectNode request = LocalEndpoint.JSON.createObjectNode();
            request.set("logits", LocalEndpoint.JSON.valueToTree(new double[][] {{1e4, -1e4, -1e4}, {0, -40, -40},
                    {-20, 0, -30}, {12, -100, 11.5}, {30, 0, 30}}));
            request.set("targets", LocalEndpoint.JSON.valueToTree(new int[] {0, 0, 2, 1, 0}));
            request.put("gamma", gamma);
            request.put("epsilon", 0.1);
            request.put("dtype", dtype);
            for (String reduction : List.of("mean", "sum", "none")) {
                request.put("reduction", reduction);
                assertMatchesReference(request);
            }
        }
    }

    /**
     * A class whose probability underflows to 0 has the focal factor 1 exactly, never 1 and an ulp, whatever gamma:
     * its loss is its surprisal, the same number for gamma 60 as for gamma 1e-30.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"float32", "float64"})
    void aProbabilityThatUnderflowsHasTheFactorOne(String dtype) {
        Random random = new Random(3);
        double[][] logits = new double[500][];
        int[] targets = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = new double[8];
            for (int k = 0; k < 7; k++) {
                logits[i][k] = (float) (random.nextGaussian() * 2);
            }
            logits[i][7] = -2000.0;
            targets[i] = 7;
        }
        JsonNode steep = FOCAL.post(request(logits, targets, 60, 0, dtype).toString());
        JsonNode flat = FOCAL.post(request(logits, targets, 1e-30, 0, dtype).toString());
        assertThat(steep.get("perSampleLoss")).isEqualTo(flat.get("perSampleLoss"));
        assertThat(steep.get("perSampleLoss").get(0).doubleValue()).isGreaterThan(1990);
    }

    /** Logits of +-1e4 and rows offset by -3e4, in float32 and float64: the max shift keeps every digit. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"float32", "float64"})
    void stableForHugeLogitsAndOffsetRows(String dtype) {
        double[][] small = {{1.5, -0.25, 0.75, 2.0}, {0.125, 3.0, -1.0, 0.5}, {-2.0, 0.0, 1.0, 0.25}};
        double[][] offset = new double[3][4];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 4; k++) {
                offset[i][k] = small[i][k] - 3e4;
            }
        }
        for (double gamma : new double[] {0, 0.5, 2}) {
            ObjectNode plain = request(small, new int[] {3, 1, 0}, gamma, 0.1, dtype);
            ObjectNode shifted = request(offset, new int[] {3, 1, 0}, gamma, 0.1, dtype);
            JsonNode expected = FOCAL.post(plain.toString());
            JsonNode actual = FOCAL.post(shifted.toString());
            for (String output : List.of("loss", "perSampleLoss", "probabilities", "gradient")) {
                OracleVectors.assertClose(output, expected.get(output), actual.get(output),
                        tolerance(dtype.equals("float64")));
            }
            assertMatchesReference(shifted);
            assertMatchesReference(request(new double[][] {{1e4, -1e4, 0}, {-1e4, 1e4, 5}, {-1e4, -1e4, -1e4}},
                    new int[] {1, 2, 0}, gamma, 0.1, dtype));
        }
    }

    /**
     * Logits of +-1e30 in float32: every class that is not the row's maximum has p = 0 and the factor 1, so the
     * numbers are cross-entropy's. Row 0: (0.1 / 3) * 3e30 = 1e29; row 1: 0.9 * 1e30 + (0.1 / 3) * 3e30 = 1e30.
     */
    @ParameterizedTest(name = "gamma {0}")
    @ValueSource(doubles = {0.5, 2})
    void logitsOfPlusMinus1e30StayFinite(double gamma) {
        JsonNode result = FOCAL.post(request(new double[][] {{1e30, 0, -1e30}, {-1e30, 1e30, 0}}, new int[] {0, 2},
                gamma, 0.1, "float32").toString());
        OracleVectors.assertClose("perSampleLoss", LocalEndpoint.JSON.readTree("[1e29, 1e30]"),
                result.get("perSampleLoss"));
        OracleVectors.assertClose("loss", LocalEndpoint.JSON.readTree("5.5e29"), result.get("loss"));
        OracleVectors.assertClose("probabilities", LocalEndpoint.JSON.readTree("[[1, 0, 0], [0, 1, 0]]"),
                result.get("probabilities"));
        assertThat(result.get("gradient").toString()).doesNotContain("NaN", "Infinity");
    }

    @Test
    void aResultBeyondFloat32IsRefused() {
        ObjectNode request = request(new double[][] {{3e38, -3e38}}, new int[] {1}, 2, 0, "float32");
        request.set("classWeights", LocalEndpoint.JSON.valueToTree(new double[] {3e38, 3e38}));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FOCAL.post(request.toString()))
                .isInstanceOf(lossservice.problem.ResultOutOfRangeException.class);
        request.put("dtype", "float64");
        // 3e38 * 6e38 (the surprisal of class 1, whose factor is 1) / 3e38 (the mean's denominator)
        assertThat(FOCAL.post(request.toString()).get("loss").doubleValue())
                .isCloseTo(6e38, org.assertj.core.data.Offset.offset(1e26));
    }

    /** One summation order: the loss is the same number whatever outputs a request asks for. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("randomRequests")
    void theLossIsBitIdenticalWhateverIncludeAsks(String name, ObjectNode request) {
        if (request.get("reduction").asString().equals("none")) {
            request.put("reduction", "sum");
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
            JsonNode loss = FOCAL.post(asked.toString()).get("loss");
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
                request(random, 2, 3, false, true, 2, 0.1, 4, "mean", false),
                request(random, 5, 7, true, true, 0.5, 0.2, 4, "sum", true),
                request(random, 600, 500, false, false, 2, 0, 4, "mean", false),
                request(random, 5, 7, false, false, 0, 0, 4, "none", false),
                request(random, 2, 3, false, false, 1, 0, 4, "sum", false),
                request(random, 3, 2, false, true, 3, 0.5, 4, "mean", true));
        List<String> answers = new ArrayList<>();
        try (LocalEndpoint fresh = new LocalEndpoint(new Focal())) {
            for (ObjectNode request : requests) {
                answers.add(fresh.post(request.toString()).toString());
            }
        }
        for (int round = 0; round < 2; round++) {
            for (int i = requests.size() - 1; i >= 0; i--) {
                assertThat(FOCAL.post(requests.get(i).toString()).toString()).as("request " + i)
                        .isEqualTo(answers.get(i));
            }
        }
    }

    /** [N, C, d1, d2] is N * d1 * d2 rows of C: the same numbers as the 2-D request of those rows. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"float32", "float64"})
    void kDimensionalLogitsAreRowsOfClasses(String dtype) {
        Random random = new Random(11);
        int n = 2;
        int c = 3;
        int d1 = 2;
        int d2 = 3;
        double[][][][] logits = new double[n][c][d1][d2];
        int[][][] targets = new int[n][d1][d2];
        double[][] rows = new double[n * d1 * d2][c];
        int[] rowTargets = new int[n * d1 * d2];
        for (int s = 0; s < n; s++) {
            for (int a = 0; a < d1; a++) {
                for (int b = 0; b < d2; b++) {
                    int row = (s * d1 + a) * d2 + b;
                    targets[s][a][b] = random.nextInt(4) == 0 ? 255 : random.nextInt(c);
                    rowTargets[row] = targets[s][a][b];
                    for (int k = 0; k < c; k++) {
                        logits[s][k][a][b] = Math.round(random.nextGaussian() * 3 * 64) / 64.0;
                        rows[row][k] = logits[s][k][a][b];
                    }
                }
            }
        }
        ObjectNode request = LocalEndpoint.JSON.createObjectNode();
        request.set("logits", LocalEndpoint.JSON.valueToTree(logits));
        request.set("targets", LocalEndpoint.JSON.valueToTree(targets));
        request.set("classWeights", LocalEndpoint.JSON.valueToTree(new double[] {0.5, 2.0, 1.25}));
        request.put("ignoreIndex", 255);
        request.put("gamma", 1.5);
        request.put("epsilon", 0.05);
        request.put("dtype", dtype);
        includeAll(request);
        ObjectNode flat = request.deepCopy();
        flat.set("logits", LocalEndpoint.JSON.valueToTree(rows));
        flat.set("targets", LocalEndpoint.JSON.valueToTree(rowTargets));

        JsonNode actual = FOCAL.post(request.toString());
        JsonNode expected = FOCAL.post(flat.toString());

        assertThat(actual.get("shape").toString()).isEqualTo("[2,3,2,3]");
        assertThat(actual.get("loss")).isEqualTo(expected.get("loss"));
        for (int s = 0; s < n; s++) {
            for (int a = 0; a < d1; a++) {
                for (int b = 0; b < d2; b++) {
                    int row = (s * d1 + a) * d2 + b;
                    assertThat(actual.get("perSampleLoss").get(s).get(a).get(b))
                            .isEqualTo(expected.get("perSampleLoss").get(row));
                    for (int k = 0; k < c; k++) {
                        for (String output : List.of("smoothedTargets", "probabilities", "gradient")) {
                            assertThat(actual.get(output).get(s).get(k).get(a).get(b)).as(output)
                                    .isEqualTo(expected.get(output).get(row).get(k));
                        }
                    }
                }
            }
        }
        assertMatchesReference(flat);
    }

    /** Every element ignored: the mean is undefined (null loss and gradient); sum and none are zeros. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"float32", "float64"})
    void allIgnoredBatches(String dtype) {
        ObjectNode request = request(new double[][] {{1, 2, 3}, {0.5, -1, 2}}, new int[] {-100, -100}, 2, 0.1,
                dtype);
        request.put("reduction", "mean");
        JsonNode mean = FOCAL.post(request.toString());
        assertThat(mean.get("loss").isNull()).isTrue();
        assertThat(mean.get("gradient").isNull()).isTrue();
        assertThat(mean.get("perSampleLoss").toString()).isEqualTo("[0.0,0.0]");
        assertThat(mean.get("smoothedTargets").toString()).isEqualTo("[[0.0,0.0,0.0],[0.0,0.0,0.0]]");
        request.put("reduction", "sum");
        JsonNode sum = FOCAL.post(request.toString());
        assertThat(sum.get("loss").doubleValue()).isZero();
        assertThat(sum.get("gradient").toString()).isEqualTo("[[0.0,0.0,0.0],[0.0,0.0,0.0]]");
        request.put("reduction", "none");
        JsonNode none = FOCAL.post(request.toString());
        assertThat(none.get("loss").isNull()).isTrue();
        assertThat(none.get("perSampleLoss").toString()).isEqualTo("[0.0,0.0]");
    }

    /** Targets whose weights are all 0: the mean divides by 0 and is undefined, though smoothing makes the sum > 0. */
    @Test
    void zeroTargetWeightsLeaveTheMeanUndefined() {
        ObjectNode request = request(new double[][] {{1, 2, 3}, {0.5, -1, 2}}, new int[] {0, 0}, 2, 0.3,
                "float32");
        request.set("classWeights", LocalEndpoint.JSON.valueToTree(new double[] {0, 1, 1}));
        JsonNode mean = FOCAL.post(request.toString());
        assertThat(mean.get("loss").isNull()).isTrue();
        assertThat(mean.get("gradient").isNull()).isTrue();
        request.put("reduction", "sum");
        assertThat(FOCAL.post(request.toString()).get("loss").doubleValue()).isPositive();
        assertMatchesReference(request);
    }

    @Test
    void echoesTheScalarsUsedDefaultsIncluded() {
        JsonNode defaults = FOCAL.post("""
                {"logits": [[1, 2]], "targets": [1], "gamma": null, "epsilon": null, "ignoreIndex": null}""");
        assertThat(defaults.get("gamma").doubleValue()).isEqualTo(2.0);
        assertThat(defaults.get("epsilon").doubleValue()).isEqualTo(0.0);
        assertThat(defaults.get("ignoreIndex").longValue()).isEqualTo(-100);
        assertThat(defaults.get("reduction").asString()).isEqualTo("mean");
        assertThat(defaults.get("dtype").asString()).isEqualTo("float32");
        assertThat(defaults.get("shape").toString()).isEqualTo("[1,2]");
        assertThat(defaults.has("smoothedTargets")).isTrue();
        assertThat(defaults.has("perSampleLoss")).isFalse();
        JsonNode given = FOCAL.post("""
                {"logits": [[1, 2]], "targets": [1], "gamma": 0.6, "epsilon": 0.3, "ignoreIndex": 7}""");
        assertThat(given.get("gamma").doubleValue()).isEqualTo(0.6);
        assertThat(given.get("epsilon").doubleValue()).isEqualTo(0.3);
        assertThat(given.get("ignoreIndex").longValue()).isEqualTo(7);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Posts the request and compares every number with the formulas computed in double from the same inputs. */
    static void assertMatchesReference(ObjectNode request) {
        ObjectNode asked = request.deepCopy();
        includeAll(asked);
        boolean float64 = asked.path("dtype").asString("float32").equals("float64");
        JsonNode actual = FOCAL.post(asked.toString());
        double[][] logits = matrix(asked.get("logits"), float64);
        JsonNode targets = asked.get("targets");
        boolean soft = targets.get(0).isArray();
        int[] indices = soft ? null : LocalEndpoint.JSON.convertValue(targets, int[].class);
        double[][] probabilities = soft ? matrix(targets, float64) : null;
        double[] weights = asked.has("classWeights") ? matrix(LocalEndpoint.JSON.createArrayNode()
                .add(asked.get("classWeights")), float64)[0] : null;
        FocalReference.Result expected = FocalReference.compute(logits, indices, probabilities, weights,
                asked.path("gamma").asDouble(2.0), asked.path("epsilon").asDouble(0.0),
                asked.path("ignoreIndex").asLong(-100), asked.path("reduction").asString("mean"));
        OracleVectors.Tolerance tolerance = tolerance(float64);
        String what = asked.toString();
        if (expected.loss() == null) {
            assertThat(actual.get("loss").isNull()).as(what).isTrue();
        } else {
            OracleVectors.assertClose("loss", LocalEndpoint.JSON.valueToTree(expected.loss()), actual.get("loss"),
                    tolerance);
        }
        OracleVectors.assertClose("perSampleLoss", LocalEndpoint.JSON.valueToTree(expected.perSample()),
                actual.get("perSampleLoss"), tolerance);
        OracleVectors.assertClose("smoothedTargets", LocalEndpoint.JSON.valueToTree(expected.smoothedTargets()),
                actual.get("smoothedTargets"), tolerance);
        OracleVectors.assertClose("probabilities", LocalEndpoint.JSON.valueToTree(expected.probabilities()),
                actual.get("probabilities"), tolerance);
        if (expected.gradient() == null) {
            assertThat(actual.get("gradient").isNull()).as(what).isTrue();
        } else {
            OracleVectors.assertClose("gradient", LocalEndpoint.JSON.valueToTree(expected.gradient()),
                    actual.get("gradient"), tolerance);
        }
    }

    static ObjectNode request(double[][] logits, int[] targets, double gamma, double epsilon, String dtype) {
        ObjectNode request = LocalEndpoint.JSON.createObjectNode();
        request.set("logits", LocalEndpoint.JSON.valueToTree(logits));
        request.set("targets", LocalEndpoint.JSON.valueToTree(targets));
        request.put("gamma", gamma);
        request.put("epsilon", epsilon);
        request.put("dtype", dtype);
        includeAll(request);
        return request;
    }

    /** A random request of float32-exact numbers: some ignored rows (-1) or soft targets, maybe class weights. */
    static ObjectNode request(Random random, int n, int c, boolean soft, boolean weights, double gamma,
            double epsilon, double scale, String reduction, boolean float64) {
        double[][] logits = new double[n][c];
        double[][] probabilities = new double[n][c];
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            indices[i] = n > 1 && random.nextInt(5) == 0 ? -1 : random.nextInt(c);
            for (int k = 0; k < c; k++) {
                logits[i][k] = (float) (random.nextGaussian() * scale);
                probabilities[i][k] = (float) random.nextDouble();
            }
        }
        ObjectNode request = LocalEndpoint.JSON.createObjectNode();
        request.set("logits", LocalEndpoint.JSON.valueToTree(logits));
        request.set("targets", LocalEndpoint.JSON.valueToTree(soft ? probabilities : indices));
        if (weights) {
            double[] classWeights = new double[c];
            for (int k = 0; k < c; k++) {
                classWeights[k] = (float) (random.nextDouble() * 2);
            }
            request.set("classWeights", LocalEndpoint.JSON.valueToTree(classWeights));
        }
        if (!soft) {
            request.put("ignoreIndex", -1);
        }
        request.put("gamma", gamma);
        request.put("epsilon", epsilon);
        request.put("reduction", reduction);
        request.put("dtype", float64 ? "float64" : "float32");
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

    /** Rows of numbers, rounded to float32 unless float64: what the service computes with. */
    private static double[][] matrix(JsonNode rows, boolean float64) {
        double[][] matrix = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            matrix[i] = new double[rows.get(i).size()];
            for (int k = 0; k < matrix[i].length; k++) {
                double value = rows.get(i).get(k).doubleValue();
                matrix[i][k] = float64 ? value : (float) value;
            }
        }
        return matrix;
    }

    private static void assertSameOrNull(String name, JsonNode expected, JsonNode actual,
            OracleVectors.Tolerance tolerance) {
        if (expected.isNull()) {
            assertThat(actual.isNull()).as(name + " is null").isTrue();
        } else {
            OracleVectors.assertClose(name, expected, actual, tolerance);
        }
    }
}
