package lossservice.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * The floor the load script compares the service with: the cross-entropy endpoint on the JDK's bare
 * {@link HttpServer}, no Spring, no ND4J, no validation beyond what parsing needs, and nothing of the service's
 * classes (one file on the JDK and Jackson, like the project's reference floor server). It streams the request with
 * Jackson into float arrays, computes the answer with the fused loop of the benchmarks' reference (one plain loop
 * per row, float32 values, double sums) and streams a response of the service's fields in the service's order
 * ({@code loss}, {@code perSampleLoss}, {@code smoothedTargets}, {@code probabilities}, {@code gradient} as asked,
 * {@code batchSize}, {@code numClasses}, {@code epsilon}, {@code reduction}, {@code backend}, {@code dtype},
 * {@code shape}) with Jackson's generator, so its responses have the service's size.
 *
 * <p>The handler pool has 200 threads, Tomcat's default {@code server.tomcat.threads.max}, so both servers
 * take the same number of requests at once (at most 64 in the load script). Jackson gets the service's
 * features (fast double parser and writer), and the response is chunked, as the service's is.
 *
 * <p>{@code java -cp ... lossservice.bench.FloorServer PORT [THREADS]}; binds 127.0.0.1 only;
 * {@code GET /health} answers 200 when it is serving.
 */
public final class FloorServer {

    static final String PATH = "/v1/losses/cross-entropy";
    static final int TOMCAT_DEFAULT_MAX_THREADS = 200;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private FloorServer() {
    }

    /**
     * What the floor reads: N x C logits (row-major), N class indices in [0, C), epsilon, and the outputs asked
     * for ({@code include}, smoothed targets alone by default). The reduction is always the mean.
     */
    record Request(int rows, int columns, float[] logits, int[] targets, double epsilon, boolean perSampleLoss,
                   boolean smoothedTargets, boolean probabilities, boolean gradient) {
    }

