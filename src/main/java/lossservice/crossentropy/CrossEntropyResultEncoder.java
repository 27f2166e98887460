package lossservice.crossentropy;

import java.io.OutputStream;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.io.NumberOutput;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes a {@link CrossEntropyResult} as the contract's JSON response with Jackson's streaming generator:
 * no intermediate object tree, every number written once, float32 values in their shortest round-trip form.
 */
public final class CrossEntropyResultEncoder {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    public void encode(CrossEntropyResult result, OutputStream out) {
        int c = result.numClasses();
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            json.writeStartObject();
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
            json.writeNumberProperty("batchSize", result.batchSize());
            json.writeNumberProperty("numClasses", c);
            json.writeNumberProperty("epsilon", result.epsilon());
            json.writeStringProperty("reduction", result.reduction().wireName());
            json.writeStringProperty("backend", result.backend());
            json.writeEndObject();
        }
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
