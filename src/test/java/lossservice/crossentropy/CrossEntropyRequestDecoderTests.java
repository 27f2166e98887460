package lossservice.crossentropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import lossservice.problem.InvalidRequestException;
import lossservice.problem.MalformedRequestException;
import lossservice.problem.Violation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CrossEntropyRequestDecoderTests {

    private static final String LOGITS = "\"logits\": [[0.5, 1.5, -2.0], [2.5, 0.0, -1.0]]";

    private final CrossEntropyRequestDecoder decoder = new CrossEntropyRequestDecoder();

    @Test
    void decodesAValidRequestWithItsDefaults() {
        CrossEntropyRequest request = decode("{" + LOGITS + ", \"targets\": [2, 0]}");

        assertThat(request.batchSize()).isEqualTo(2);
        assertThat(request.numClasses()).isEqualTo(3);
        assertThat(request.logits()).containsExactly(0.5f, 1.5f, -2.0f, 2.5f, 0.0f, -1.0f);
        assertThat(request.classIndices()).containsExactly(2, 0);
        assertThat(request.probabilities()).isNull();
        assertThat(request.epsilon()).isEqualTo(0.1);
        assertThat(request.reduction()).isEqualTo(Reduction.MEAN);
        assertThat(request.classWeights()).isNull();
        assertThat(request.outputs()).containsExactly(OptionalOutput.SMOOTHED_TARGETS);
    }

    @Test
    void labelSmoothFalseMakesTheEffectiveEpsilonZero() {
        assertThat(decode("{" + LOGITS + ", \"targets\": [2, 0], \"epsilon\": 0.3, \"labelSmooth\": false}").epsilon())
                .isZero();
    }

    @Test
    void nullMeansTheDefault() {
        CrossEntropyRequest request = decode("{" + LOGITS + ", \"targets\": [2, 0], \"epsilon\": null,"
                + " \"reduction\": null, \"include\": null, \"ignoreIndex\": null, \"classWeights\": null}");

        assertThat(request.epsilon()).isEqualTo(0.1);
        assertThat(request.reduction()).isEqualTo(Reduction.MEAN);
        assertThat(request.outputs()).containsExactly(OptionalOutput.SMOOTHED_TARGETS);
    }

    @Test
    void reductionNoneAlwaysReturnsThePerSampleLoss() {
        assertThat(decode("{" + LOGITS + ", \"targets\": [2, 0], \"reduction\": \"none\", \"include\": []}").outputs())
                .containsExactly(OptionalOutput.PER_SAMPLE_LOSS);
    }

    @Test
    void targetsEqualToIgnoreIndexAreIgnoredEvenWhenItIsAClass() {
        assertThat(decode("{" + LOGITS + ", \"targets\": [1, 2], \"ignoreIndex\": 1}").classIndices())
                .containsExactly(CrossEntropyRequest.IGNORED, 2);
        assertThat(decode("{" + LOGITS + ", \"targets\": [-100, 2]}").classIndices())
                .containsExactly(CrossEntropyRequest.IGNORED, 2);
    }

    @Test
    void probabilityTargetsMayBeWrittenAsIntegers() {
        CrossEntropyRequest request = decode("{" + LOGITS + ", \"targets\": [[0, 1, 0], [0.25, 0.25, 0.5]]}");

        assertThat(request.classIndices()).isNull();
        assertThat(request.probabilities()).containsExactly(0f, 1f, 0f, 0.25f, 0.25f, 0.5f);
    }

    @Test
    void reportsEveryViolationWithItsPointer() {
        List<Violation> violations = violations("{\"logits\": [[1, 2, 3], [4, \"NaN\", 6], [7, 8]],"
                + " \"targets\": [0, 1, 2], \"epsilon\": 1.5, \"reduction\": \"avg\", \"include\": [\"loss\"],"
                + " \"labelSmooth\": \"yes\", \"bogus\": 1}");

        assertThat(violations).extracting(Violation::pointer).containsExactlyInAnyOrder(
                "/logits/1/1", "/logits/2", "/epsilon", "/reduction", "/include/0", "/labelSmooth", "/bogus");
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
    void aTooDeeplyNestedBodyIsMalformed() {
        String deep = "[".repeat(40) + "]".repeat(40);

        assertThatThrownBy(() -> decode("{\"logits\": " + deep + "}")).isInstanceOf(MalformedRequestException.class);
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

    private CrossEntropyRequest decode(String body) {
        return decoder.decode(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    private List<Violation> violations(String body) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> decode(body));
        assertThat(e).as("expected violations for " + body).isNotNull();
        return e.violations();
    }

    // ---- K-dimensional logits and dtype ----------------------------------------------------------------

    private static final String LOGITS_2x3x2 = "\"logits\": [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]";

    @Test
    void kDimensionalLogitsBecomeOneRowOfClassesPerElement() {
        CrossEntropyRequest request = decode("{" + LOGITS_2x3x2 + ", \"targets\": [[0, 2], [1, -100]]}");

        assertThat(request.batchSize()).isEqualTo(2);
        assertThat(request.numClasses()).isEqualTo(3);
        assertThat(request.spatialShape()).containsExactly(2);
        assertThat(request.rows()).isEqualTo(4);
        assertThat(request.shape()).containsExactly(2, 3, 2);
        // Element (n, d) is row n * 2 + d, holding logits[n][0..2][d].
        assertThat(request.logits()).containsExactly(1, 3, 5, 2, 4, 6, 7, 9, 11, 8, 10, 12);
        assertThat(request.classIndices()).containsExactly(0, 2, 1, CrossEntropyRequest.IGNORED);
    }

    @Test
    void kDimensionalProbabilitiesAreTransposedLikeTheLogits() {
        CrossEntropyRequest request = decode("{" + LOGITS_2x3x2 + ", \"targets\": [[[0.1, 0.2], [0.3, 0.4], [0.6, 0.4]],"
                + " [[1, 0], [0, 1], [0, 0]]]}");

        assertThat(request.probabilities()).containsExactly(0.1f, 0.3f, 0.6f, 0.2f, 0.4f, 0.4f, 1, 0, 0, 0, 1, 0);
    }

    @Test
    void float64KeepsEveryDigitAndAcceptsNumbersBeyondFloat32() {
        CrossEntropyRequest request = decode("{\"logits\": [[1e300, 0.1], [100000000.00000006, 1e39]],"
                + " \"targets\": [0, 1], \"classWeights\": [1e-300, 0.3], \"epsilon\": 0.3333333333333333,"
                + " \"dtype\": \"float64\"}");

        assertThat(request.dtype()).isEqualTo(lossservice.compute.Dtype.FLOAT64);
        assertThat(request.logits()).isNull();
        assertThat(request.logits64()).containsExactly(1e300, 0.1, 100000000.00000006, 1e39);
        assertThat(request.classWeights64()).containsExactly(1e-300, 0.3);
        assertThat(request.epsilon()).isEqualTo(0.3333333333333333);
    }

    @Test
    void float32IsTheDefaultAndNullMeansIt() {
        assertThat(decode("{" + LOGITS + ", \"targets\": [2, 0]}").dtype()).isEqualTo(lossservice.compute.Dtype.FLOAT32);
        assertThat(decode("{" + LOGITS + ", \"targets\": [2, 0], \"dtype\": null}").dtype())
                .isEqualTo(lossservice.compute.Dtype.FLOAT32);
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
        CrossEntropyRequest request = decode("{\"logits\": [[1, 2], [3, 1e39]], \"targets\": [[0, 1], [0, 1e39]],"
                + " \"classWeights\": [1e39, 1], \"dtype\": \"float64\"}");

        assertThat(request.probabilities64()).containsExactly(0, 1, 0, 1e39);
    }
}
