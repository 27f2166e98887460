package lossservice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The fixed cross-entropy request bodies the benchmarks and the load scripts use: index targets, epsilon 0.1,
 * {@code include: ["smoothedTargets", "gradient"]}, logits drawn from N(0, 2^2) with a fixed seed and
 * written in float32's shortest round-trip form (what the service itself writes).
 *
 * <p>{@code java -cp ... lossservice.bench.Payloads DIR name=NxC...} writes {@code DIR/name.json} files (a size
 * NxCxHxW writes a {@link #segmentation} request).
 */
public final class Payloads {

    /** The seed of every payload: the same size always gives the same bytes. */
    public static final long SEED = 20260101L;

    private Payloads() {
    }

    /** Parses "NxC" into {N, C}. */
    public static int[] shape(String size) {
        String[] parts = size.split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected a size NxC, found " + size);
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    public static byte[] indexTargets(String size) {
        int[] shape = shape(size);
        return indexTargets(shape[0], shape[1], SEED);
    }

    public static byte[] indexTargets(int n, int c, long seed) {
        Random random = new Random(seed);
        StringBuilder json = new StringBuilder(n * c * 12 + 256);
        json.append("{\"logits\":");
        appendLogits(json, random, n, c);
        json.append(",\"targets\":[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(random.nextInt(c));
        }
        json.append("],\"epsilon\":0.1,\"numClasses\":").append(c)
                .append(",\"include\":[\"smoothedTargets\",\"gradient\"]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A cross-entropy body of the shape other losses' bodies have: the logits of {@link #indexTargets} (same seed),
     * and instead of class indices a probability target per logit, {@code oneHot} 0 and 1 (the numbers of a
     * sigmoid-focal body's targets) or else softmax(t / 2) of a second draw of logits t, float32 in shortest form
     * (as many distinct numbers as a kl-divergence body's teacher logits, and smoothed targets that do not repeat).
     * Epsilon 0.1, {@code include: ["smoothedTargets", "gradient"]}.
     */
    public static byte[] probabilityTargets(int n, int c, long seed, boolean oneHot) {
        Random random = new Random(seed);
        StringBuilder json = new StringBuilder(n * c * 24 + 256);
        json.append("{\"logits\":");
        appendLogits(json, random, n, c);
        json.append(",\"targets\":[");
        double[] row = new double[c];
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "[" : ",[");
            int hot = random.nextInt(c);
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (int j = 0; j < c; j++) {
                row[j] = (float) (2 * random.nextGaussian()) / 2.0;
                max = Math.max(max, row[j]);
            }
            for (int j = 0; j < c; j++) {
                row[j] = Math.exp(row[j] - max);
                sum += row[j];
            }
            for (int j = 0; j < c; j++) {
                if (j > 0) {
                    json.append(',');
                }
                if (oneHot) {
                    json.append(j == hot ? 1 : 0);
                } else {
                    json.append((float) (row[j] / sum));
                }
            }
            json.append(']');
        }
        json.append("],\"epsilon\":0.1,\"include\":[\"smoothedTargets\",\"gradient\"]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Appends N rows of C logits drawn from N(0, 2^2), row by row, as a JSON array of arrays of float32 values in
     * their shortest form: the logits of every payload here, and a start for other losses' payloads.
     */
    public static void appendLogits(StringBuilder json, Random random, int n, int c) {
        json.append('[');
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < c; j++) {
                if (j > 0) {
                    json.append(',');
                }
                json.append((float) (2 * random.nextGaussian()));
            }
            json.append(']');
        }
        json.append(']');
    }

    /**
     * A segmentation-like request: logits [n, c, h, w] from N(0, 2^2), class-index targets [n, h, w] with
     * about 5% of the pixels set to the ignoreIndex 255, epsilon 0.1, {@code include: ["smoothedTargets",
     * "gradient"]}.
     */
    public static byte[] segmentation(int n, int c, int h, int w, long seed) {
        Random random = new Random(seed);
        StringBuilder json = new StringBuilder(n * c * h * w * 12 + n * h * w * 4 + 256);
        json.append("{\"logits\":[");
        for (int sample = 0; sample < n; sample++) {
            json.append(sample == 0 ? "[" : ",[");
            for (int cls = 0; cls < c; cls++) {
                json.append(cls == 0 ? "[" : ",[");
                for (int y = 0; y < h; y++) {
                    json.append(y == 0 ? "[" : ",[");
                    for (int x = 0; x < w; x++) {
                        if (x > 0) {
                            json.append(',');
                        }
                        json.append((float) (2 * random.nextGaussian()));
                    }
                    json.append(']');
                }
                json.append(']');
            }
            json.append(']');
        }
        json.append("],\"targets\":[");
        for (int sample = 0; sample < n; sample++) {
            json.append(sample == 0 ? "[" : ",[");
            for (int y = 0; y < h; y++) {
                json.append(y == 0 ? "[" : ",[");
                for (int x = 0; x < w; x++) {
                    if (x > 0) {
                        json.append(',');
                    }
                    json.append(random.nextInt(20) == 0 ? 255 : random.nextInt(c));
                }
                json.append(']');
            }
            json.append(']');
        }
        json.append("],\"ignoreIndex\":255,\"epsilon\":0.1,\"include\":[\"smoothedTargets\",\"gradient\"]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Payloads DIR name=NxC [name=NxC ...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (int k = 1; k < args.length; k++) {
            String[] nameAndSize = args[k].split("=");
            Path file = dir.resolve(nameAndSize[0] + ".json");
            String[] dimensions = nameAndSize[1].split("x");
            // NxCxHxW: a segmentation-like request; NxC: class indices.
            byte[] body = dimensions.length == 4
                    ? segmentation(Integer.parseInt(dimensions[0]), Integer.parseInt(dimensions[1]),
                            Integer.parseInt(dimensions[2]), Integer.parseInt(dimensions[3]), SEED)
                    : indexTargets(nameAndSize[1]);
            Files.write(file, body);
            System.out.printf("%s %s %d bytes%n", file, nameAndSize[1], body.length);
        }
    }
}
