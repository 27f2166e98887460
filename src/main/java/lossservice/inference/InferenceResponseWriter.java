package lossservice.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes an inference response: the JSON object, then the binary data of the outputs sent as binary, in the
 * order of {@code outputs}, each little-endian and row-major (the binary tensor data extension). The JSON part
 * is built first because its length goes in the {@code Inference-Header-Content-Length} header.
 */
final class InferenceResponseWriter {

    private static final int CHUNK_BYTES = 64 << 10;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    /** A response ready to send: its JSON part and the outputs whose bytes follow it. */
    record Response(byte[] json, List<OutputTensor> outputs) {

        boolean hasBinary() {
            return outputs.stream().anyMatch(OutputTensor::binary);
        }

        long contentLength() {
            long length = json.length;
            for (OutputTensor output : outputs) {
                if (output.binary()) {
                    length += output.binarySize();
                }
            }
            return length;
        }

        void writeBody(OutputStream out) throws IOException {
            out.write(json);
            byte[] chunk = null;
            for (OutputTensor output : outputs) {
                if (output.binary() && output.values().length > 0) {
                    if (chunk == null) {
                        chunk = new byte[CHUNK_BYTES];
                    }
                    writeLittleEndian(output.values(), chunk, out);
                }
            }
        }
    }

    static Response response(String id, List<OutputTensor> outputs) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator generator = JSON.createGenerator(ObjectWriteContext.empty(), json)) {
            generator.writeStartObject();
            if (id != null) {
                generator.writeStringProperty("id", id);
            }
            generator.writeStringProperty("model_name", CrossEntropyModel.NAME);
            generator.writeStringProperty("model_version", CrossEntropyModel.VERSION);
            generator.writeName("outputs");
            generator.writeStartArray();
            for (OutputTensor output : outputs) {
                generator.writeStartObject();
                generator.writeStringProperty("name", output.name());
                generator.writeStringProperty("datatype", OutputTensor.DATATYPE);
                generator.writeName("shape");
                generator.writeArray(output.shape(), 0, output.shape().length);
                if (output.binary()) {
                    generator.writeName("parameters");
                    generator.writeStartObject();
                    generator.writeNumberProperty("binary_data_size", output.binarySize());
                    generator.writeEndObject();
                } else {
                    generator.writeName("data");
                    generator.writeStartArray();
                    for (float value : output.values()) {
                        generator.writeNumber(value);
                    }
                    generator.writeEndArray();
                }
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeEndObject();
        }
        return new Response(json.toByteArray(), outputs);
    }

    /** {@code {"error": message}}, the protocol's error body. */
    static byte[] error(String message) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator generator = JSON.createGenerator(ObjectWriteContext.empty(), json)) {
            generator.writeStartObject();
            generator.writeStringProperty("error", message);
            generator.writeEndObject();
        }
        return json.toByteArray();
    }

    private static void writeLittleEndian(float[] values, byte[] chunk, OutputStream out) throws IOException {
        FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        int perChunk = chunk.length / Float.BYTES;
        for (int offset = 0; offset < values.length; offset += perChunk) {
            int count = Math.min(perChunk, values.length - offset);
            floats.clear();
            floats.put(values, offset, count);
            out.write(chunk, 0, count * Float.BYTES);
        }
    }
}
