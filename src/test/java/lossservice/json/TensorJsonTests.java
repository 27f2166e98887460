package lossservice.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Consumer;

import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.junit.jupiter.api.Test;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * The text of every number is the generator's own, whether it is formatted or comes from the cache of numbers
 * already written: values that come back in any order (two smoothed-target values, zeros), values that collide in
 * the cache, and values that never come back.
 */
class TensorJsonTests {

    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    @Test
    void float32NumbersAreWrittenAsTheGeneratorWritesThemWithOrWithoutTheCache() {
        Random random = new Random(11);
        int n = 20_000;
        Tensor tensor = Tensor.allocate(DType.FLOAT32, n);
        float[] pool = {0.05f, 0.95f, 0f, -0f, 1e-45f, Float.MAX_VALUE, 1e-7f, 0.1f, 0.3f, 3.782985f};
        for (int i = 0; i < n; i++) {
            float value = switch (i % 4) {
                case 0 -> pool[random.nextInt(pool.length)];
                case 1 -> (float) random.nextGaussian();
                case 2 -> Float.intBitsToFloat(random.nextInt() & 0x7f7fffff);
                default -> random.nextBoolean() ? 0.05f : 0.95f;
            };
            tensor.setFloat(i, value);
        }

        String cached = assertWrittenAsTheGeneratorWritesIt(tensor);

        assertThat(cached).contains("0.05,", "0.95,", "-0.0", "1.4E-45");
    }

    @Test
    void float64NumbersAreWrittenAsTheGeneratorWritesThemWithOrWithoutTheCache() {
        Random random = new Random(12);
        int n = 20_000;
        Tensor tensor = Tensor.allocate(DType.FLOAT64, n);
        double[] pool = {0.05, 0.95, 0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 6.285442642701633, 0.1};
        for (int i = 0; i < n; i++) {
            double value = switch (i % 3) {
                case 0 -> pool[random.nextInt(pool.length)];
                case 1 -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
                default -> Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL);
            };
            tensor.set(i, value);
        }

        String cached = assertWrittenAsTheGeneratorWritesIt(tensor);

        assertThat(cached).contains("6.285442642701633");
    }

    /** Writes the tensor flat with TensorJson and asserts that the generator writes each number the same; the text. */
    private static String assertWrittenAsTheGeneratorWritesIt(Tensor tensor) {
        String cached = written(json -> new TensorJson(json).writeFlat(tensor));
        String plain = written(json -> {
            json.writeStartArray();
            for (int i = 0; i < tensor.size(); i++) {
                if (tensor.dtype() == DType.FLOAT32) {
                    json.writeNumber(tensor.getFloat(i));
                } else {
                    json.writeNumber(tensor.get(i));
                }
            }
            json.writeEndArray();
        });
        assertThat(cached).isEqualTo(plain);
        return cached;
    }

    private static String written(Consumer<JsonGenerator> writing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            writing.accept(json);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
