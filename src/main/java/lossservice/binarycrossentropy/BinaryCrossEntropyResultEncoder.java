package lossservice.binarycrossentropy;

import java.io.OutputStream;

import lossservice.compute.Dtype;
import lossservice.json.NestedArrays;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes a {@link BinaryCrossEntropyResult} as the contract's JSON response with Jackson's streaming
 * generator, every array in the logits' shape, every number in the shortest form that reads back as the same
 * float32 or float64 value.
 */
public final class BinaryCrossEntropyResultEncoder {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    public void encode(BinaryCrossEntropyResult result, OutputStream out) {
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            json.writeStartObject();
            json.writeName("loss");
            if (result.loss() == null) {
                json.writeNull();
            } else if (result.dtype() == Dtype.FLOAT64) {
                json.writeNumber(result.loss());
            } else {
                json.writeNumber((float) (double) result.loss());
            }
            writeArray(json, "elementLoss", result.outputs().contains(BinaryOutput.ELEMENT_LOSS),
                    result.elementLoss(), result.shape());
            writeArray(json, "smoothedTargets", result.outputs().contains(BinaryOutput.SMOOTHED_TARGETS),
                    result.smoothedTargets(), result.shape());
            writeArray(json, "probabilities", result.outputs().contains(BinaryOutput.PROBABILITIES),
                    result.probabilities(), result.shape());
            writeArray(json, "gradient", result.outputs().contains(BinaryOutput.GRADIENT),
                    result.gradient(), result.shape());
            json.writeName("shape");
            json.writeArray(result.shape(), 0, result.shape().length);
            json.writeNumberProperty("epsilon", result.epsilon());
            json.writeStringProperty("reduction", result.reduction().wireName());
            json.writeStringProperty("dtype", result.dtype().wireName());
            json.writeStringProperty("backend", result.backend());
            json.writeEndObject();
        }
    }

    private static void writeArray(JsonGenerator json, String name, boolean requested, NestedArrays.Values values,
            int[] shape) {
        if (!requested) {
            return;
        }
        json.writeName(name);
        if (values == null) {
            json.writeNull();
        } else {
            NestedArrays.writeRowMajor(json, values, shape);
        }
    }
}
