package lossservice.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import lossservice.json.TensorJson;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes an inference response: the JSON object, then the binary data of the outputs sent as binary, in the
 * order of {@code outputs}, each little-endian and row-major (the binary tensor data extension), straight from the
 * tensors' buffers. Nothing of a large answer is held whole in memory: an all-JSON response is streamed as it is
 * written; when outputs are binary, the JSON part is written twice, once only to count its bytes for the
 * {@code Inference-Header-Content-Length} header.
 */
final class InferenceResponseWriter {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            // Closing the generator must not flush the response: the binary data follows the JSON part, and a flush
            // between them sent every small answer in two writes (and two TCP segments).
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .build();

    /** The most numbers the JSON part of a binary answer holds for it to be held whole before it is sent. */
    static final int SMALL_JSON_ELEMENTS = 4096;

    /** A response to send: the model, the request id, and the outputs. */
    record Response(String id, String model, String version, List<OutputTensor> outputs) {

        boolean hasBinary() {
            return outputs.stream().anyMatch(OutputTensor::binary);
        }

        /**
         * The JSON part whole, when its outputs in JSON hold at most {@value #SMALL_JSON_ELEMENTS} numbers (the
         * length is then known without writing it twice), else null.
         */
        byte[] smallJson() {
            long elements = 0;
            for (OutputTensor output : outputs) {
                if (!output.binary()) {
                    elements += output.values().size();
                }
            }
            if (elements > SMALL_JSON_ELEMENTS) {
                return null;
            }
            ByteArrayOutputStream json = new ByteArrayOutputStream(512);
            writeJson(json);
            return json.toByteArray();
        }

        /** The length of the JSON part, counted by writing it to nowhere. */
        long jsonLength() {
            CountingOutputStream counter = new CountingOutputStream();
            writeJson(counter);
            return counter.count;
        }

        long binaryLength() {
            long length = 0;
            for (OutputTensor output : outputs) {
                if (output.binary()) {
                    length += output.binarySize();
                }
            }
            return length;
        }

        void writeJson(OutputStream out) {
            try (JsonGenerator generator = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
                TensorJson tensors = new TensorJson(generator);
                generator.writeStartObject();
                if (id != null) {
                    generator.writeStringProperty("id", id);
                }
                generator.writeStringProperty("model_name", model);
                generator.writeStringProperty("model_version", version);
                generator.writeName("outputs");
                generator.writeStartArray();
                for (OutputTensor output : outputs) {
                    generator.writeStartObject();
                    generator.writeStringProperty("name", output.name());
                    generator.writeStringProperty("datatype", output.datatype());
                    generator.writeName("shape");
                    int[] shape = output.values().shape();
                    generator.writeArray(shape, 0, shape.length);
                    if (output.binary()) {
                        generator.writeName("parameters");
                        generator.writeStartObject();
                        generator.writeNumberProperty("binary_data_size", output.binarySize());
                        generator.writeEndObject();
                    } else {
                        generator.writeName("data");
                        tensors.writeFlat(output.values());
                    }
                    generator.writeEndObject();
                }
                generator.writeEndArray();
                generator.writeEndObject();
            }
        }

        void writeBinary(OutputStream out) throws IOException {
            for (OutputTensor output : outputs) {
                // An empty tensor (an undefined loss) writes nothing: after the last byte of the Content-Length the
                // container has closed the response, and a write, even of no bytes, fails there.
                if (output.binary() && output.values().byteSize() > 0) {
                    out.write(output.values().bytes(), output.values().offset(), output.values().byteSize());
                }
            }
        }
    }

    private InferenceResponseWriter() {
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

    private static final class CountingOutputStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            count += length;
        }
    }
}
