package lossservice.losses.crossentropy;

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

/** The rules of a cross-entropy request and where their violations are reported, through the JSON endpoint's reader. */
class CrossEntropyRequestTests {

    private static final String LOGITS = "\"logits\": [[0.5, 1.5, -2.0], [2.5, 0.0, -1.0]]";
    private static final String LOGITS_2x3x2 = "\"logits\": [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]";

    private static final LocalEndpoint ENDPOINT = new LocalEndpoint(new CrossEntropy());

    @AfterAll
    static void release() {
        ENDPOINT.close();
    }

    @Test
    void decodesAValidRequestWithItsDefaults() {
        LossCall call = decode("{" + LOGITS + ", \"targets\": [2, 0]}");

        assertThat(call.input("logits").shape()).containsExactly(2, 3);
        assertThat(values(call.input("logits"))).containsExactly(0.5, 1.5, -2.0, 2.5, 0.0, -1.0);
        assertThat(call.input("logits").dtype()).isEqualTo(DType.FLOAT32);
        assertThat(call.input("targets").dtype()).isEqualTo(DType.INT64);
        assertThat(values(call.input("targets"))).containsExactly(2, 0);
        assertThat(call.number("epsilon")).isEqualTo(0.1);
        assertThat(call.flag("labelSmooth")).isTrue();
        assertThat(call.integer("ignoreIndex")).isEqualTo(-100);
        assertThat(call.integer("numClasses")).isNull();
        assertThat(call.reduction()).isEqualTo(Reduction.MEAN);
        assertThat(call.input("classWeights")).isNull();
        assertThat(call.outputs()).containsExactly("smoothedTargets");
    }

    @Test
    void labelSmoothFalseMakesTheEffectiveEpsilonZero() {
        assertThat(ENDPOINT.post("{" + LOGITS + ", \"targets\": [2, 0], \"epsilon\": 0.3, \"labelSmooth\": false}")
                .get("epsilon").doubleValue()).isZero();
    }

    @Test
    void nullMeansTheDefault() {
        LossCall call = decode("{" + LOGITS + ", \"targets\": [2, 0], \"epsilon\": null,"
                + " \"reduction\": null, \"include\": null, \"ignoreIndex\": null, \"classWeights\": null}");

        assertThat(call.number("epsilon")).isEqualTo(0.1);
        assertThat(call.reduction()).isEqualTo(Reduction.MEAN);
        assertThat(call.outputs()).containsExactly("smoothedTargets");
    }

    @Test
    void reductionNoneAlwaysReturnsThePerSampleLoss() {
        assertThat(decode("{" + LOGITS + ", \"targets\": [2, 0], \"reduction\": \"none\", \"include\": []}").outputs())
                .containsExactly("perSampleLoss");
    }

    @Test
    void targetsEqualToIgnoreIndexAreIgnoredEvenWhenItIsAClass() {
        assertThat(ENDPOINT.post("{" + LOGITS + ", \"targets\": [1, 2], \"ignoreIndex\": 1,"
                + " \"include\": [\"smoothedTargets\"]}").get("smoothedTargets").get(0).toString())
                .isEqualTo("[0.0,0.0,0.0]");
        assertThat(ENDPOINT.post("{" + LOGITS + ", \"targets\": [-100, 2]}").get("smoothedTargets").get(0).toString())
                .isEqualTo("[0.0,0.0,0.0]");
    }

    @Test
    void probabilityTargetsMayBeWrittenAsIntegers() {
        LossCall call = decode("{" + LOGITS + ", \"targets\": [[0, 1, 0], [0.25, 0.25, 0.5]]}");

        assertThat(call.input("targets").dtype()).isEqualTo(DType.FLOAT32);
        assertThat(values(call.input("targets"))).containsExactly(0, 1, 0, 0.25, 0.25, 0.5);
    }

