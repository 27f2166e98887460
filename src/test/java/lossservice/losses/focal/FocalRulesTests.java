package lossservice.losses.focal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import lossservice.loss.LossCall;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.Violation;
import lossservice.rest.LocalEndpoint;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules of the focal loss beyond the public vectors: each broken rule is reported at its JSON pointer. */
class FocalRulesTests {

    private static final LocalEndpoint FOCAL = new LocalEndpoint(new Focal());

    @AfterAll
    static void close() {
        FOCAL.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            gamma negative | {"logits": [[1, 2]], "targets": [0], "gamma": -0.5} | /gamma
            gamma a string | {"logits": [[1, 2]], "targets": [0], "gamma": "2"} | /gamma
            gamma a boolean | {"logits": [[1, 2]], "targets": [0], "gamma": true} | /gamma
            gamma an array | {"logits": [[1, 2]], "targets": [0], "gamma": [2]} | /gamma
            gamma beyond float32 | {"logits": [[1, 2]], "targets": [0], "gamma": 1e39} | /gamma
            gamma overflowing | {"logits": [[1, 2]], "targets": [0], "gamma": 1e400} | /gamma
            gamma repeated | {"logits": [[1, 2]], "targets": [0], "gamma": 2, "gamma": 2} | /gamma
            epsilon negative | {"logits": [[1, 2]], "targets": [0], "epsilon": -0.1} | /epsilon
            epsilon above 1 | {"logits": [[1, 2]], "targets": [0], "epsilon": 1.5} | /epsilon
            labelSmooth unknown | {"logits": [[1, 2]], "targets": [0], "labelSmooth": false} | /labelSmooth
            numClasses unknown | {"logits": [[1, 2]], "targets": [0], "numClasses": 2} | /numClasses
            alpha unknown | {"logits": [[1, 2]], "targets": [0], "alpha": 0.25} | /alpha
            temperature unknown | {"logits": [[1, 2]], "targets": [0], "temperature": 2} | /temperature
            include elementLoss | {"logits": [[1, 2]], "targets": [0], "include": ["elementLoss"]} | /include
            include of kl | {"logits": [[1, 2]], "targets": [0], "include": ["teacherProbabilities"]} | /include
            reduction batchmean | {"logits": [[1, 2]], "targets": [0], "reduction": "batchmean"} | /reduction
            soft targets ignoreIndex | {"logits": [[1, 2]], "targets": [[0.5, 0.5]], "ignoreIndex": 255} | /ignoreIndex
            index not integral | {"logits": [[1, 2], [3, 4]], "targets": [0, 1.0]} | /targets/1
            index out of range | {"logits": [[1, 2], [3, 4]], "targets": [0, 2]} | /targets/1
            index -1 not ignored | {"logits": [[1, 2], [3, 4]], "targets": [-1, 0]} | /targets/0
            index -100 once ignored | {"logits": [[1, 2], [3, 4]], "targets": [-100, 0], "ignoreIndex": 0} | /targets/0
            kdim index out of range | {"logits": [[[1, 2], [3, 4], [5, 6]]], "targets": [[0, 3]]} | /targets/0/1
            kdim targets wrong depth | {"logits": [[[1, 2], [3, 4], [5, 6]]], "targets": [0]} | /targets
            kdim targets wrong length | {"logits": [[[1, 2], [3, 4], [5, 6]]], "targets": [[0, 1, 2]]} | /targets/0
            soft row too short | {"logits": [[1, 2, 3]], "targets": [[0.5, 0.5]]} | /targets/0
            soft negative | {"logits": [[1, 2]], "targets": [[0.5, -0.5]]} | /targets/0/1
            classWeights too long | {"logits": [[1, 2]], "targets": [0], "classWeights": [1, 1, 1]} | /classWeights
            classWeights negative | {"logits": [[1, 2]], "targets": [0], "classWeights": [1, -1]} | /classWeights/1
            six dimensions | {"logits": [[[[[[1]], [[2]]]]]], "targets": [[[[[0]]]]]} | /logits
            one class | {"logits": [[1], [2]], "targets": [0, 0]} | /logits/0
            ragged logits | {"logits": [[1, 2], [3]], "targets": [0, 0]} | /logits/1
            empty dimension | {"logits": [[[], [], []]], "targets": [[]]} | /logits/0/0
            logits beyond float32 | {"logits": [[1, 1e39]], "targets": [0]} | /logits/0/1
            dtype upper case | {"logits": [[1, 2]], "targets": [0], "dtype": "FLOAT64"} | /dtype
            missing logits | {"targets": [0]} | /logits
            logits null | {"logits": null, "targets": [0]} | /logits
            """)
    void aBrokenRuleIsReportedAtItsPointer(String rule, String body, String pointer) {
        InvalidRequestException invalid = catchThrowableOfType(InvalidRequestException.class, () -> FOCAL.bind(body));
        assertThat(invalid).as(rule).isNotNull();
        assertThat(invalid.violations()).extracting(Violation::pointer).as(rule).contains(pointer);
    }

    @Test
    void everyBrokenRuleIsReportedAtOnce() {
        InvalidRequestException invalid = catchThrowableOfType(InvalidRequestException.class, () -> FOCAL.bind("""
                {"logits": [[1, 2], [3, 4]], "targets": [5, -7], "gamma": -1, "epsilon": 2, "labelSmooth": true}"""));
        assertThat(invalid.violations()).extracting(Violation::pointer)
                .contains("/targets/0", "/targets/1", "/gamma", "/epsilon", "/labelSmooth");
    }

    @Test
    void whatTheRulesAllow() {
        for (String body : List.of(
                "{\"logits\": [[1, 2]], \"targets\": [0], \"gamma\": 0}",
                "{\"logits\": [[1, 2]], \"targets\": [0], \"gamma\": 1e39, \"dtype\": \"float64\"}",
                "{\"logits\": [[1, 2]], \"targets\": [[0.25, 0.75]], \"ignoreIndex\": -100}",
                "{\"logits\": [[1, 2]], \"targets\": [[3, 0]], \"epsilon\": 1}",
                "{\"logits\": [[1, 2], [3, 4]], \"targets\": [-1, 1], \"ignoreIndex\": -1}",
                "{\"logits\": [[1, 2], [3, 4]], \"targets\": [7, 1], \"ignoreIndex\": 7}",
                "{\"logits\": [[1, 2], [3, 4]], \"targets\": [0, 1], \"ignoreIndex\": 1}",
                "{\"logits\": [[1, 2]], \"targets\": [1], \"classWeights\": [0, 0]}",
                "{\"logits\": [[[[[1]]], [[[2]]]]], \"targets\": [[[[1]]]]}")) {
            LossCall call = FOCAL.bind(body);
            assertThat(call).as(body).isNotNull();
            assertThat(FOCAL.post(body).get("reduction").asString()).as(body).isEqualTo("mean");
        }
    }
}
