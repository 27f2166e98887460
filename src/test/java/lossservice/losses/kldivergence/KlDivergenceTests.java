package lossservice.losses.kldivergence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import lossservice.loss.Example;
import lossservice.oracle.OracleVectors;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.Violation;
import lossservice.rest.LocalEndpoint;
import tools.jackson.databind.JsonNode;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import lossservice.oracle.NestedArrays;

/** The maths and the rules of {@code POST /v1/losses/kl-divergence}, through the JSON endpoint without HTTP. */
class KlDivergenceTests {

    private static final KlDivergence KL = new KlDivergence();
    private static final String ALL = "[\"teacherProbabilities\", \"studentProbabilities\", \"perSampleLoss\","
            + " \"gradient\"]";

    private static LocalEndpoint endpoint;

    @BeforeAll
    static void open() {
        endpoint = new LocalEndpoint(KL);
    }

    @AfterAll
    static void close() {
        endpoint.close();
    }

    static List<OracleVectors.Case> validCases() {
        return OracleVectors.valid("kl.json");
    }

    /** The rejections of the public vectors that are about the request's rules (422), not its JSON syntax. */
    static List<OracleVectors.Case> invalidCases() {
        return OracleVectors.invalid("kl_invalid.json").stream().filter(c -> c.expectedStatus() == 422).toList();
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
        assertThat(KL.examples()).hasSizeGreaterThanOrEqualTo(2);
        for (Example example : KL.examples()) {
            assertThat(example.response()).as(example.name()).isNotNull();
            OracleVectors.assertSameDocument(example.name(), LocalEndpoint.JSON.readTree(example.response()),
                    endpoint.post(example.request()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"batchmean", "mean", "sum", "none"})
    void everyOutputIsTheFormulaComputedIndependently(String reduction) {
        Random random = new Random(reduction.hashCode());
        for (int[] shape : new int[][] {{4, 5}, {3, 7, 4}, {2, 3, 2, 3}, {2, 4, 1, 2, 3}, {16, 1000}}) {
            for (double temperature : new double[] {1.0, 0.5, 2.0, 4.5, 20.0}) {
                double[] s = logits(random, shape, 3.0);
                double[] t = logits(random, shape, 3.0);
                for (String dtype : new String[] {"float32", "float64"}) {
                    JsonNode response = endpoint.post(body(s, t, shape, temperature, reduction, dtype, ALL));
                    assertMatches(response, Reference.of(s, t, shape, temperature, reduction), dtype);
                }
            }
        }
    }

    @Test
    void identicalStudentAndTeacherGiveExactlyZeroAndAZeroGradient() {
        Random random = new Random(1);
        for (int[] shape : new int[][] {{3, 4}, {2, 5, 3}, {2, 3, 2, 2, 2}, {128, 300}}) {
            double[] logits = logits(random, shape, 5.0);
            for (String dtype : new String[] {"float32", "float64"}) {
                for (String reduction : new String[] {"batchmean", "sum", "none"}) {
                    JsonNode response = endpoint.post(body(logits, logits, shape, 3.0, reduction, dtype, ALL));

                    if (!reduction.equals("none")) {
                        assertThat(response.get("loss").doubleValue()).isZero();
                    }
                    assertThat(NestedArrays.flat(response.get("perSampleLoss"))).containsOnly(0.0);
                    assertThat(NestedArrays.flat(response.get("gradient"))).containsOnly(0.0);
                    assertThat(response.get("studentProbabilities")).isEqualTo(response.get("teacherProbabilities"));
                }
            }
        }
    }

    /** Adding a constant to the C logits of one position, of either input, changes nothing. */
    @Test
    void aConstantAddedToOnePositionsLogitsChangesNothing() {
        int[] shape = {2, 4, 3};
        Random random = new Random(2);
        // Multiples of 1/64 up to 8: every sum below is exact in float32, so both requests see the same differences.
        double[] s = new double[24];
        double[] t = new double[24];
        for (int i = 0; i < s.length; i++) {
            s[i] = random.nextInt(1024) / 64.0 - 8;
            t[i] = random.nextInt(1024) / 64.0 - 8;
        }
        double[] shiftedStudent = s.clone();
        double[] shiftedTeacher = t.clone();
        for (int k = 0; k < 4; k++) {
            shiftedStudent[(4 + k) * 3 + 1] += 64;      // position (n = 1, d1 = 1) of the student
            shiftedTeacher[k * 3 + 2] -= 32;            // position (n = 0, d1 = 2) of the teacher
        }
        for (String dtype : new String[] {"float32", "float64"}) {
            JsonNode plain = endpoint.post(body(s, t, shape, 1.5, "sum", dtype, ALL));
            JsonNode shifted = endpoint.post(body(shiftedStudent, shiftedTeacher, shape, 1.5, "sum", dtype, ALL));

            assertThat(shifted).isEqualTo(plain);
        }
    }

    /** Central differences of the loss in float64 agree with the closed-form gradient. */
    @ParameterizedTest
    @ValueSource(strings = {"batchmean", "mean", "sum", "none"})
    void theGradientIsTheSlopeOfTheLoss(String reduction) {
        int[] shape = {2, 3, 2};
        Random random = new Random(8);
        double[] s = logits(random, shape, 2.0);
        double[] t = logits(random, shape, 2.0);
        double temperature = 2.5;
        double[] gradient = NestedArrays.flat(endpoint.post(body(s, t, shape, temperature, reduction, "float64",
                "[\"gradient\"]")).get("gradient"));
        double h = 1e-5;
        for (int i = 0; i < s.length; i++) {
            double[] up = s.clone();
            double[] down = s.clone();
            up[i] += h;
            down[i] -= h;
            double slope = (total(endpoint.post(body(up, t, shape, temperature, reduction, "float64", "[]")))
                    - total(endpoint.post(body(down, t, shape, temperature, reduction, "float64", "[]")))) / (2 * h);
            assertThat(gradient[i]).as("entry " + i).isCloseTo(slope, Offset.offset(1e-8));
        }
    }

    @Test
    void logitsOfPlusMinus1e4AndRowsOffsetBy3e4AreExactInBothPrecisions() {
        int[] shape = {3, 4};
        double[] s = {1e4, -1e4, 0.0, 5.0, -1e4, 1e4, 3.0, -2.0, 0.5, 0.25, -0.75, 1.0};
        double[] t = {-1e4, 1e4, 0.0, -5.0, 2.0, 1e4, -1e4, 1.0, -0.5, 0.75, 0.25, -1.0};
        for (double temperature : new double[] {1.0, 4.0}) {
            for (String dtype : new String[] {"float32", "float64"}) {
                assertMatches(endpoint.post(body(s, t, shape, temperature, "sum", dtype, ALL)),
                        Reference.of(s, t, shape, temperature, "sum"), dtype);
            }
        }
        // Rows offset by -3e4 (the teacher's by -3e4, -6e4, -9e4): multiples of 2^-7 stay exact in float32 there
        // (its spacing is 2^-9 at 3e4, 2^-7 at 9e4).
        Random random = new Random(4);
        double[] plainStudent = new double[12];
        double[] plainTeacher = new double[12];
        double[] offsetStudent = new double[12];
        double[] offsetTeacher = new double[12];
        for (int i = 0; i < 12; i++) {
            plainStudent[i] = random.nextInt(1024) / 128.0;
            plainTeacher[i] = random.nextInt(1024) / 128.0;
            offsetStudent[i] = plainStudent[i] - 30000;
            offsetTeacher[i] = plainTeacher[i] - 30000 * (i / 4 + 1);
        }
        for (double temperature : new double[] {1.0, 3.0}) {
            for (String dtype : new String[] {"float32", "float64"}) {
                JsonNode offset = endpoint.post(body(offsetStudent, offsetTeacher, shape, temperature, "batchmean",
                        dtype, ALL));
                assertMatches(offset, Reference.of(plainStudent, plainTeacher, shape, temperature, "batchmean"),
                        dtype);
                assertThat(offset).isEqualTo(endpoint.post(body(plainStudent, plainTeacher, shape, temperature,
                        "batchmean", dtype, ALL)));
            }
        }
    }

    @Test
    void aTeacherProbabilityThatUnderflowsContributesNothing() {
        // softmax(t) = [1, 0, 0] in both precisions; the student's log-probabilities there are finite.
        JsonNode response = endpoint.post("""
                {"studentLogits": [[0.0, 1.0, 2.0]], "teacherLogits": [[1e30, 0.0, -1e30]], "reduction": "sum",
                 "include": ["teacherProbabilities", "gradient"]}""");

        double expected = Math.log(1 + Math.exp(1) + Math.exp(2));
        assertThat(response.get("loss").floatValue()).isEqualTo((float) expected);
        assertThat(response.get("teacherProbabilities").toString()).isEqualTo("[[1.0,0.0,0.0]]");
        assertThat(NestedArrays.flat(response.get("gradient"))).doesNotContain(Double.NaN);
    }

    @Test
    void aFloat32ResultIsTheFloat64ResultRoundedOnce() {
        Random random = new Random(6);
        int[] shape = {5, 9, 2};
        double[] s = logits(random, shape, 4.0);
        double[] t = logits(random, shape, 4.0);
        JsonNode float32 = endpoint.post(body(s, t, shape, 3.0, "mean", "float32", ALL));
        JsonNode float64 = endpoint.post(body(s, t, shape, 3.0, "mean", "float64", ALL));

        assertThat(float32.get("loss").floatValue()).isEqualTo((float) float64.get("loss").doubleValue());
        for (String output : new String[] {"teacherProbabilities", "studentProbabilities", "perSampleLoss",
                "gradient"}) {
            double[] narrow = NestedArrays.flat(float32.get(output));
            double[] wide = NestedArrays.flat(float64.get(output));
            for (int i = 0; i < wide.length; i++) {
                assertThat((float) narrow[i]).as(output + " " + i).isEqualTo((float) wide[i]);
            }
        }
    }

    @Test
    void theLossIsTheSameNumberWhateverTheRequestIncludes() {
        Random random = new Random(12);
        int[] shape = {50, 30, 3};
        double[] s = logits(random, shape, 3.0);
        double[] t = logits(random, shape, 3.0);
        for (String dtype : new String[] {"float32", "float64"}) {
            for (String reduction : new String[] {"batchmean", "mean", "sum"}) {
                List<String> losses = new ArrayList<>();
                for (String include : new String[] {"[]", "[\"teacherProbabilities\"]", "[\"gradient\"]",
                        "[\"perSampleLoss\"]", "[\"studentProbabilities\", \"gradient\"]", ALL}) {
                    losses.add(endpoint.post(body(s, t, shape, 2.0, reduction, dtype, include)).get("loss")
                            .toString());
                }
                assertThat(losses).as(dtype + " " + reduction).containsOnly(losses.get(0));
            }
        }
    }

    @Test
    void batchmeanDividesByNAndMeanByEveryElement() {
        Random random = new Random(9);
        int[] shape = {3, 4, 5};
        double[] s = logits(random, shape, 2.0);
        double[] t = logits(random, shape, 2.0);
        double sum = endpoint.post(body(s, t, shape, 2.0, "sum", "float64", "[]")).get("loss").doubleValue();
        JsonNode none = endpoint.post(body(s, t, shape, 2.0, "none", "float64", "[]"));

        assertThat(endpoint.post(body(s, t, shape, 2.0, "batchmean", "float64", "[]")).get("loss").doubleValue())
                .isCloseTo(sum / 3, Offset.offset(1e-15));
        assertThat(endpoint.post(body(s, t, shape, 2.0, "mean", "float64", "[]")).get("loss").doubleValue())
                .isCloseTo(sum / 60, Offset.offset(1e-15));
        assertThat(none.get("loss").isNull()).isTrue();
        assertThat(none.get("perSampleLoss").size()).isEqualTo(3);
        assertThat(none.get("perSampleLoss").get(0).size()).isEqualTo(5);
        assertThat(none.get("temperature").doubleValue()).isEqualTo(2.0);
    }

    @Test
    void theDefaultsAreBatchmeanTemperatureOneAndTheTeachersProbabilities() {
        JsonNode response = endpoint.post("""
                {"studentLogits": [[1.0, 2.0], [0.5, 0.0]], "teacherLogits": [[2.0, 1.0], [0.0, 0.0]]}""");

        assertThat(response.get("reduction").asString()).isEqualTo("batchmean");
        assertThat(response.get("temperature").doubleValue()).isEqualTo(1.0);
        assertThat(response.has("teacherProbabilities")).isTrue();
        assertThat(response.has("studentProbabilities") || response.has("perSampleLoss")
                || response.has("gradient")).isFalse();
    }

    @Test
    void theRulesAreReportedWhereTheyAreBroken() {
        String student = "[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[1.5, 2.5], [3.5, 4.5], [5.5, 6.5]]]";
        String prefix = "{\"studentLogits\": " + student + ", ";
        assertThat(pointers(prefix + "\"teacherLogits\": " + student + "}")).isEmpty();
        assertThat(pointers(prefix + "\"teacherLogits\": [[[1.0, 2.0, 0.0], [3.0, 4.0, 0.0], [5.0, 6.0, 0.0]],"
                + " [[1.5, 2.5, 0.0], [3.5, 4.5, 0.0], [5.5, 6.5, 0.0]]]}")).containsExactly("/teacherLogits");
        assertThat(pointers(prefix + "\"teacherLogits\": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}"))
                .containsExactly("/teacherLogits");
        assertThat(pointers(prefix + "\"teacherLogits\": [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],"
                + " [[1.5, 2.5], [3.5], [5.5, 6.5]]]}")).containsExactly("/teacherLogits/1/1");
        assertThat(pointers(prefix + "\"teacherLogits\": [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],"
                + " [[1.5, 2.5], [3.5, \"NaN\"], [5.5, 6.5]]]}")).containsExactly("/teacherLogits/1/1/1");
        assertThat(pointers(prefix + "\"teacherLogits\": [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],"
                + " [[1.5, 2.5], [3.5, 1e39], [5.5, 6.5]]]}")).containsExactly("/teacherLogits/1/1/1");
        assertThat(pointers(prefix + "\"teacherLogits\": [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],"
                + " [[1.5, 2.5], [3.5, 1e39], [5.5, 6.5]]], \"dtype\": \"float64\"}")).isEmpty();
        assertThat(pointers("{\"teacherLogits\": " + student + "}")).containsExactly("/studentLogits");

        String both = "{\"studentLogits\": [[1.0, 2.0]], \"teacherLogits\": [[2.0, 1.0]], ";
        for (String temperature : new String[] {"0", "-1e-300", "-2.0", "\"2\"", "true", "[2.0]", "1e400",
                "1e39"}) {
            assertThat(pointers(both + "\"temperature\": " + temperature + "}")).as(temperature)
                    .containsExactly("/temperature");
        }
        assertThat(pointers(both + "\"temperature\": 1e39, \"dtype\": \"float64\"}")).isEmpty();
        assertThat(pointers(both + "\"temperature\": 1e-30}")).isEmpty();
        assertThat(pointers(both + "\"temperature\": 2.0, \"temperature\": 2.0}")).containsExactly("/temperature");
        assertThat(pointers(both + "\"reduction\": \"batch_mean\"}")).containsExactly("/reduction");
        assertThat(pointers(both + "\"include\": [\"elementLoss\"]}")).contains("/include");
        assertThat(pointers(both + "\"ignoreIndex\": -100, \"epsilon\": 0.1}"))
                .containsExactly("/ignoreIndex", "/epsilon");
        assertThat(pointers("{\"studentLogits\": [[1.0], [2.0]], \"teacherLogits\": [[1.0], [2.0]]}"))
                .containsExactly("/studentLogits/0");
    }

    /** A worker's kept arrays hold nothing of a previous call of another shape or temperature. */
    @Test
    void keptScratchArraysCarryNothingOverBetweenShapes() {
        Random random = new Random(31);
        List<String> bodies = new ArrayList<>();
        int[][] shapes = {{4, 3}, {4, 3}, {2, 5, 3}, {4, 3}, {300, 1000}, {1, 2}, {2, 5, 3}, {2, 5, 3}, {3, 4}};
        double[] temperatures = {1.0, 3.0, 2.0, 3.0, 2.0, 1.0, 0.5, 0.5, 1.0};
        String[] dtypes = {"float32", "float32", "float64", "float64", "float32", "float64", "float32", "float64",
            "float32"};
        for (int i = 0; i < shapes.length; i++) {
            double[] s = logits(random, shapes[i], 3.0);
            double[] t = logits(random, shapes[i], 3.0);
            bodies.add(body(s, t, shapes[i], temperatures[i], i % 3 == 0 ? "sum" : "batchmean", dtypes[i], ALL));
        }
        List<JsonNode> first = bodies.stream().map(endpoint::post).toList();
        for (int i = bodies.size() - 1; i >= 0; i--) {
            try (LocalEndpoint fresh = new LocalEndpoint(KL)) {
                assertThat(endpoint.post(bodies.get(i))).isEqualTo(first.get(i)).isEqualTo(fresh.post(bodies.get(i)));
            }
        }
    }

    /** The formulas of the contract, written out in float64 as torch computes them: divide, then log_softmax. */
    private record Reference(double loss, double[] perSample, double[] teacherProbabilities,
                             double[] studentProbabilities, double[] gradient) {

        static Reference of(double[] s, double[] t, int[] shape, double temperature, String reduction) {
            int n = shape[0];
            int c = shape[1];
            int spatial = s.length / (n * c);
            double[] ls = logSoftmax(s, n, c, spatial, temperature);
            double[] lt = logSoftmax(t, n, c, spatial, temperature);
            double denominator = switch (reduction) {
                case "batchmean" -> n;
                case "mean" -> s.length;
                default -> 1.0;
            };
            double[] perSample = new double[n * spatial];
            double[] ps = new double[s.length];
            double[] pt = new double[s.length];
            double[] gradient = new double[s.length];
            double sum = 0;
            for (int i = 0; i < s.length; i++) {
                ps[i] = Math.exp(ls[i]);
                pt[i] = Math.exp(lt[i]);
                double k = temperature * temperature * pt[i] * (lt[i] - ls[i]);
                perSample[(i / (c * spatial)) * spatial + i % spatial] += k;
                sum += k;
                gradient[i] = temperature * (ps[i] - pt[i]) / denominator;
            }
            return new Reference(sum / denominator, perSample, pt, ps, gradient);
        }

        private static double[] logSoftmax(double[] x, int n, int c, int spatial, double temperature) {
            double[] result = new double[x.length];
            for (int row = 0; row < n; row++) {
                for (int e = 0; e < spatial; e++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < c; k++) {
                        max = Math.max(max, x[(row * c + k) * spatial + e] / temperature);
                    }
                    double sum = 0;
                    for (int k = 0; k < c; k++) {
                        sum += Math.exp(x[(row * c + k) * spatial + e] / temperature - max);
                    }
                    for (int k = 0; k < c; k++) {
                        int at = (row * c + k) * spatial + e;
                        result[at] = x[at] / temperature - max - Math.log(sum);
                    }
                }
            }
            return result;
        }
    }

    private static void assertMatches(JsonNode response, Reference expected, String dtype) {
        boolean float64 = dtype.equals("float64");
        double atol = float64 ? 1e-12 : 1e-6;
        double rtol = float64 ? 1e-10 : 1e-5;
        if (!response.get("loss").isNull()) {
            assertClose("loss", new double[] {expected.loss()}, new double[] {response.get("loss").doubleValue()},
                    atol, rtol);
        }
        assertClose("perSampleLoss", expected.perSample(), NestedArrays.flat(response.get("perSampleLoss")), atol, rtol);
        assertClose("teacherProbabilities", expected.teacherProbabilities(),
                NestedArrays.flat(response.get("teacherProbabilities")), atol, rtol);
        assertClose("studentProbabilities", expected.studentProbabilities(),
                NestedArrays.flat(response.get("studentProbabilities")), atol, rtol);
        assertClose("gradient", expected.gradient(), NestedArrays.flat(response.get("gradient")), atol, rtol);
    }

    private static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as(what + " " + i).isCloseTo(expected[i],
                    Offset.offset(atol + rtol * Math.abs(expected[i])));
        }
    }

    private static List<String> pointers(String body) {
        InvalidRequestException invalid = catchThrowableOfType(InvalidRequestException.class,
                () -> endpoint.bind(body));
        return invalid == null ? List.of() : invalid.violations().stream().map(Violation::pointer).toList();
    }

    private static double total(JsonNode response) {
        if (!response.get("loss").isNull()) {
            return response.get("loss").doubleValue();
        }
        double sum = 0;
        for (double value : NestedArrays.flat(response.get("perSampleLoss"))) {
            sum += value;
        }
        return sum;
    }

    /** Float32 numbers from N(0, scale^2), so that both precisions compute with the same inputs. */
    private static double[] logits(Random random, int[] shape, double scale) {
        int size = 1;
        for (int dimension : shape) {
            size *= dimension;
        }
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (scale * random.nextGaussian());
        }
        return values;
    }

    private static String body(double[] s, double[] t, int[] shape, double temperature, String reduction,
            String dtype, String include) {
        return "{\"studentLogits\": " + NestedArrays.array(s, shape) + ", \"teacherLogits\": " + NestedArrays.array(t, shape)
                + ", \"temperature\": " + temperature + ", \"reduction\": \"" + reduction + "\", \"dtype\": \""
                + dtype + "\", \"include\": " + include + "}";
    }
}
