package lossservice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import lossservice.limits.LimitsProperties;
import lossservice.loss.Tensor;
import lossservice.problem.InvalidRequestException;

/**
 * The Open Inference Protocol's JSON requests read with the data of their inputs lifted out of the body
 * ({@code NumberArrayLifter}, on a stream it can mark) against the same reader on a stream it cannot mark: for random
 * requests, valid and not (every datatype, flat and nested data, numbers in every form and things that are not
 * numbers, syntax errors, repeated fields), the outcome is the same to the bit, every message included.
 */
class InferenceRequestReaderLiftingTests {

    private static final String[] NUMBERS = {"0", "-0", "3", "-17", "1.5", "-0.25", "1e3", "2.5E-3", "-1.0E-7",
        "3.14159265358979323846", "123456789012345678901234", "9007199254740993", "1e-400", "0.30000000000000004",
        "7.0", "1.00", "2147483648", "-9223372036854775809"};
    private static final String[] NOT_NUMBERS = {"true", "\"1\"", "null", "{}", "[]", "1e400", "01", "1.", "NaN"};
    private static final String[] DATATYPES = {"FP32", "FP32", "FP64", "INT64", "INT32", "BOOL", "BYTES", "FP16"};
    private static final String[] SPACES = {"", "", " ", "\n", "\t", "\r\n"};

    private final InferenceRequestReader reader = new InferenceRequestReader(LimitsProperties.defaults());

    @Test
    void liftedDataIsReadExactlyAsJacksonReadsIt() {
        Random random = new Random(Long.getLong("seed", 17));
        int read = 0;
        for (int i = 0; i < Integer.getInteger("bodies", 6000); i++) {
            String body = body(random, i % 40 == 0 ? 3000 : 6);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String lifted = outcome(new ByteArrayInputStream(bytes), bytes.length);
            String throughJackson = outcome(unmarkable(bytes), bytes.length);
            assertThat(lifted).as(body.replace("\r", "\\r")).isEqualTo(throughJackson);
            read += lifted.startsWith("read") ? 1 : 0;
        }
        assertThat(read).as("requests read without an error").isGreaterThan(500);
    }

    private static InputStream unmarkable(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    private String outcome(InputStream body, long length) {
        StringBuilder text = new StringBuilder();
        try {
            InferenceRequest request = reader.read(body, length, null, 3, "cross-entropy", "1");
            text.append("read id ").append(request.id()).append('\n');
            for (InputTensor input : request.inputs()) {
                text.append(input.index()).append(' ').append(input.name()).append(' ').append(input.datatype())
                        .append(' ').append(describe(input.values())).append('\n');
            }
            text.append("outputs ").append(request.outputs()).append("\nparameters ");
            request.parameters().forEach((name, value) -> text.append(name).append('=').append(value).append(' '));
            text.append("\nbinary ").append(request.binaryDataOutput()).append('\n');
            request.dataViolations().throwIfAny();
        } catch (InvalidRequestException e) {
            text.append("invalid ").append(e.violations()).append(" omitted ").append(e.omitted());
        } catch (IOException | RuntimeException e) {
            text.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        }
        return text.toString();
    }

    private static String describe(Tensor tensor) {
        return tensor.dtype() + " " + Arrays.toString(tensor.shape()) + " " + Arrays.toString(IntStream
                .range(0, tensor.size()).mapToObj(i -> Long.toHexString(Double.doubleToRawLongBits(tensor.get(i))))
                .toArray());
    }

    private static String body(Random random, int maxLength) {
        List<String> fields = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            inputs.add(input(random, i, maxLength));
        }
        fields.add("\"inputs\"" + space(random) + ":" + space(random) + "[" + String.join("," + space(random), inputs)
                + "]");
        if (random.nextInt(3) == 0) {
            fields.add("\"id\":\"r" + random.nextInt(100) + "\"");
        }
        if (random.nextInt(4) == 0) {
            fields.add("\"outputs\":[{\"name\":\"loss\"}]");
        }
        if (random.nextInt(4) == 0) {
            fields.add("\"parameters\":{\"epsilon\":" + NUMBERS[random.nextInt(NUMBERS.length)] + "}");
        }
        if (random.nextInt(10) == 0) {
            fields.add("\"data\":[1,2,3]"); // not an input's: an unknown field of the request
        }
        Collections.shuffle(fields, random);
        String text = "{" + space(random) + String.join("," + space(random), fields) + space(random) + "}";
        switch (random.nextInt(25)) {
            case 0 -> text = text.substring(0, random.nextInt(text.length()));
            case 1 -> {
                int at = random.nextInt(text.length());
                text = text.substring(0, at) + "x]},".charAt(random.nextInt(4)) + text.substring(at);
            }
            default -> {
            }
        }
        return text;
    }

    private static String input(Random random, int index, int maxLength) {
        int rows = 1 + random.nextInt(3);
        int columns = 1 + random.nextInt(maxLength);
        boolean nested = random.nextBoolean();
        boolean flawed = random.nextInt(6) == 0;
        List<String> fields = new ArrayList<>();
        fields.add("\"name\":\"" + (index == 0 ? "logits" : index == 1 ? "targets" : "x" + index) + "\"");
        fields.add("\"datatype\":\"" + DATATYPES[random.nextInt(DATATYPES.length)] + "\"");
        fields.add("\"shape\":[" + rows + "," + (columns + (flawed && random.nextBoolean() ? 1 : 0)) + "]");
        StringBuilder data = new StringBuilder("[");
        for (int r = 0; r < rows; r++) {
            if (nested) {
                data.append(r > 0 ? "," : "").append(space(random)).append('[');
            }
            int length = flawed && random.nextInt(4) == 0 ? columns + 1 : columns;
            for (int c = 0; c < length; c++) {
                if (c > 0 || !nested && r > 0) {
                    data.append(',').append(space(random));
                }
                data.append(flawed && random.nextInt(10) == 0 ? NOT_NUMBERS[random.nextInt(NOT_NUMBERS.length)]
                        : random.nextInt(3) == 0 ? NUMBERS[random.nextInt(NUMBERS.length)]
                        : random.nextBoolean() ? Integer.toString(random.nextInt(5))
                        : Float.toString((float) random.nextGaussian()));
            }
            if (nested) {
                data.append(']');
            }
        }
        fields.add("\"data\"" + space(random) + ":" + space(random) + data.append(']'));
        if (random.nextInt(20) == 0) {
            fields.add("\"data\":[0]");
        }
        if (random.nextInt(8) == 0) {
            fields.add("\"parameters\":{\"binary_data_size\":" + random.nextInt(8) + "}");
        }
        Collections.shuffle(fields, random);
        return "{" + String.join("," + space(random), fields) + "}";
    }

    private static String space(Random random) {
        return SPACES[random.nextInt(SPACES.length)];
    }
}
