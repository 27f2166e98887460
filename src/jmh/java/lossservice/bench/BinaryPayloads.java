package lossservice.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Any JSON loss request as the binary form of the Open Inference Protocol over HTTP, as {@code tritonclient.http}
 * sends it: every array of the request as a binary input (arrays of JSON integers as INT64, others FP32, unless named
 * as a float input), its scalars as parameters, and its {@code include} as binary outputs with {@code loss} first: the
 * same arrays the JSON request asks for.
 *
 * <p>{@code java -cp ... lossservice.bench.BinaryPayloads DIR NAME [FLOAT_INPUT...]} writes {@code DIR/NAME.v2} and
 * {@code DIR/NAME.v2.header-length} (the value of {@code Inference-Header-Content-Length}) from {@code DIR/NAME.json};
 * a FLOAT_INPUT (snake_case) is sent as FP32 even when its values are integers (binary cross-entropy's 0/1 targets).
 */
public final class BinaryPayloads {

    private BinaryPayloads() {
    }

    public static void main(String[] arguments) throws IOException {
        Path directory = Path.of(arguments[0]);
        String name = arguments[1];
        Set<String> floatInputs = Set.of(Arrays.copyOfRange(arguments, 2, arguments.length));
        JsonMapper json = JsonMapper.builder().build();
        JsonNode body = json.readTree(Files.readAllBytes(directory.resolve(name + ".json")));
        ObjectNode header = json.createObjectNode();
        ArrayNode inputs = header.putArray("inputs");
        ArrayNode outputs = header.putArray("outputs");
        ObjectNode parameters = json.createObjectNode();
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            JsonNode value = field.getValue();
            String tensor = RawTensor.snakeCase(field.getKey());
            if (field.getKey().equals("include")) {
                outputs.addObject().put("name", "loss").putObject("parameters").put("binary_data", true);
                value.forEach(output -> outputs.addObject().put("name", RawTensor.snakeCase(output.asString()))
                        .putObject("parameters").put("binary_data", true));
            } else if (value.isArray()) {
                RawTensor raw = RawTensor.of(value, floatInputs.contains(tensor));
                ObjectNode input = inputs.addObject().put("name", tensor);
                raw.shape().forEach(input.putArray("shape")::add);
                input.put("datatype", raw.datatype()).putObject("parameters").put("binary_data_size", raw.bytes().length);
                binary.writeBytes(raw.bytes());
            } else {
                parameters.set(tensor, value);
            }
        }
        header.set("parameters", parameters);
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        Path file = directory.resolve(name + ".v2");
        try (var out = Files.newOutputStream(file)) {
            out.write(headerBytes);
            binary.writeTo(out);
        }
        Files.writeString(directory.resolve(name + ".v2.header-length"), String.valueOf(headerBytes.length));
        System.err.printf("%s %d bytes (JSON part %d)%n", file, Files.size(file), headerBytes.length);
    }
}
