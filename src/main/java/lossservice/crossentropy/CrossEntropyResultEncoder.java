package lossservice.crossentropy;

import java.io.OutputStream;

import lossservice.json.NestedArrays;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.io.NumberOutput;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes a {@link CrossEntropyResult} as the contract's JSON response with Jackson's streaming generator:
 * no intermediate object tree, every number written once, in the shortest form that reads back as the same
 * float32 or float64 value.
 */
public final class CrossEntropyResultEncoder {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    public void encode(CrossEntropyResult result, OutputStream out) {
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            json.writeStartObject();
            if (result.float64() != null || result.spatialShape().length > 0) {
                writeArraysInShape(json, result);
            } else {
                writeMatrices(json, result);
            }
            json.writeNumberProperty("batchSize", result.batchSize());
            json.writeNumberProperty("numClasses", result.numClasses());
            json.writeNumberProperty("epsilon", result.epsilon());
            json.writeStringProperty("reduction", result.reduction().wireName());
            json.writeStringProperty("backend", result.backend());
            json.writeStringProperty("dtype", result.dtype().wireName());
            json.writeName("shape");
            json.writeStartArray();
            json.writeNumber(result.batchSize());
            json.writeNumber(result.numClasses());
            for (int dimension : result.spatialShape()) {
                json.writeNumber(dimension);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    /** 2-D float32, the common case: plain loops over N x C. */
    private static void writeMatrices(JsonGenerator json, CrossEntropyResult result) {
        int c = result.numClasses();
        json.writeName("loss");
        if (result.loss() == null) {
            json.writeNull();
        } else {
            json.writeNumber(result.loss());
        }
        if (result.outputs().contains(OptionalOutput.PER_SAMPLE_LOSS)) {
            json.writeName("perSampleLoss");
            writeVector(json, result.perSampleLoss());
        }
        if (result.outputs().contains(OptionalOutput.SMOOTHED_TARGETS)) {
            json.writeName("smoothedTargets");
            writeSmoothedTargets(json, result.smoothedTargets(), c);
        }
        if (result.outputs().contains(OptionalOutput.PROBABILITIES)) {
            json.writeName("probabilities");
            writeMatrix(json, result.probabilities(), c);
        }
        if (result.outputs().contains(OptionalOutput.GRADIENT)) {
            json.writeName("gradient");
            writeMatrix(json, result.gradient(), c);
        }
    }

    /**
     * K-dimensional or float64 results: per-element arrays nested as [N, d1..dk], per-class arrays as the
     * logits [N, C, d1..dk], read from the rows-of-C layout the maths works in.
     */
    private static void writeArraysInShape(JsonGenerator json, CrossEntropyResult result) {
        int n = result.batchSize();
        int c = result.numClasses();
        int[] spatial = result.spatialShape();
        CrossEntropyResult.Float64Outputs float64 = result.float64();
        json.writeName("loss");
        if (float64 != null ? float64.loss() == null : result.loss() == null) {
            json.writeNull();
        } else if (float64 != null) {
            json.writeNumber(float64.loss());
        } else {
            json.writeNumber(result.loss());
        }
        if (result.outputs().contains(OptionalOutput.PER_SAMPLE_LOSS)) {
            json.writeName("perSampleLoss");
            NestedArrays.writePerElement(json, values(result.perSampleLoss(), float64 == null ? null
                    : float64.perSampleLoss(), float64 != null), n, spatial);
        }
        if (result.outputs().contains(OptionalOutput.SMOOTHED_TARGETS)) {
            json.writeName("smoothedTargets");
            NestedArrays.writePerClass(json, float64 != null ? NestedArrays.of(float64.smoothedTargets())
                    : NestedArrays.of(result.smoothedTargets().toRowMajor(c)), n, c, spatial);
        }
        if (result.outputs().contains(OptionalOutput.PROBABILITIES)) {
            json.writeName("probabilities");
            NestedArrays.writePerClass(json, values(result.probabilities(), float64 == null ? null
                    : float64.probabilities(), float64 != null), n, c, spatial);
        }
        if (result.outputs().contains(OptionalOutput.GRADIENT)) {
            json.writeName("gradient");
            NestedArrays.writePerClass(json, values(result.gradient(),
                    float64 == null ? null : float64.gradient(), float64 != null), n, c, spatial);
        }
    }

    /** The float64 array of a float64 result (null when undefined), else the float32 one. */
    private static NestedArrays.Values values(float[] float32, double[] float64, boolean isFloat64) {
        return isFloat64 ? NestedArrays.of(float64) : NestedArrays.of(float32);
    }

    private static void writeVector(JsonGenerator json, float[] values) {
        json.writeStartArray();
        for (float value : values) {
            json.writeNumber(value);
        }
        json.writeEndArray();
    }

    /** Index targets: each row is written from its two values, without a matrix behind it. */
    private static void writeSmoothedTargets(JsonGenerator json, SmoothedTargets smoothed, int columns) {
        if (smoothed.dense() != null) {
            writeMatrix(json, smoothed.dense(), columns);
            return;
        }
        String target = NumberOutput.toString(smoothed.target(), true);
        String offTarget = NumberOutput.toString(smoothed.offTarget(), true);
        String ignored = NumberOutput.toString(0f, true);
        json.writeStartArray();
        for (int targetClass : smoothed.classIndices()) {
            json.writeStartArray();
            for (int column = 0; column < columns; column++) {
                json.writeNumber(targetClass == CrossEntropyRequest.IGNORED ? ignored
                        : column == targetClass ? target : offTarget);
            }
            json.writeEndArray();
        }
        json.writeEndArray();
    }

    /** Writes a row-major matrix of {@code columns} columns, or null when it is undefined. */
    private static void writeMatrix(JsonGenerator json, float[] values, int columns) {
        if (values == null) {
            json.writeNull();
            return;
        }
        json.writeStartArray();
        for (int rowStart = 0; rowStart < values.length; rowStart += columns) {
            json.writeStartArray();
            for (int i = rowStart; i < rowStart + columns; i++) {
                json.writeNumber(values[i]);
            }
            json.writeEndArray();
        }
        json.writeEndArray();
    }
}
