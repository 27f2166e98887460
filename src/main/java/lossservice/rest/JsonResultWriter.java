package lossservice.rest;

import java.io.OutputStream;
import java.util.Map;

import lossservice.json.TensorJson;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.loss.Tensor;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes the JSON response of any loss, streaming to the client as it goes (nothing of a large answer is held
 * whole in memory): {@code loss}, the outputs computed, the echoes, then {@code reduction}, {@code backend},
 * {@code dtype} and {@code shape} (the first input's).
 */
final class JsonResultWriter {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private JsonResultWriter() {
    }

    static void write(OutputStream out, LossCall call, LossResult result, Map<String, Object> echoes,
            String backend, int[] shape) {
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            TensorJson tensors = new TensorJson(json);
            json.writeStartObject();
            json.writeName("loss");
            if (result.loss() == null) {
                json.writeNull();
            } else {
                tensors.writeNumber(result.loss(), call.dtype());
            }
            for (Map.Entry<String, Tensor> output : result.outputs().entrySet()) {
                json.writeName(output.getKey());
                tensors.write(output.getValue());
            }
            for (Map.Entry<String, Object> echo : echoes.entrySet()) {
                json.writeName(echo.getKey());
                writeScalar(json, echo.getValue());
            }
            json.writeStringProperty("reduction", call.reduction().wireName());
            json.writeStringProperty("backend", backend);
            json.writeStringProperty("dtype", call.dtype().wireName());
            json.writeName("shape");
            json.writeArray(shape, 0, shape.length);
            json.writeEndObject();
        }
    }

    static void writeScalar(JsonGenerator json, Object value) {
        if (value instanceof Boolean flag) {
            json.writeBoolean(flag);
        } else if (value instanceof Double number) {
            json.writeNumber(number);
        } else if (value instanceof Number number) {
            json.writeNumber(number.longValue());
        } else {
            json.writeString(String.valueOf(value));
        }
    }
}
