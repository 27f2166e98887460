package lossservice.losses.sigmoidfocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import lossservice.problem.InvalidRequestException;
import lossservice.problem.Violation;
import lossservice.rest.LocalEndpoint;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules of the sigmoid focal loss beyond the public vectors: each broken rule is reported at its pointer. */
class SigmoidFocalRulesTests {

    private static final LocalEndpoint SIGMOID_FOCAL = new LocalEndpoint(new SigmoidFocal());

    @AfterAll
    static void close() {
        SIGMOID_FOCAL.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            alpha above 1 | {"logits": [1, 2], "targets": [1, 0], "alpha": 1.0000001} | /alpha
            alpha a string | {"logits": [1, 2], "targets": [1, 0], "alpha": "0.25"} | /alpha
            alpha a boolean | {"logits": [1, 2], "targets": [1, 0], "alpha": false} | /alpha
            alpha minus infinity | {"logits": [1, 2], "targets": [1, 0], "alpha": -1e400} | /alpha
            alpha beyond float32 | {"logits": [1, 2], "targets": [1, 0], "alpha": -1e39} | /alpha
            alpha repeated | {"logits": [1, 2], "targets": [1, 0], "alpha": 0.5, "alpha": 0.5} | /alpha
            gamma negative | {"logits": [1, 2], "targets": [1, 0], "gamma": -1e-300} | /gamma
            gamma an array | {"logits": [1, 2], "targets": [1, 0], "gamma": [2]} | /gamma
            gamma beyond float32 | {"logits": [1, 2], "targets": [1, 0], "gamma": 3.5e38} | /gamma
            epsilon above 1 | {"logits": [1, 2], "targets": [1, 0], "epsilon": 1.01} | /epsilon
            posWeight unknown | {"logits": [1, 2], "targets": [1, 0], "posWeight": [1, 1]} | /posWeight
            classWeights unknown | {"logits": [1, 2], "targets": [1, 0], "classWeights": [1, 1]} | /classWeights
            ignoreIndex unknown | {"logits": [1, 2], "targets": [1, 0], "ignoreIndex": -100} | /ignoreIndex
            include perSampleLoss | {"logits": [1, 2], "targets": [1, 0], "include": ["perSampleLoss"]} | /include
            include a string | {"logits": [1, 2], "targets": [1, 0], "include": "gradient"} | /include
            reduction batchmean | {"logits": [1, 2], "targets": [1, 0], "reduction": "batchmean"} | /reduction
            target above 1 | {"logits": [[1, 2], [3, 4]], "targets": [[1, 0], [1.5, 0]]} | /targets/1/0
            target below 0 | {"logits": [[1, 2], [3, 4]], "targets": [[1, -1e-300], [1, 0]]} | /targets/0/1
            target null | {"logits": [1, 2], "targets": [1, null]} | /targets/1
            target boolean | {"logits": [1, 2], "targets": [true, 0]} | /targets/0
            targets one short | {"logits": [[1, 2], [3, 4]], "targets": [[1, 0], [1]]} | /targets/1
            targets of another N | {"logits": [[1, 2], [3, 4]], "targets": [[1, 0]]} | /targets
            targets of another depth | {"logits": [[[1, 2]], [[3, 4]]], "targets": [[1, 0], [1, 0]]} | /targets/0/0
            nine dimensions | {"logits": [[[[[[[[[1]]]]]]]]], "targets": [[[[[[[[[1]]]]]]]]]} | /logits
            a bare number | {"logits": 1.5, "targets": 1} | /logits
            empty logits | {"logits": [], "targets": []} | /logits
            empty inner dimension | {"logits": [[]], "targets": [[]]} | /logits/0
            ragged logits | {"logits": [[1, 2], [3]], "targets": [[1, 0], [1, 0]]} | /logits/1
            logits beyond float32 | {"logits": [[1, 2], [3, -1e39]], "targets": [[1, 0], [1, 0]]} | /logits/1/1
            missing targets | {"logits": [1, 2]} | /targets
            dtype unknown | {"logits": [1, 2], "targets": [1, 0], "dtype": "float16"} | /dtype
            """)
    void aBrokenRuleIsReportedAtItsPointer(String rule, String body, String pointer) {
        InvalidRequestException invalid = catchThrowableOfType(InvalidRequestException.class,
                () -> SIGMOID_FOCAL.bind(body));
        assertThat(invalid).as(rule).isNotNull();
        assertThat(invalid.violations()).extracting(Violation::pointer).as(rule).contains(pointer);
    }

    @Test
    void everyBrokenRuleIsReportedAtOnce() {
        InvalidRequestException invalid = catchThrowableOfType(InvalidRequestException.class,
                () -> SIGMOID_FOCAL.bind("""
                        {"logits": [1, 2], "targets": [2, -1], "alpha": 2, "gamma": -1, "posWeight": [1, 1]}"""));
        assertThat(invalid.violations()).extracting(Violation::pointer)
                .contains("/targets/0", "/targets/1", "/alpha", "/gamma", "/posWeight");
    }

    @Test
    void whatTheRulesAllow() {
        for (String body : List.of(
                "{\"logits\": [1, 2], \"targets\": [1, 0], \"alpha\": 1}",
                "{\"logits\": [1, 2], \"targets\": [1, 0], \"alpha\": -1e30}",
                "{\"logits\": [1, 2], \"targets\": [1, 0], \"alpha\": -1e39, \"dtype\": \"float64\"}",
                "{\"logits\": [1, 2], \"targets\": [1, 0], \"gamma\": 0, \"epsilon\": 1}",
                "{\"logits\": [1, 2], \"targets\": [0.25, 1e-30]}",
                "{\"logits\": [[[[[[[[1, 2]]]]]]]], \"targets\": [[[[[[[[1, 0]]]]]]]]}")) {
            assertThat(SIGMOID_FOCAL.bind(body)).as(body).isNotNull();
            assertThat(SIGMOID_FOCAL.post(body).get("loss").isNumber()).as(body).isTrue();
        }
    }
}
