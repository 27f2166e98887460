package lossservice.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The {@link Payloads} requests in the Open Inference Protocol's binary form, as {@code tritonclient.http} sends
 * them: the same logits and targets (same seed, same draws), FP32 logits and INT64 targets as little-endian bytes
 * after the JSON, and the outputs {@code loss}, {@code smoothed_targets} and {@code gradient} asked for as binary,
 * the same arrays the JSON payload's {@code include} asks for.
 *
 * <p>{@code java -cp ... lossservice.bench.InferencePayloads DIR name=NxC...} writes {@code DIR/name.v2} and
 * {@code DIR/name.v2.header-length}, the value of the {@code Inference-Header-Content-Length} header.
 */
public final class InferencePayloads {

    private InferencePayloads() {
    }

    /** The body, and the length of its JSON part. */
    public record Body(byte[] bytes, int jsonLength) {
    }

    public static Body binary(int n, int c, long seed) {
        Random random = new Random(seed);
        ByteBuffer logits = ByteBuffer.allocate(n * c * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n * c; i++) {
            logits.putFloat((float) (2 * random.nextGaussian()));
        }
        ByteBuffer targets = ByteBuffer.allocate(n * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            targets.putLong(random.nextInt(c));
        }
        String json = "{\"inputs\":[{\"name\":\"logits\",\"shape\":[" + n + "," + c + "],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + logits.capacity() + "}},"
                + "{\"name\":\"targets\",\"shape\":[" + n + "],\"datatype\":\"INT64\","
                + "\"parameters\":{\"binary_data_size\":" + targets.capacity() + "}}],"
                + "\"outputs\":[{\"name\":\"loss\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"smoothed_targets\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"gradient\",\"parameters\":{\"binary_data\":true}}],"
                + "\"parameters\":{\"epsilon\":0.1}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream(header.length + logits.capacity() + targets.capacity());
        body.writeBytes(header);
        body.writeBytes(logits.array());
        body.writeBytes(targets.array());
        return new Body(body.toByteArray(), header.length);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: InferencePayloads DIR name=NxC [name=NxC ...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (int k = 1; k < args.length; k++) {
            String[] nameAndSize = args[k].split("=");
            int[] shape = Payloads.shape(nameAndSize[1]);
            Body body = binary(shape[0], shape[1], Payloads.SEED);
            Path file = dir.resolve(nameAndSize[0] + ".v2");
            Files.write(file, body.bytes());
            Files.writeString(dir.resolve(nameAndSize[0] + ".v2.header-length"), String.valueOf(body.jsonLength()));
            System.out.printf("%s %s %d bytes (JSON part %d)%n", file, nameAndSize[1], body.bytes().length,
                    body.jsonLength());
        }
    }
}
