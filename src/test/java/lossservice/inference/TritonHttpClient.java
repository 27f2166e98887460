package lossservice.inference;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds inference requests the way {@code tritonclient.http} does (its {@code InferInput},
 * {@code InferRequestedOutput} and {@code _get_inference_request}), and reads responses the way its
 * {@code InferResult} does, so the tests speak to the service exactly as that client would:
 * <ul>
 * <li>the request JSON is compact, with keys in the client's order: {@code id}, {@code inputs}, {@code outputs},
 * {@code parameters}; an input is {@code name, shape, datatype}, then {@code parameters} holding
 * {@code binary_data_size} for binary data, or a flat row-major {@code data} list;</li>
 * <li>an output is {@code {"name": ..., "parameters": {"binary_data": bool}}}; without outputs the client adds
 * the request parameter {@code binary_data_output: true};</li>
 * <li>the body is the JSON followed by each binary input's raw little-endian bytes, in input order, with the
 * {@code Inference-Header-Content-Length} header only when some input is binary, and no Content-Type.</li>
 * </ul>
 */
final class TritonHttpClient {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** An InferInput: the numbers are sent as the datatype says, in binary or in the JSON. */
    record Input(String name, long[] shape, String datatype, double[] values, boolean binary) {

        Map<String, Object> tensor() {
            Map<String, Object> tensor = new LinkedHashMap<>();
            tensor.put("name", name);
            tensor.put("shape", shape);
            tensor.put("datatype", datatype);
            if (binary) {
                tensor.put("parameters", Map.of("binary_data_size", rawBytes().length));
            } else {
                List<Object> data = new ArrayList<>();
                for (double value : values) {
                    data.add(switch (datatype) {
                        case "FP32" -> (double) (float) value; // numpy float32 .item() is a Python float
                        case "FP64" -> value;
                        case "INT32", "INT64" -> (long) value;
                        default -> throw new IllegalArgumentException(datatype);
                    });
                }
                tensor.put("data", data);
            }
            return tensor;
        }

        /** numpy's tobytes() on a little-endian machine. */
        byte[] rawBytes() {
            int size = switch (datatype) {
                case "FP32", "INT32" -> 4;
                default -> 8;
            };
            ByteBuffer bytes = ByteBuffer.allocate(values.length * size).order(ByteOrder.LITTLE_ENDIAN);
            for (double value : values) {
                switch (datatype) {
                    case "FP32" -> bytes.putFloat((float) value);
                    case "FP64" -> bytes.putDouble(value);
                    case "INT32" -> bytes.putInt((int) value);
                    case "INT64" -> bytes.putLong((long) value);
                    default -> throw new IllegalArgumentException(datatype);
                }
            }
            return bytes.array();
        }
    }

    /** An InferRequestedOutput. */
    record Output(String name, boolean binaryData) {

        Map<String, Object> tensor() {
            Map<String, Object> tensor = new LinkedHashMap<>();
            tensor.put("name", name);
            tensor.put("parameters", Map.of("binary_data", binaryData));
            return tensor;
        }
    }

    /** The body and the Inference-Header-Content-Length (null when no input is binary). */
    record Body(byte[] bytes, Integer jsonSize) {
    }

    static Body body(String requestId, List<Input> inputs, List<Output> outputs, Map<String, Object> parameters) {
        Map<String, Object> request = new LinkedHashMap<>();
        Map<String, Object> allParameters = new LinkedHashMap<>();
        if (requestId != null && !requestId.isEmpty()) {
            request.put("id", requestId);
        }
        request.put("inputs", inputs.stream().map(Input::tensor).toList());
        if (outputs != null && !outputs.isEmpty()) {
            request.put("outputs", outputs.stream().map(Output::tensor).toList());
        } else {
            allParameters.put("binary_data_output", true);
        }
        allParameters.putAll(parameters);
        if (!allParameters.isEmpty()) {
            request.put("parameters", allParameters);
        }
        byte[] json = JSON.writeValueAsString(request).getBytes(StandardCharsets.UTF_8);
        List<byte[]> parts = new ArrayList<>(List.of(json));
        for (Input input : inputs) {
            if (input.binary()) {
                parts.add(input.rawBytes());
            }
        }
        if (parts.size() == 1) {
            return new Body(json, null);
        }
        int length = parts.stream().mapToInt(part -> part.length).sum();
        ByteBuffer body = ByteBuffer.allocate(length);
        parts.forEach(body::put);
        return new Body(body.array(), json.length);
    }

    static HttpResponse<byte[]> post(int port, String path, Body body) throws IOException, InterruptedException {
        return post(port, path, body.bytes(), body.jsonSize() == null ? null : String.valueOf(body.jsonSize()));
    }

    static HttpResponse<byte[]> post(int port, String path, byte[] body, String headerLength)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headerLength != null) {
            request.header("Inference-Header-Content-Length", headerLength);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** InferResult: the JSON part, and each output's numbers, from its JSON data or its binary bytes. */
    record Result(JsonNode json, Map<String, double[]> outputs, Map<String, long[]> shapes, Map<String, Boolean> binary) {

        static Result of(HttpResponse<byte[]> response) {
            byte[] body = response.body();
            String headerLength = response.headers().firstValue("Inference-Header-Content-Length").orElse(null);
            int jsonLength = headerLength == null ? body.length : Integer.parseInt(headerLength);
            JsonNode json = JSON.readTree(Arrays.copyOf(body, jsonLength));
            Map<String, double[]> outputs = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, Boolean> binary = new LinkedHashMap<>();
            int offset = jsonLength;
            for (JsonNode output : json.get("outputs")) {
                String name = output.get("name").asString();
                long[] shape = output.get("shape").valueStream().mapToLong(JsonNode::longValue).toArray();
                shapes.put(name, shape);
                JsonNode size = output.path("parameters").get("binary_data_size");
                if (size != null) {
                    int bytes = size.intValue();
                    ByteBuffer buffer = ByteBuffer.wrap(body, offset, bytes).order(ByteOrder.LITTLE_ENDIAN);
                    boolean fp64 = output.get("datatype").asString().equals("FP64");
                    double[] values = new double[bytes / (fp64 ? 8 : 4)];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = fp64 ? buffer.getDouble() : buffer.getFloat();
                    }
                    offset += bytes;
                    outputs.put(name, values);
                    binary.put(name, true);
                } else {
                    outputs.put(name, output.get("data").valueStream().mapToDouble(JsonNode::doubleValue).toArray());
                    binary.put(name, false);
                }
            }
            if (offset != body.length) {
                throw new AssertionError("the body has " + (body.length - offset) + " bytes after the last output");
            }
            return new Result(json, outputs, shapes, binary);
        }
    }
}