    /** The mean loss and the outputs asked for (rows x columns, per-sample: one per row), else null. */
    record Answer(float loss, float[] perSampleLoss, float[] smoothedTargets, float[] probabilities,
                  float[] gradient) {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : TOMCAT_DEFAULT_MAX_THREADS;
        // Without TCP_NODELAY the JDK server's small responses can wait for delayed ACKs (tens of ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        server.setExecutor(pool);
        server.createContext(PATH, exchange -> {
            try {
                crossEntropy(exchange);
            } catch (IOException | RuntimeException | Error e) {
                e.printStackTrace(); // the JDK server would swallow it and drop the connection
                throw e;
            }
        });
        server.createContext("/health", exchange -> {
            byte[] up = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, up.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(up);
            }
        });
        server.start();
        System.out.println("floor server on http://127.0.0.1:" + port + PATH + " with " + threads + " threads");
    }

    private static void crossEntropy(HttpExchange exchange) throws IOException {
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Request request;
            Answer answer;
            try (InputStream body = exchange.getRequestBody()) {
                request = parse(body);
                answer = compute(request);
            } catch (RuntimeException e) {
                byte[] message = ("{\"error\":\"" + e.getClass().getSimpleName() + "\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(400, message.length);
                exchange.getResponseBody().write(message);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), 8192)) {
                write(request, answer, out);
            }
        } finally {
            exchange.close();
        }
    }

    /** Index targets only (what the load script sends); logits, targets, epsilon, include; the rest is skipped. */
    static Request parse(InputStream body) {
        float[] logits = new float[1024];
        int size = 0;
        int rows = 0;
        int columns = -1;
        int[] targets = new int[64];
        int targetCount = 0;
        double epsilon = 0.1;
        boolean[] outputs = {false, true, false, false}; // perSampleLoss, smoothedTargets, probabilities, gradient
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), body)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "logits" -> {
                        expect(value, JsonToken.START_ARRAY);
                        while (parser.nextToken() == JsonToken.START_ARRAY) {
                            int rowStart = size;
                            while (parser.nextToken() != JsonToken.END_ARRAY) {
                                if (size == logits.length) {
                                    logits = Arrays.copyOf(logits, 2 * size);
                                }
                                logits[size++] = parser.getFloatValue();
                            }
                            if (columns < 0) {
                                columns = size - rowStart;
                            } else if (size - rowStart != columns) {
                                throw new IllegalArgumentException("ragged logits");
                            }
                            rows++;
                        }
                    }
                    case "targets" -> {
                        expect(value, JsonToken.START_ARRAY);
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            if (targetCount == targets.length) {
                                targets = Arrays.copyOf(targets, 2 * targetCount);
                            }
                            targets[targetCount++] = parser.getIntValue();
                        }
                    }
                    case "epsilon" -> epsilon = parser.getDoubleValue();
                    case "include" -> {
                        expect(value, JsonToken.START_ARRAY);
                        Arrays.fill(outputs, false);
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            switch (parser.getString()) {
                                case "perSampleLoss" -> outputs[0] = true;
                                case "smoothedTargets" -> outputs[1] = true;
                                case "probabilities" -> outputs[2] = true;
                                case "gradient" -> outputs[3] = true;
                                default -> throw new IllegalArgumentException("unknown output");
                            }
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
        }
        if (rows == 0 || columns < 2 || targetCount != rows) {
            throw new IllegalArgumentException("bad shape");
        }
        for (int i = 0; i < targetCount; i++) {
            if (targets[i] < 0 || targets[i] >= columns) {
                throw new IllegalArgumentException("bad target");
            }
        }
        return new Request(rows, columns, size == logits.length ? logits : Arrays.copyOf(logits, size),
                Arrays.copyOf(targets, targetCount), epsilon, outputs[0], outputs[1], outputs[2], outputs[3]);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("expected " + expected + ", found " + actual);
        }
    }

    /**
     * Label-smoothed cross-entropy, mean over the rows, fused per row: a max pass, an exp pass that keeps
     * exp(x - m) in the output row, one pass that writes every output of the row (the benchmarks' reference loop
     * for unweighted class indices). Float32 values, double sums; a result that is not finite is refused.
     */
    static Answer compute(Request request) {
        int n = request.rows();
        int c = request.columns();
        float[] x = request.logits();
        int[] classes = request.targets();
        // Rounded to float from double, as the service does: 0.1f / 1000 would be 1.00000005E-4, not 1.0E-4, and
        // 0.9f + 0.01f 0.90999997, not 0.91.
        float on = (float) (1 - request.epsilon());
        float off = (float) (request.epsilon() / c);
        float onTarget = (float) (1 - request.epsilon() + request.epsilon() / c);
        float weightedQ = on + (float) (off * (double) c); // sum_c q_ic, the factor of p in the gradient row
        float gradientScale = (float) (1.0 / n);
        float[] perSample = request.perSampleLoss() ? new float[n] : null;
        float[] smoothed = request.smoothedTargets() ? new float[n * c] : null;
        float[] probabilities = request.probabilities() ? new float[n * c] : null;
        float[] gradient = request.gradient() ? new float[n * c] : null;
        float[] scratch = gradient != null ? gradient : probabilities != null ? probabilities : new float[c];
        int scratchStride = gradient != null || probabilities != null ? c : 0;

        double total = 0;
        double check = 0; // NaN or infinity anywhere makes this non-finite
        for (int i = 0; i < n; i++) {
            int base = i * c;
            int s = i * scratchStride;
            float max = x[base];
            for (int j = 1; j < c; j++) {
                max = Math.max(max, x[base + j]);
            }
            double z = 0;
            for (int j = 0; j < c; j++) {
                float e = (float) Math.exp(x[base + j] - max);
                scratch[s + j] = e;
                z += e;
            }
            float logZ = (float) Math.log(z);
            float inverseZ = (float) (1.0 / z);
            int y = classes[i];
            double rowLoss = 0;
            for (int j = 0; j < c; j++) {
                float q = j == y ? onTarget : off;
                rowLoss -= q * ((x[base + j] - max) - logZ);
                float p = scratch[s + j] * inverseZ;
                if (smoothed != null) {
                    smoothed[base + j] = q;
                }
                if (probabilities != null) {
                    probabilities[base + j] = p;
                    check += p;
                }
                if (gradient != null) {
                    float g = (weightedQ * p - q) * gradientScale;
                    gradient[base + j] = g;
                    check += g;
                }
            }
            if (perSample != null) {
                perSample[i] = (float) rowLoss + 0.0f; // -0.0 reads 0
            }
            total += rowLoss;
            check += rowLoss;
        }
        float loss = (float) (total / n);
        if (!Double.isFinite(check) || !Float.isFinite(loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new Answer(loss, perSample, smoothed, probabilities, gradient);
    }

    /** The service's response layout: loss, the requested arrays, the echoes, then reduction to shape. */
    static void write(Request request, Answer answer, OutputStream out) {
        int c = request.columns();
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            json.writeStartObject();
            json.writeName("loss");
            json.writeNumber(answer.loss());
            if (answer.perSampleLoss() != null) {
                json.writeName("perSampleLoss");
                json.writeStartArray();
                for (float value : answer.perSampleLoss()) {
                    json.writeNumber(value);
                }
                json.writeEndArray();
            }
            writeMatrix(json, "smoothedTargets", answer.smoothedTargets(), c);
            writeMatrix(json, "probabilities", answer.probabilities(), c);
            writeMatrix(json, "gradient", answer.gradient(), c);
            json.writeNumberProperty("batchSize", request.rows());
            json.writeNumberProperty("numClasses", c);
            json.writeNumberProperty("epsilon", request.epsilon());
            json.writeStringProperty("reduction", "mean");
            json.writeStringProperty("backend", "cpu");
            json.writeStringProperty("dtype", "float32");
            json.writeName("shape");
            json.writeArray(new int[] {request.rows(), c}, 0, 2);
            json.writeEndObject();
        }
    }

    private static void writeMatrix(JsonGenerator json, String name, float[] values, int columns) {
        if (values == null) {
            return;
        }
        json.writeName(name);
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
