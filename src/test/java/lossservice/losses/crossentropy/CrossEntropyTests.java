package lossservice.losses.crossentropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import lossservice.oracle.OracleVectors;
import lossservice.problem.ResultOutOfRangeException;
import lossservice.rest.LocalEndpoint;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

/** The maths on its own, without HTTP: oracle requests through ND4J, checked against PyTorch. */
class CrossEntropyTests {

    private static final LocalEndpoint ENDPOINT = new LocalEndpoint(new CrossEntropy());

    @AfterAll
    static void release() {
        ENDPOINT.close();
    }

    static List<OracleVectors.Case> validCases() {
        return OracleVectors.valid("cases.json", "large.json", "kdim.json", "float64.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCases")
    void matchesPyTorch(OracleVectors.Case oracleCase) {
        OracleVectors.assertMatches(oracleCase, computeAsJson(oracleCase.body()));
    }

    @Test
    void arraysKeptBetweenRequestsCarryNothingOver() {
        List<OracleVectors.Case> cases = validCases();
        List<JsonNode> first = cases.stream().map(c -> computeAsJson(c.body())).toList();

        // The same requests again, in reverse order, on the same thread: every kept array is reused with
        // other contents and other shapes in between.
        for (int i = cases.size() - 1; i >= 0; i--) {
            assertThat(computeAsJson(cases.get(i).body())).as(cases.get(i).name()).isEqualTo(first.get(i));
        }
    }

    @Test
    void logitsOfPlusMinus1e30StayFinite() {
        JsonNode result = computeAsJson("""
                {"logits": [[1e30, 0, -1e30], [-1e30, 1e30, 0]], "targets": [0, 2], "epsilon": 0.1,
                 "include": ["perSampleLoss", "probabilities", "gradient"]}""");

        // Row 0: l = [0, -1e30, -2e30], L = (0.1 / 3) * 3e30 = 1e29. Row 1: l = [-2e30, 0, -1e30] and the target
        // class 2 has l = -1e30, so L = 0.9 * 1e30 + (0.1 / 3) * 3e30 = 1e30.
        OracleVectors.assertClose("perSampleLoss", OracleVectors.JSON.readTree("[1e29, 1e30]"),
                result.get("perSampleLoss"));
        OracleVectors.assertClose("loss", OracleVectors.JSON.readTree("5.5e29"), result.get("loss"));
        OracleVectors.assertClose("probabilities", OracleVectors.JSON.readTree("[[1, 0, 0], [0, 1, 0]]"),
                result.get("probabilities"));
    }

    @Test
    void aCommonOffsetOfMinus3e4ChangesNothing() {
        String logits = "[[0.5, -1.25, 2.0, 0.0], [1.5, 0.25, -0.75, 3.0]]";
        String shifted = "[[-29999.5, -30001.25, -29998.0, -30000.0], [-29998.5, -29999.75, -30000.75, -29997.0]]";
        String rest = ", \"targets\": [2, 1], \"epsilon\": 0.2, \"include\": [\"perSampleLoss\", \"probabilities\","
                + " \"gradient\"]}";

        JsonNode plain = computeAsJson("{\"logits\": " + logits + rest);
        JsonNode offset = computeAsJson("{\"logits\": " + shifted + rest);

        for (String field : List.of("loss", "perSampleLoss", "probabilities", "gradient")) {
            OracleVectors.assertClose(field, plain.get(field), offset.get(field));
        }
    }

    @Test
    void aResultBeyondFloat32IsRefused() {
        String body = "{\"logits\": [[3e38, -3e38]], \"targets\": [1], \"classWeights\": [3e38, 3e38]}";

        assertThatThrownBy(() -> computeAsJson(body)).isInstanceOf(ResultOutOfRangeException.class);
    }

    @Test
    void theGradientIsNullWhenEveryTargetWeightIsZero() {
        JsonNode result = computeAsJson("""
                {"logits": [[1, 2, 3], [3, 2, 1]], "targets": [0, 0], "classWeights": [0, 1, 1],
                 "include": ["gradient", "perSampleLoss"]}""");

        assertThat(result.get("loss").isNull()).isTrue();
        assertThat(result.get("gradient").isNull()).isTrue();
        assertThat(result.get("perSampleLoss").get(0).doubleValue()).isPositive();
    }

    @Test
    void weightedGradientKeepsFloat32PrecisionWhereItCancels() {
        // With eps = 0 a row's gradient at its target is w_y (p_y - 1): for a confident row (p_y about 0.99)
        // and large weights it is a small difference of large terms, where any rounding in S p is multiplied by
        // the weight. Expected values in double, from the float32 logits.
        java.util.Random random = new java.util.Random(7);
        int rows = 64;
        int classes = 3;
        double[] weights = {6, 8, 10};
        float[][] logits = new float[rows][classes];
        int[] targets = new int[rows];
        StringBuilder body = new StringBuilder("{\"logits\": [");
        for (int i = 0; i < rows; i++) {
            targets[i] = random.nextInt(classes);
            body.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < classes; j++) {
                logits[i][j] = (float) (random.nextGaussian() + (j == targets[i] ? 6 : 0));
                body.append(j == 0 ? "" : ", ").append(logits[i][j]);
            }
            body.append(']');
        }
        body.append("], \"targets\": ").append(java.util.Arrays.toString(targets))
                .append(", \"classWeights\": [6, 8, 10], \"epsilon\": 0, \"reduction\": \"sum\",")
                .append(" \"include\": [\"gradient\"]}");

        JsonNode gradient = computeAsJson(body.toString()).get("gradient");

        for (int i = 0; i < rows; i++) {
            double max = Math.max(logits[i][0], Math.max(logits[i][1], logits[i][2]));
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(logits[i][j] - max);
            }
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(logits[i][j] - max) / sum;
                double expected = weights[targets[i]] * (p - (j == targets[i] ? 1 : 0));
                double actual = gradient.get(i).get(j).asDouble();
                assertThat(Math.abs(actual - expected)).as("gradient[%d][%d]", i, j)
                        .isLessThanOrEqualTo(1e-6 + 1e-5 * Math.abs(expected));
            }
        }
    }

    private static JsonNode computeAsJson(String body) {
        return ENDPOINT.post(body);
    }
}