    @Test
    void reportsEveryViolationWithItsPointer() {
        List<Violation> violations = violations("{\"logits\": [[1, 2, 3], [4, \"NaN\", 6], [7, 8]],"
                + " \"targets\": [0, 1, 2], \"epsilon\": 1.5, \"reduction\": \"avg\", \"include\": [\"loss\"],"
                + " \"labelSmooth\": \"yes\", \"bogus\": 1}");

        assertThat(violations).extracting(Violation::pointer).containsExactlyInAnyOrder(
                "/logits/1/1", "/logits/2", "/epsilon", "/reduction", "/include/0", "/include", "/labelSmooth", "/bogus");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'\"targets\": [2.5, 0]'                         | /targets/0",
        "'\"targets\": [2.0, 0]'                         | /targets/0",
        "'\"targets\": [3, 0]'                           | /targets/0",
        "'\"targets\": [0, -1]'                          | /targets/1",
        "'\"targets\": [0, 99999999999999999999999]'     | /targets/1",
        "'\"targets\": [0]'                              | /targets",
        "'\"targets\": [0, [0.5, 0.5, 0]]'               | /targets/1",
        "'\"targets\": [[0.5, 0.5, 0], 1]'               | /targets/1",
        "'\"targets\": [[0.5, 0.5], [0.5, 0.5]]'         | /targets/0",
        "'\"targets\": [[0.5, 0.5, 0], [0.5, 0.5]]'      | /targets/1",
        "'\"targets\": [[0.5, -0.5, 0], [0.5, 0.5, 0]]'  | /targets/0/1",
        "'\"targets\": [[0.5, 0.5, 0], [0.5, 0.5, 0]], \"ignoreIndex\": 3' | /ignoreIndex",
        "'\"targets\": [0, null]'                        | /targets/1",
        "'\"targets\": \"0, 1\"'                         | /targets",
        "'\"targets\": [0, 1], \"ignoreIndex\": 1.0'     | /ignoreIndex",
        "'\"targets\": [0, 1], \"numClasses\": 4'        | /numClasses",
        "'\"targets\": [0, 1], \"numClasses\": 3.0'      | /numClasses",
        "'\"targets\": [0, 1], \"classWeights\": [1, 2]' | /classWeights",
        "'\"targets\": [0, 1], \"classWeights\": [1, -2, 1]' | /classWeights/1",
        "'\"targets\": [0, 1], \"classWeights\": [1, 1e39, 1]' | /classWeights/1",
        "'\"targets\": [0, 1], \"classWeights\": [1, [2], 1]' | /classWeights/1",
        "'\"targets\": [0, 1], \"epsilon\": -0.1'        | /epsilon",
        "'\"targets\": [0, 1], \"epsilon\": \"0.1\"'     | /epsilon",
        "'\"targets\": [0, 1], \"epsilon\": 1e400'       | /epsilon",
        "'\"targets\": [0, 1], \"epsilon\": 2, \"labelSmooth\": false' | /epsilon",
        "'\"targets\": [0, 1], \"labelSmooth\": 1'       | /labelSmooth",
        "'\"targets\": [0, 1], \"reduction\": \"MEAN\"'  | /reduction",
        "'\"targets\": [0, 1], \"include\": \"gradient\"' | /include",
        "'\"targets\": [0, 1], \"targets\": [0, 1]'      | /targets",
    })
    void pointsAtTheOffendingElement(String fields, String pointer) {
        assertThat(violations("{" + LOGITS + ", " + fields + "}")).extracting(Violation::pointer).contains(pointer);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'{\"logits\": [], \"targets\": []}'                              | /logits",
        "'{\"logits\": [[]], \"targets\": [0]}'                            | /logits/0",
        "'{\"logits\": [[1.0], [2.0]], \"targets\": [0, 0]}'               | /logits/0",
        "'{\"logits\": [1.0, 2.0], \"targets\": [0, 0]}'                   | /logits/0",
        "'{\"logits\": [[1, 2], [3, 4, 5]], \"targets\": [0, 0]}'          | /logits/1",
        "'{\"logits\": [[1, 2], [[3], 4]], \"targets\": [0, 0]}'           | /logits/1/0",
        "'{\"logits\": [[1, \"Infinity\"]], \"targets\": [0]}'             | /logits/0/1",
        "'{\"logits\": [[1, 1e400]], \"targets\": [0]}'                    | /logits/0/1",
        "'{\"logits\": [[1, 1e39]], \"targets\": [0]}'                     | /logits/0/1",
        "'{\"logits\": [[1, 10000000000000000000000000000000000000000]], \"targets\": [0]}' | /logits/0/1",
        "'{\"logits\": [[1, null]], \"targets\": [0]}'                     | /logits/0/1",
        "'{\"logits\": [[1, true]], \"targets\": [0]}'                     | /logits/0/1",
        "'{\"logits\": [[1, {}]], \"targets\": [0]}'                       | /logits/0/1",
        "'{\"targets\": [0]}'                                              | /logits",
        "'{\"logits\": null, \"targets\": [0]}'                            | /logits",
        "'{\"logits\": [[1, 2]]}'                                          | /targets",
        "'[1, 2]'                                                          | ''",
        "'\"logits\"'                                                      | ''",
        "'{\"a/b~c\": 1, \"logits\": [[1, 2]], \"targets\": [0]}'          | /a~1b~0c",
    })
    void pointsAtTheOffendingPartOfTheBody(String body, String pointer) {
        assertThat(violations(body)).extracting(Violation::pointer).contains(pointer == null ? "" : pointer);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "   ",
        "{\"logits\": [[1, NaN]], \"targets\": [0]}",
        "{\"logits\": [[1, Infinity]], \"targets\": [0]}",
        "{\"logits\": [[1, 2],], \"targets\": [0]}",
        "{\"logits\": [[1, 2]], \"targets\": [0",
        "{\"logits\": [[1, 2]], \"targets\": [0]} {}",
        "{\"logits\": [[1, 2]], \"targets\": [0]} x",
        "{'logits': [[1, 2]]}",
        "{\"logits\": [[01, 2]], \"targets\": [0]}",
    })
    void malformedJsonIsNotAViolationButAMalformedBody(String body) {
        MalformedRequestException e = catchThrowableOfType(MalformedRequestException.class, () -> decode(body));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).doesNotContain("`", "Source", "Feature", "jackson", "Exception");
    }

    @Test
    void aTooDeeplyNestedBodyIsAViolationAtItsField() {
        String deep = "[".repeat(40) + "]".repeat(40);

        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> decode("{\"logits\": " + deep + "}"));

        assertThat(e.violations()).extracting(Violation::pointer).containsExactly("/logits");
    }

    @Test
    void reportingIsCappedButCountsTheRest() {
        StringBuilder row = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            row.append(i == 0 ? "" : ",").append("\"x\"");
        }
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> decode("{\"logits\": [" + row + "]], \"targets\": [0]}"));

        assertThat(e.violations()).hasSize(100);
        assertThat(e.omitted()).isEqualTo(400);
    }

    @Test
    void kDimensionalLogitsKeepTheirShape() {
        LossCall call = decode("{" + LOGITS_2x3x2 + ", \"targets\": [[0, 2], [1, -100]]}");

        assertThat(call.input("logits").shape()).containsExactly(2, 3, 2);
        assertThat(call.input("targets").shape()).containsExactly(2, 2);
        assertThat(values(call.input("targets"))).containsExactly(0, 2, 1, -100);
        assertThat(ENDPOINT.post("{" + LOGITS_2x3x2 + ", \"targets\": [[0, 2], [1, -100]]}").get("shape").toString())
                .isEqualTo("[2,3,2]");
    }

    @Test
    void float64KeepsEveryDigitAndAcceptsNumbersBeyondFloat32() {
        LossCall call = decode("{\"logits\": [[1e300, 0.1], [100000000.00000006, 1e39]],"
                + " \"targets\": [0, 1], \"classWeights\": [1e-300, 0.3], \"epsilon\": 0.3333333333333333,"
                + " \"dtype\": \"float64\"}");

        assertThat(call.dtype()).isEqualTo(DType.FLOAT64);
        assertThat(values(call.input("logits"))).containsExactly(1e300, 0.1, 100000000.00000006, 1e39);
        assertThat(values(call.input("classWeights"))).containsExactly(1e-300, 0.3);
        assertThat(call.number("epsilon")).isEqualTo(0.3333333333333333);
    }

    @Test
    void float32IsTheDefaultAndNullMeansIt() {
        assertThat(decode("{" + LOGITS + ", \"targets\": [2, 0]}").dtype()).isEqualTo(DType.FLOAT32);
        assertThat(decode("{" + LOGITS + ", \"targets\": [2, 0], \"dtype\": null}").dtype()).isEqualTo(DType.FLOAT32);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"FLOAT64\"", "\"\"", "64", "true", "[\"float64\"]", "\"double\"", "{}"})
    void anUnknownDtypeIsRejected(String dtype) {
        assertThat(violations("{" + LOGITS + ", \"targets\": [2, 0], \"dtype\": " + dtype + "}"))
                .extracting(Violation::pointer).containsExactly("/dtype");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // logits after the targets: compared once both are known
        "'{\"targets\": [[0, 1], [2, 0]], \"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]]}' | /targets/0",
        "'{\"targets\": [[0, 1, 1]], \"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]]}' | /targets",
        // logits first: each row of the wrong length where it is
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [[0, 1, 1], [0, 1]]}' | /targets/1",
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [[0, 1], [0, 1, 1]]}' | /targets/0",
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [[0, 1, 1], [0, [1], 1]]}' | /targets/1/1",
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [0, 1]}' | /targets",
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [[0, 1, 2], [0, 1, 3]]}' | /targets/1/2",
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [[[1, 0, 0], [0, 1, -1]], [[1, 0, 0], [0, 1, 0]]]}' | /targets/0/1/2",
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [[[1, 0, 0], [0, 1, 0]], [[1, 0, 0], [0, 1]]]}' | /targets/1/1",
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [[0, 1, 2], [0, 1, 0]], \"classWeights\": [1, 1, 1]}' | /classWeights",
        "'{\"logits\": [[[1, 2, 3], [3, 4, 5]], [[5, 6, 7], [7, 8, 9]]], \"targets\": [[0, 1, 2], [0, 1, 0]], \"numClasses\": 3}' | /numClasses",
        "'{\"logits\": [[[[[[1]]]]]], \"targets\": [0]}' | /logits",
        "'{\"logits\": [[[], []]], \"targets\": [[]]}' | /logits/0/0",
        "'{\"logits\": [[[1, 2], [3, [4]]]], \"targets\": [[0, 1]]}' | /logits/0/1/1",
        "'{\"logits\": [[[1, 2], [3, 4]], [[1, 2], 3]], \"targets\": [[0, 1], [0, 1]]}' | /logits/1/1",
        "'{\"logits\": [[1, 2], [3, 1e39]], \"targets\": [0, 1], \"dtype\": \"float32\"}' | /logits/1/1",
        "'{\"logits\": [[1, 2], [3, 1e400]], \"targets\": [0, 1], \"dtype\": \"float64\"}' | /logits/1/1",
        "'{\"dtype\": \"float32\", \"logits\": [[1, 2], [3, 4]], \"targets\": [[0, 1], [0, 1e39]]}' | /targets/1/1",
    })
    void kDimensionalAndDtypeErrorsPointAtTheOffendingElement(String body, String pointer) {
        assertThat(violations(body)).extracting(Violation::pointer).contains(pointer);
    }

    @Test
    void float64AcceptsWhatFloat32Refuses() {
        LossCall call = decode("{\"logits\": [[1, 2], [3, 1e39]], \"targets\": [[0, 1], [0, 1e39]],"
                + " \"classWeights\": [1e39, 1], \"dtype\": \"float64\"}");

        assertThat(values(call.input("targets"))).containsExactly(0, 1, 0, 1e39);
    }

    @Test
    void aDepthThatFitsNeitherFormIsOneViolationAtTheTargets() {
        assertThat(violations("{" + LOGITS + ", \"targets\": [[[0]]]}")).extracting(Violation::pointer)
                .containsExactly("/targets");
    }

    private static LossCall decode(String body) {
        return ENDPOINT.bind(body);
    }

    private static List<Violation> violations(String body) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> decode(body));
        assertThat(e).as("expected violations for " + body).isNotNull();
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
