package lossservice.losses.nll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import lossservice.loss.Example;
import lossservice.oracle.OracleVectors;
import lossservice.losses.crossentropy.CrossEntropy;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.ResultOutOfRangeException;
import lossservice.problem.Violation;
import lossservice.rest.LocalEndpoint;
import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import lossservice.oracle.NestedArrays;

/** The maths and the rules of {@code POST /v1/losses/nll}, through the JSON endpoint without HTTP. */
class NegativeLogLikelihoodTests {

    private static final NegativeLogLikelihood NLL = new NegativeLogLikelihood();

    private static LocalEndpoint endpoint;
    private static LocalEndpoint crossEntropy;

    @BeforeAll
    static void open() {
        endpoint = new LocalEndpoint(NLL);
        crossEntropy = new LocalEndpoint(new CrossEntropy());
    }

    @AfterAll
    static void close() {
        endpoint.close();
        crossEntropy.close();
    }

    static List<OracleVectors.Case> validCases() {
        return OracleVectors.valid("nll.json");
    }

    /** The rejections of the public vectors that are about the request's rules (422), not its JSON syntax. */
    static List<OracleVectors.Case> invalidCases() {
        return OracleVectors.invalid("nll_invalid.json").stream().filter(c -> c.expectedStatus() == 422).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCases")
    void matchesPyTorch(OracleVectors.Case oracleCase) {
        OracleVectors.assertMatches(oracleCase, endpoint.post(oracleCase.body()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCases")
    void rejectsAtThePointerOfThePublicVectors(OracleVectors.Case oracleCase) {
        assertThat(pointers(oracleCase.body())).contains(oracleCase.pointer());
    }

    @Test
    void theExamplesAreAnsweredAsDocumented() {
        assertThat(NLL.examples()).hasSizeGreaterThanOrEqualTo(2);
        for (Example example : NLL.examples()) {
            assertThat(example.response()).as(example.name()).isNotNull();
            OracleVectors.assertSameDocument(example.name(), LocalEndpoint.JSON.readTree(example.response()),
                    endpoint.post(example.request()));
        }
    }

    @Test
    void theLossIsTheNegatedWeightedTargetEntryReducedOverTheTargetWeights() {
        JsonNode response = endpoint.post("""
                {"logProbabilities": [[-0.5, -1.5, -2.5], [-3.0, -0.25, -1.0], [-2.0, -4.0, -0.125]],
                 "targets": [0, 2, -100], "classWeights": [2.0, 1.0, 4.0],
                 "include": ["perSampleLoss", "gradient"]}""");

        // L = [2 * 0.5, 4 * 1.0, 0], D = 2 + 4
        assertThat(response.get("loss").floatValue()).isEqualTo(5.0f / 6.0f);
        assertThat(response.get("perSampleLoss").toString()).isEqualTo("[1.0,4.0,0.0]");
        assertThat(response.get("gradient").toString()).isEqualTo("[[" + (float) (-2.0 / 6) + ",0.0,0.0],[0.0,0.0,"
                + (float) (-4.0 / 6) + "],[0.0,0.0,0.0]]");
        assertThat(response.get("ignoreIndex").longValue()).isEqualTo(-100);
    }

    /** nll of log_softmax(x) is cross-entropy of x without smoothing, and the chain rule links the gradients. */
    @ParameterizedTest
    @ValueSource(strings = {"mean", "sum", "none"})
    void nllOfLogSoftmaxIsCrossEntropyWithEpsilonZero(String reduction) {
        Random random = new Random(11 + reduction.hashCode());
        for (int[] shape : new int[][] {{5, 4}, {3, 6, 2}, {2, 3, 2, 3}, {1, 5, 1, 2, 2}}) {
            int size = size(shape);
            int c = shape[1];
            int spatial = size / (shape[0] * c);
            double[] logits = new double[size];
            for (int i = 0; i < size; i++) {
                logits[i] = 3 * random.nextGaussian();
            }
            double[] logSoftmax = logSoftmax(logits, shape);
            int[] targetShape = withoutClasses(shape);
            long[] targets = new long[size / c];
            for (int e = 0; e < targets.length; e++) {
                targets[e] = e % 5 == 4 ? 7 : random.nextInt(c);
            }
            String weights = weights(random, c);
            String common = "\"targets\": " + NestedArrays.array(targets, targetShape) + ", \"classWeights\": " + weights
                    + ", \"ignoreIndex\": 7, \"reduction\": \"" + reduction + "\", \"dtype\": \"float64\"";

            JsonNode nll = endpoint.post("{\"logProbabilities\": " + NestedArrays.array(logSoftmax, shape) + ", " + common
                    + ", \"include\": [\"perSampleLoss\", \"gradient\"]}");
            JsonNode ce = crossEntropy.post("{\"logits\": " + NestedArrays.array(logits, shape) + ", " + common
                    + ", \"labelSmooth\": false, \"include\": [\"perSampleLoss\", \"gradient\", \"probabilities\"]}");

            if (reduction.equals("none")) {
                assertThat(nll.get("loss").isNull()).isTrue();
            } else {
                assertThat(nll.get("loss").doubleValue())
                        .isCloseTo(ce.get("loss").doubleValue(), within(ce.get("loss")));
            }
            double[] nllPerSample = NestedArrays.flat(nll.get("perSampleLoss"));
            double[] cePerSample = NestedArrays.flat(ce.get("perSampleLoss"));
            for (int e = 0; e < cePerSample.length; e++) {
                assertThat(nllPerSample[e]).isCloseTo(cePerSample[e], org.assertj.core.data.Offset.offset(
                        1e-12 + 1e-10 * Math.abs(cePerSample[e])));
            }
            // dCE/dx_j = g_j - p_j sum_c g_c along the classes of each position, g = dNLL/dlogProbabilities.
            double[] g = NestedArrays.flat(nll.get("gradient"));
            double[] p = NestedArrays.flat(ce.get("probabilities"));
            double[] ceGradient = NestedArrays.flat(ce.get("gradient"));
            for (int n = 0; n < shape[0]; n++) {
                for (int s = 0; s < spatial; s++) {
                    double sum = 0;
                    for (int k = 0; k < c; k++) {
                        sum += g[(n * c + k) * spatial + s];
                    }
                    for (int j = 0; j < c; j++) {
                        int at = (n * c + j) * spatial + s;
                        assertThat(g[at] - p[at] * sum).isCloseTo(ceGradient[at],
                                org.assertj.core.data.Offset.offset(1e-12 + 1e-10 * Math.abs(ceGradient[at])));
                    }
                }
            }
        }
    }

    /** The loss is linear in its input: moving one entry by h moves the loss by h times its gradient entry. */
    @ParameterizedTest
    @ValueSource(strings = {"mean", "sum", "none"})
    void theGradientIsTheSlopeOfTheLoss(String reduction) {
        int[] shape = {3, 4, 2};
        Random random = new Random(5);
        double[] x = new double[size(shape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = -4 * random.nextDouble();
        }
        String rest = ", \"targets\": [[1, 3], [0, -100], [2, 2]], \"classWeights\": [0.5, 2.0, 1.5, 3.0],"
                + " \"reduction\": \"" + reduction + "\", \"dtype\": \"float64\"";
        JsonNode at = endpoint.post("{\"logProbabilities\": " + NestedArrays.array(x, shape) + rest
                + ", \"include\": [\"gradient\", \"perSampleLoss\"]}");
        double[] gradient = NestedArrays.flat(at.get("gradient"));
        double base = total(at, reduction);
        for (int i = 0; i < x.length; i++) {
            double[] moved = x.clone();
            moved[i] += 0.5;
            JsonNode after = endpoint.post("{\"logProbabilities\": " + NestedArrays.array(moved, shape) + rest
                    + ", \"include\": [\"perSampleLoss\"]}");
            assertThat((total(after, reduction) - base) / 0.5).as("entry " + i)
                    .isCloseTo(gradient[i], org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void extremeInputsAreUsedAsGivenInBothPrecisions() {
        for (String dtype : new String[] {"float32", "float64"}) {
            JsonNode response = endpoint.post("""
                    {"logProbabilities": [[10000.0, -10000.0, 0.0], [-30000.00390625, -29999.99609375, -30000.0],
                                          [1e30, -1e30, 5.0]],
                     "targets": [1, 0, 2], "reduction": "none", "dtype": "%s", "include": ["gradient"]}"""
                    .formatted(dtype));

            double[] perSample = NestedArrays.flat(response.get("perSampleLoss"));
            assertThat(new float[] {(float) perSample[0], (float) perSample[1], (float) perSample[2]})
                    .containsExactly(10000.0f, 30000.00390625f, -5.0f);
            assertThat(response.get("gradient").get(1).toString()).isEqualTo("[-1.0,0.0,0.0]");
        }
        JsonNode sum = endpoint.post("""
                {"logProbabilities": [[1e30, -1e30], [-1e30, 3.0]], "targets": [1, 0], "reduction": "sum"}""");
        assertThat(sum.get("loss").floatValue()).isEqualTo(2e30f);
    }

    @Test
    void aResultBeyondFloat32IsRefusedNotSentAsInfinity() {
        String body = """
                {"logProbabilities": [[-3e38, 0.0]], "targets": [0], "classWeights": [10.0, 1.0],
                 "reduction": "sum"}""";

        assertThatThrownBy(() -> endpoint.post(body)).isInstanceOf(ResultOutOfRangeException.class);
        assertThat(endpoint.post(body.replace("}", ", \"dtype\": \"float64\"}")).get("loss").doubleValue())
                .isEqualTo(3e39);
    }

    @Test
    void aFloat32ResultIsTheFloat64ResultRoundedOnce() {
        Random random = new Random(3);
        int[] shape = {6, 7, 3};
        double[] x = new double[size(shape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (-5 * random.nextDouble());
        }
        long[] targets = new long[18];
        for (int e = 0; e < targets.length; e++) {
            targets[e] = random.nextInt(7);
        }
        String body = "{\"logProbabilities\": " + NestedArrays.array(x, shape) + ", \"targets\": "
                + NestedArrays.array(targets, new int[] {6, 3})
                + ", \"classWeights\": [0.125, 0.75, 1.3125, 0.25, 2.875, 1.0, 0.5],"
                + " \"include\": [\"perSampleLoss\", \"gradient\"]";
        JsonNode float32 = endpoint.post(body + "}");
        JsonNode float64 = endpoint.post(body + ", \"dtype\": \"float64\"}");

        assertThat(float32.get("loss").floatValue()).isEqualTo((float) float64.get("loss").doubleValue());
        for (String output : new String[] {"perSampleLoss", "gradient"}) {
            double[] narrow = NestedArrays.flat(float32.get(output));
            double[] wide = NestedArrays.flat(float64.get(output));
            for (int i = 0; i < wide.length; i++) {
                assertThat((float) narrow[i]).as(output + " " + i).isEqualTo((float) wide[i]);
            }
        }
    }

    @Test
    void theLossIsTheSameNumberWhateverTheRequestIncludes() {
        Random random = new Random(17);
        int[] shape = {40, 9, 3};
        double[] x = new double[size(shape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (-6 * random.nextDouble());
        }
        long[] targets = new long[120];
        for (int e = 0; e < targets.length; e++) {
            targets[e] = e % 7 == 0 ? -100 : random.nextInt(9);
        }
        for (String dtype : new String[] {"float32", "float64"}) {
            for (String reduction : new String[] {"mean", "sum"}) {
                String body = "{\"logProbabilities\": " + NestedArrays.array(x, shape) + ", \"targets\": "
                        + NestedArrays.array(targets, new int[] {40, 3}) + ", \"classWeights\": " + weights(random, 9)
                        + ", \"reduction\": \"" + reduction + "\", \"dtype\": \"" + dtype + "\", \"include\": ";
                List<String> losses = new ArrayList<>();
                for (String include : new String[] {"[]", "[\"perSampleLoss\"]", "[\"gradient\"]",
                        "[\"gradient\", \"perSampleLoss\"]"}) {
                    losses.add(endpoint.post(body + include + "}").get("loss").toString());
                }
                assertThat(losses).as(dtype + " " + reduction).containsOnly(losses.get(0));
            }
        }
    }

    @Test
    void anAllIgnoredBatchHasNoMeanButASumOfZero() {
        String body = """
                {"logProbabilities": [[[-1.0, -2.0], [-0.5, -0.1]], [[-3.0, -0.2], [-0.7, -4.0]]],
                 "targets": [[255, 255], [255, 255]], "ignoreIndex": 255, "include": ["gradient", "perSampleLoss"]""";

        JsonNode mean = endpoint.post(body + "}");
        assertThat(mean.get("loss").isNull()).isTrue();
        assertThat(mean.get("gradient").isNull()).isTrue();
        assertThat(mean.get("perSampleLoss").toString()).isEqualTo("[[0.0,0.0],[0.0,0.0]]");

        JsonNode sum = endpoint.post(body + ", \"reduction\": \"sum\"}");
        assertThat(sum.get("loss").doubleValue()).isZero();
        assertThat(NestedArrays.flat(sum.get("gradient"))).containsOnly(0.0);
    }

    @Test
    void targetsOfTheWeightZeroStillDecideTheDenominatorOfTheOthers() {
        JsonNode response = endpoint.post("""
                {"logProbabilities": [[-1.0, -2.0], [-3.0, -4.0]], "targets": [0, 1], "classWeights": [0.0, 2.0],
                 "include": ["perSampleLoss", "gradient"], "dtype": "float64"}""");

        assertThat(response.get("loss").doubleValue()).isEqualTo(4.0);
        assertThat(response.get("perSampleLoss").toString()).isEqualTo("[0.0,8.0]");
        assertThat(response.get("gradient").toString()).isEqualTo("[[0.0,0.0],[0.0,-1.0]]");
    }

    @Test
    void theRulesAreReportedWhereTheyAreBroken() {
        // N = 2, C = 2, d1 = 3
        String x = "[[[-1.0, -2.0, -3.0], [-0.5, -0.1, -0.2]], [[-3.0, -0.2, -1.0], [-0.7, -4.0, -2.0]]]";
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": [[0, 1, 1], [1, 0, 7]]}"))
                .containsExactly("/targets/1/2");
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": [[0, 1, -1], [2, 0, 1]]}"))
                .containsExactly("/targets/0/2", "/targets/1/0");
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": [[0, 2, 2], [1, 0, 2]],"
                + " \"ignoreIndex\": 2}")).isEmpty();
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": [[0, 1], [1, 0, 1]]}"))
                .containsExactly("/targets/0");
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": [[0, 1, 1]]}"))
                .containsExactly("/targets");
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": " + x + "}"))
                .containsExactly("/targets");
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": [[0, 1.0, 1], [1, 0, 1]]}"))
                .containsExactly("/targets/0/1");
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": [[0, 1, 1], [1, 0, 1]],"
                + " \"classWeights\": [1.0, 0.5, 2.0]}")).containsExactly("/classWeights");
        assertThat(pointers("{\"logProbabilities\": " + x + ", \"targets\": [[0, 1, 1], [1, 0, 1]],"
                + " \"classWeights\": [1.0, -0.5]}")).containsExactly("/classWeights/1");
        assertThat(pointers("{\"logProbabilities\": [[-1.0, 1e39]], \"targets\": [0]}"))
                .containsExactly("/logProbabilities/0/1");
        assertThat(pointers("{\"logProbabilities\": [[-1.0, 1e39]], \"targets\": [0], \"dtype\": \"float64\"}"))
                .isEmpty();
        assertThat(pointers("{\"logProbabilities\": [[-1.0, -2.0]], \"targets\": [0], \"ignoreIndex\": 2.5}"))
                .containsExactly("/ignoreIndex");
        assertThat(pointers("{\"logProbabilities\": [[-1.0, -2.0]], \"targets\": [0], \"temperature\": 2,"
                + " \"labelSmooth\": false}")).containsExactly("/temperature", "/labelSmooth");
        assertThat(pointers("{\"logProbabilities\": [[-1.0, -2.0]], \"targets\": [0], \"reduction\": \"batchmean\"}"))
                .containsExactly("/reduction");
        assertThat(pointers("{\"logProbabilities\": [[-1.0, -2.0]], \"targets\": [0],"
                + " \"include\": [\"probabilities\"]}")).contains("/include");
        assertThat(pointers("{\"logProbabilities\": [[[[[-1.0]]]], [[[[-2.0]]]]], \"targets\": [[[[0]]], [[[0]]]]}"))
                .containsExactly("/logProbabilities/0");
        assertThat(pointers("{\"logProbabilities\": [[[[[[-1.0]], [[-2.0]]]]]], \"targets\": [0]}"))
                .containsExactly("/logProbabilities");
    }

    @Test
    void reductionNoneReturnsThePerSampleLossesAndNoLoss() {
        JsonNode response = endpoint.post("""
                {"logProbabilities": [[-1.0, -2.0], [-3.0, -4.0]], "targets": [1, 0], "reduction": "none"}""");

        assertThat(response.get("loss").isNull()).isTrue();
        assertThat(response.get("perSampleLoss").toString()).isEqualTo("[2.0,3.0]");
        assertThat(response.has("gradient")).isFalse();
    }

    /** A worker's kept arrays hold nothing of a previous call of another shape. */
    @Test
    void keptScratchArraysCarryNothingOverBetweenShapes() {
        Random random = new Random(23);
        List<String> bodies = new ArrayList<>();
        int call = 0;
        for (int[] shape : new int[][] {{4, 3}, {4, 3}, {2, 5, 3}, {4, 3}, {300, 4}, {1, 2}, {2, 5, 3}, {2, 5, 3}}) {
            double[] x = new double[size(shape)];
            for (int i = 0; i < x.length; i++) {
                x[i] = -3 * random.nextDouble();
            }
            int[] targetShape = withoutClasses(shape);
            long[] targets = new long[size(targetShape)];
            for (int e = 0; e < targets.length; e++) {
                targets[e] = random.nextInt(shape[1]);
            }
            bodies.add("{\"logProbabilities\": " + NestedArrays.array(x, shape) + ", \"targets\": "
                    + NestedArrays.array(targets, targetShape) + ", \"reduction\": \"" + (call % 3 == 1 ? "sum" : "mean")
                    + "\", \"dtype\": \"" + (call++ % 2 == 0 ? "float32" : "float64")
                    + "\", \"include\": [\"perSampleLoss\", \"gradient\"]}");
        }
        List<JsonNode> first = bodies.stream().map(endpoint::post).toList();
        for (int i = bodies.size() - 1; i >= 0; i--) {
            try (LocalEndpoint fresh = new LocalEndpoint(NLL)) {
                assertThat(endpoint.post(bodies.get(i))).isEqualTo(first.get(i)).isEqualTo(fresh.post(bodies.get(i)));
            }
        }
    }

    private static List<String> pointers(String body) {
        InvalidRequestException invalid = catchThrowableOfType(InvalidRequestException.class,
                () -> endpoint.bind(body));
        return invalid == null ? List.of() : invalid.violations().stream().map(Violation::pointer).toList();
    }

    private static double total(JsonNode response, String reduction) {
        if (!reduction.equals("none")) {
            return response.get("loss").doubleValue();
        }
        double sum = 0;
        for (double value : NestedArrays.flat(response.get("perSampleLoss"))) {
            sum += value;
        }
        return sum;
    }

    private static org.assertj.core.data.Offset<Double> within(JsonNode expected) {
        return org.assertj.core.data.Offset.offset(1e-12 + 1e-10 * Math.abs(expected.doubleValue()));
    }

    private static String weights(Random random, int c) {
        double[] weights = new double[c];
        for (int k = 0; k < c; k++) {
            weights[k] = 0.25 + 2 * random.nextDouble();
        }
        return NestedArrays.array(weights, new int[] {c});
    }

    /** log_softmax along dimension 1, max-shifted, in float64. */
    private static double[] logSoftmax(double[] x, int[] shape) {
        int c = shape[1];
        int spatial = x.length / (shape[0] * c);
        double[] result = new double[x.length];
        for (int n = 0; n < shape[0]; n++) {
            for (int s = 0; s < spatial; s++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, x[(n * c + k) * spatial + s]);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += Math.exp(x[(n * c + k) * spatial + s] - max);
                }
                for (int k = 0; k < c; k++) {
                    int at = (n * c + k) * spatial + s;
                    result[at] = x[at] - max - Math.log(sum);
                }
            }
        }
        return result;
    }

    private static int size(int[] shape) {
        int size = 1;
        for (int dimension : shape) {
            size *= dimension;
        }
        return size;
    }

    private static int[] withoutClasses(int[] shape) {
        int[] positions = new int[shape.length - 1];
        positions[0] = shape[0];
        System.arraycopy(shape, 2, positions, 1, shape.length - 2);
        return positions;
    }
}
