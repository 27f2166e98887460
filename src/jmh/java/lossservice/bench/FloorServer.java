package lossservice.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import lossservice.crossentropy.CrossEntropyRequest;
import lossservice.crossentropy.CrossEntropyResult;
import lossservice.crossentropy.OptionalOutput;
import lossservice.crossentropy.Reduction;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * The floor the load script compares the service with: the same endpoint on the JDK's bare
 * {@link HttpServer}, no Spring, no ND4J, no validation beyond what parsing needs. It streams the request
 * with Jackson into float arrays, computes the answer with {@link FusedCrossEntropy} (one plain loop per
 * row) and streams a response of the same fields and shape ({@code loss}, {@code smoothedTargets},
 * {@code gradient}, ...) with Jackson's generator, so its responses have the service's size.
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

    private static final FusedCrossEntropy LOSS = new FusedCrossEntropy("cpu");

    private FloorServer() {
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
            CrossEntropyResult result;
            try (InputStream body = exchange.getRequestBody()) {
                result = LOSS.compute(parse(body));
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
                write(result, out);
            }
        } finally {
            exchange.close();
        }
    }

    /** Index targets only (what the load script sends); logits, targets, epsilon, numClasses, include. */
    static CrossEntropyRequest parse(InputStream body) {
        float[] logits = new float[1024];
        int size = 0;
        int rows = 0;
        int columns = -1;
        int[] targets = new int[64];
        int targetCount = 0;
        double epsilon = 0.1;
        Set<OptionalOutput> outputs = EnumSet.of(OptionalOutput.SMOOTHED_TARGETS);
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
                        outputs = EnumSet.noneOf(OptionalOutput.class);
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            outputs.add(OptionalOutput.fromWireName(parser.getString()));
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
        return new CrossEntropyRequest(rows, columns, size == logits.length ? logits : Arrays.copyOf(logits, size),
                Arrays.copyOf(targets, targetCount), null, epsilon, Reduction.MEAN, null, outputs);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("expected " + expected + ", found " + actual);
        }
    }

    /** The service's response layout: loss, the requested arrays, then the scalars. */
    static void write(CrossEntropyResult result, OutputStream out) {
        int c = result.numClasses();
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            json.writeStartObject();
            json.writeName("loss");
            if (result.loss() == null) {
                json.writeNull();
            } else {
                json.writeNumber(result.loss());
            }
            if (result.perSampleLoss() != null) {
                json.writeName("perSampleLoss");
                json.writeStartArray();
                for (float value : result.perSampleLoss()) {
                    json.writeNumber(value);
                }
                json.writeEndArray();
            }
            writeMatrix(json, "smoothedTargets",
                    result.smoothedTargets() == null ? null : result.smoothedTargets().toRowMajor(c), c);
            writeMatrix(json, "probabilities", result.probabilities(), c);
            writeMatrix(json, "gradient", result.gradient(), c);
            json.writeNumberProperty("batchSize", result.batchSize());
            json.writeNumberProperty("numClasses", c);
            json.writeNumberProperty("epsilon", result.epsilon());
            json.writeStringProperty("reduction", result.reduction().wireName());
            json.writeStringProperty("backend", result.backend());
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
