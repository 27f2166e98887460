package lossservice.losses.binarycrossentropy;

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

/** The maths on its own, without HTTP: oracle requests through ND4J, checked against PyTorch, and edge cases. */
class BinaryCrossEntropyTests {

    private static final LocalEndpoint ENDPOINT = new LocalEndpoint(new BinaryCrossEntropy());

    @AfterAll
    static void release() {
        ENDPOINT.close();
    }

    static List<OracleVectors.Case> validCases() {
        return OracleVectors.valid("bce.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCases")
    void matchesPyTorch(OracleVectors.Case oracleCase) {
        OracleVectors.assertMatches(oracleCase, computeAsJson(oracleCase.body()));
    }

    @Test
    void extremeLogitsWithSoftTargetsStayExactInFloat64() {
        // x = -1e4, t = 1e-9: l = t softplus(1e4) + (1 - t) softplus(-1e4) = 1e-9 * 1e4 + (1 - 1e-9) * e^-1e4 = 1e-5
        // (torch's form cancels here); x = 1e4, t = 0.25: l = 0.25 * 0 + 0.75 * 1e4 = 7500.
        JsonNode result = computeAsJson("""
                {"logits": [-1e4, 1e4, 0], "targets": [1e-9, 0.25, 0.5], "reduction": "none", "dtype": "float64",
                 "include": ["elementLoss", "probabilities", "gradient"]}""");

        assertThat(result.get("elementLoss").get(0).doubleValue()).isCloseTo(1e-5, org.assertj.core.data.Offset.offset(1e-20));
        assertThat(result.get("elementLoss").get(1).doubleValue()).isEqualTo(7500.0);
        assertThat(result.get("elementLoss").get(2).doubleValue()).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-15));
        // dl/dx = (1 - t) sigmoid(x) - t sigmoid(-x)
        assertThat(result.get("gradient").get(0).doubleValue()).isCloseTo(-1e-9, org.assertj.core.data.Offset.offset(1e-24));
        assertThat(result.get("gradient").get(1).doubleValue()).isEqualTo(0.75);
        assertThat(result.get("gradient").get(2).doubleValue()).isEqualTo(0.0);
        assertThat(result.get("probabilities").get(0).doubleValue()).isZero();
        assertThat(result.get("probabilities").get(1).doubleValue()).isEqualTo(1.0);
    }

    @Test
    void weightsRunAlongTheLastDimensionWhateverTheRank() {
        String logits = "[[[0.5, -1.0], [2.0, 0.0]], [[-3.0, 1.0], [0.25, 4.0]]]";
        String targets = "[[[1, 0], [0.5, 1]], [[0, 1], [1, 0]]]";
        JsonNode weighted = computeAsJson("{\"logits\": " + logits + ", \"targets\": " + targets
                + ", \"classWeights\": [2, 0], \"reduction\": \"none\", \"dtype\": \"float64\"}");
        JsonNode plain = computeAsJson("{\"logits\": " + logits + ", \"targets\": " + targets
                + ", \"reduction\": \"none\", \"dtype\": \"float64\"}");

        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 2; i++) {
                JsonNode weightedRow = weighted.get("elementLoss").get(n).get(i);
                JsonNode plainRow = plain.get("elementLoss").get(n).get(i);
                assertThat(weightedRow.get(0).doubleValue()).isEqualTo(2 * plainRow.get(0).doubleValue());
                assertThat(weightedRow.get(1).doubleValue()).isZero();
            }
        }
    }

    @Test
    void theMeanCountsElementsWhoseWeightIsZero() {
        String body = "{\"logits\": [[0.5, -1.0], [2.0, 0.0]], \"targets\": [[1, 0], [0, 1]], \"classWeights\": [1, 0],"
                + " \"dtype\": \"float64\", \"include\": [\"elementLoss\"], \"reduction\": \"%s\"}";
        double sum = computeAsJson(body.formatted("sum")).get("loss").doubleValue();
        double mean = computeAsJson(body.formatted("mean")).get("loss").doubleValue();

        assertThat(mean).isEqualTo(sum / 4);
    }

    @Test
    void aResultBeyondFloat32IsRefused() {
        String body = "{\"logits\": [[3e38, -3e38]], \"targets\": [[0, 1]], \"posWeight\": [3e38, 3e38]}";

        assertThatThrownBy(() -> computeAsJson(body)).isInstanceOf(ResultOutOfRangeException.class);
    }

    private static JsonNode computeAsJson(String body) {
        return ENDPOINT.post(body);
    }
}
