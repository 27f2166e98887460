package lossservice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.junit.jupiter.api.Test;

/**
 * The JSON part of an answer is written without flushing the response: its binary data follows in the same write,
 * and the length counted beforehand is the length written. A small JSON part is held whole (the same bytes), a large
 * one is not.
 */
class InferenceResponseWriterTests {

    @Test
    void theJsonPartIsWrittenWithoutAFlushAndHasTheCountedLength() throws IOException {
        Tensor loss = Tensor.scalar(DType.FLOAT32, 0.5);
        Tensor gradient = Tensor.of(DType.FLOAT32, new int[] {1, 2}, 0.25, -0.25);
        InferenceResponseWriter.Response response = new InferenceResponseWriter.Response("7", "cross-entropy", "1",
                List.of(new OutputTensor("loss", loss, false), new OutputTensor("gradient", gradient, true)));
        FlushCountingStream out = new FlushCountingStream();

        response.writeJson(out);
        response.writeBinary(out);

        assertThat(out.flushes).isZero();
        assertThat((long) out.size()).isEqualTo(response.jsonLength() + response.binaryLength());
        String json = new String(out.toByteArray(), 0, (int) response.jsonLength(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"id\":\"7\",\"model_name\":\"cross-entropy\",\"model_version\":\"1\",\"outputs\":["
                + "{\"name\":\"loss\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[0.5]},"
                + "{\"name\":\"gradient\",\"datatype\":\"FP32\",\"shape\":[1,2],\"parameters\":{\"binary_data_size\":8}}]}");
        assertThat(new String(response.smallJson(), StandardCharsets.UTF_8)).isEqualTo(json);
    }

    @Test
    void aJsonPartWithManyNumbersIsNotHeldWhole() {
        int elements = InferenceResponseWriter.SMALL_JSON_ELEMENTS;
        InferenceResponseWriter.Response atTheLimit = new InferenceResponseWriter.Response(null, "cross-entropy", "1",
                List.of(new OutputTensor("gradient", Tensor.allocate(DType.FLOAT32, elements), false),
                        new OutputTensor("loss", Tensor.scalar(DType.FLOAT32, 1), true)));
        InferenceResponseWriter.Response overIt = new InferenceResponseWriter.Response(null, "cross-entropy", "1",
                List.of(new OutputTensor("gradient", Tensor.allocate(DType.FLOAT32, elements + 1), false),
                        new OutputTensor("loss", Tensor.scalar(DType.FLOAT32, 1), true)));

        assertThat((long) atTheLimit.smallJson().length).isEqualTo(atTheLimit.jsonLength());
        assertThat(overIt.smallJson()).isNull();
    }

    private static final class FlushCountingStream extends ByteArrayOutputStream {
        int flushes;

        @Override
        public void flush() {
            flushes++;
        }
    }
}
