package lossservice.losses.binarycrossentropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import lossservice.loss.DType;
import lossservice.loss.LossCall;
import lossservice.loss.Reduction;
import lossservice.loss.Tensor;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.MalformedRequestException;
import lossservice.problem.Violation;
import lossservice.rest.LocalEndpoint;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules of a binary cross-entropy request and where their violations are reported. */
class BinaryCrossEntropyRequestTests {

    private static final String LOGITS = "\"logits\": [[0.5, 1.5, -2.0], [2.5, 0.0, -1.0]]";
    private static final String TARGETS = "\"targets\": [[1, 0, 0.5], [0, 1, 1]]";

    private static final LocalEndpoint ENDPOINT = new LocalEndpoint(new BinaryCrossEntropy());

    @AfterAll
    static void release() {
        ENDPOINT.close();
    }

    @Test
    void decodesAValidRequestWithItsDefaults() {
        LossCall call = decode("{" + LOGITS + ", " + TARGETS + "}");

        assertThat(call.input("logits").shape()).containsExactly(2, 3);
        assertThat(values(call.input("logits"))).containsExactly(0.5, 1.5, -2.0, 2.5, 0.0, -1.0);
        assertThat(values(call.input("targets"))).containsExactly(1, 0, 0.5, 0, 1, 1);
        assertThat(call.number("epsilon")).isZero();
        assertThat(call.input("posWeight")).isNull();
        assertThat(call.input("classWeights")).isNull();
        assertThat(call.reduction()).isEqualTo(Reduction.MEAN);
        assertThat(call.outputs()).containsExactly("smoothedTargets");
        assertThat(call.dtype()).isEqualTo(DType.FLOAT32);
    }

    @Test
    void reductionNoneAlwaysReturnsTheElementLoss() {
        assertThat(decode("{" + LOGITS + ", " + TARGETS + ", \"reduction\": \"none\", \"include\": []}").outputs())
                .containsExactly("elementLoss");
    }

    @Test
    void anyRankUpToEightIsAccepted() {
        assertThat(decode("{\"logits\": [0.5], \"targets\": [1]}").input("logits").shape()).containsExactly(1);
        assertThat(decode("{\"logits\": [[[[[[[[0.5]]]]]]]], \"targets\": [[[[[[[[1]]]]]]]]}").input("logits").shape())
                .containsExactly(1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(violations("{\"logits\": [[[[[[[[[0.5]]]]]]]]], \"targets\": [[[[[[[[[1]]]]]]]]]}"))
                .extracting(Violation::pointer).containsExactly("/logits");
    }

    @Test
    void float64AcceptsLogitsAndWeightsBeyondFloat32() {
        LossCall call = decode("{\"logits\": [1e39, -1e300], \"targets\": [1, 0],"
                + " \"posWeight\": [1e39, 0.1], \"dtype\": \"float64\"}");

        assertThat(values(call.input("logits"))).containsExactly(1e39, -1e300);
        assertThat(values(call.input("posWeight"))).containsExactly(1e39, 0.1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'" + "\"targets\": [[1, 0, 1.5], [0, 1, 1]]'             | /targets/0/2",
        "'" + "\"targets\": [[1, 0, 1], [0, -1e-300, 1]]'         | /targets/1/1",
        "'" + "\"targets\": [[1, 0, 1], [0, 1.0000001, 1]]'       | /targets/1/1",
        "'" + "\"targets\": [[1, 0, 1], [0, false, 1]]'           | /targets/1/1",
        "'" + "\"targets\": [[1, 0, 1], [0, \"1\", 1]]'           | /targets/1/1",
        "'" + "\"targets\": [[1, 0, 1], [0, null, 1]]'            | /targets/1/1",
        "'" + "\"targets\": [[1, 0, 1], [0, 1]]'                  | /targets/1",
        "'" + "\"targets\": [[1, 0], [0, 1, 1]]'                  | /targets/0",
        "'" + "\"targets\": [[1, 0, 1]]'                          | /targets",
        "'" + "\"targets\": [1, 0]'                               | /targets/0",
        "'" + "\"targets\": [[1, 0, 1], [0, [1], 1]]'             | /targets/1/1",
        "'" + "\"targets\": [[[1], [0], [1]], [[0], [1], [1]]]'   | /targets/0/0",
        "'" + "\"targets\": 1'                                    | /targets",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"posWeight\": [1, 2]'        | /posWeight",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"posWeight\": 2'             | /posWeight",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"posWeight\": [1, [2], 1]'   | /posWeight/1",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"posWeight\": [1, -2, 1]'    | /posWeight/1",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"posWeight\": [1, 1e39, 1]'  | /posWeight/1",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"classWeights\": [1, 1]'     | /classWeights",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"classWeights\": [1, \"NaN\", 1]' | /classWeights/1",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"epsilon\": 1.01'            | /epsilon",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"epsilon\": \"0.1\"'         | /epsilon",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"reduction\": \"batchmean\"' | /reduction",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"include\": [\"perSampleLoss\"]' | /include",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"include\": \"gradient\"'    | /include",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"dtype\": \"FLOAT64\"'       | /dtype",
        "'" + "\"targets\": [[1, 0, 1], [0, 1, 1]], \"labelSmooth\": true'        | /labelSmooth",
    })
    void pointsAtTheOffendingElement(String fields, String pointer) {
        assertThat(violations("{" + LOGITS + ", " + fields + "}")).extracting(Violation::pointer).contains(pointer);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'{\"logits\": [], \"targets\": []}'                                   | /logits",
        "'{\"logits\": [[]], \"targets\": [[]]}'                               | /logits/0",
        "'{\"logits\": [[[1], []]], \"targets\": [[[1], []]]}'                 | /logits/0/1",
        "'{\"logits\": 0.5, \"targets\": 1}'                                   | /logits",
        "'{\"logits\": [[1, 2], [3]], \"targets\": [[1, 0], [1, 0]]}'          | /logits/1",
        "'{\"logits\": [[1, 1e39]], \"targets\": [[1, 0]]}'                    | /logits/0/1",
        "'{\"logits\": [[1, 1e400]], \"targets\": [[1, 0]], \"dtype\": \"float64\"}' | /logits/0/1",
        "'{\"targets\": [[1, 0]]}'                                             | /logits",
        "'{\"logits\": [[1, 2]]}'                                              | /targets",
        // targets before the logits: compared once both are known
        "'{\"targets\": [[1, 0, 1]], \"logits\": [[1, 2]]}'                    | /targets/0",
        "'{\"targets\": [1, 0], \"logits\": [[1, 2], [3, 4]]}'                 | /targets/0",
        "'[1, 2]'                                                              | ''",
    })
    void reportsShapeErrorsWhereTheyAre(String body, String pointer) {
        assertThat(violations(body)).extracting(Violation::pointer).contains(pointer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{\"logits\": [[NaN]], \"targets\": [[1]]}", "{\"logits\": [1,], \"targets\": [1]}",
        "{\"logits\": [1]"})
    void malformedJsonIsNotAViolation(String body) {
        assertThatThrownBy(() -> decode(body)).isInstanceOf(MalformedRequestException.class);
    }

    private static LossCall decode(String body) {
        return ENDPOINT.bind(body);
    }

    private static List<Violation> violations(String body) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> decode(body));
        assertThat(e).as("an InvalidRequestException for " + body).isNotNull();
        return e.violations();
    }

    private static double[] values(Tensor tensor) {
        double[] values = new double[tensor.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.get(i);
        }
        return values;
    }
}
