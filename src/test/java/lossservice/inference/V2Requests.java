package lossservice.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON request of the loss catalogue as an Open Inference Protocol request, by the contract's mechanical
 * mapping: each array field is an input tensor named in snake_case (JSON integers throughout: INT64; otherwise FP32,
 * or FP64 for a float64 request), each scalar a parameter in snake_case ({@code dtype} included), {@code include}
 * the outputs in snake_case plus {@code loss}. In binary form every input whose numbers can be written as its
 * datatype's bytes goes after the JSON; the others (strings, nulls, ragged rows) stay in the JSON.
 */
public final class V2Requests {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A body and its Inference-Header-Content-Length (null without binary data). */
    record Body(byte[] bytes, Integer jsonLength) {
    }

    private V2Requests() {
    }

    public static String snakeCase(String camelCase) {
        StringBuilder snake = new StringBuilder();
        for (char c : camelCase.toCharArray()) {
            if (Character.isUpperCase(c)) {
                snake.append('_').append(Character.toLowerCase(c));
            } else {
                snake.append(c);
            }
        }
        return snake.toString();
    }

    static Body convert(JsonNode request, boolean binary) {
        boolean float64 = "float64".equals(request.path("dtype").asString(""));
        ObjectNode json = NODES.objectNode();
        ArrayNode inputs = json.putArray("inputs");
        ObjectNode parameters = NODES.objectNode();
        List<byte[]> binaryParts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : request.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals("include")) {
                if (value.isArray()) {
                    ArrayNode outputs = json.putArray("outputs");
                    outputs.addObject().put("name", "loss");
                    for (JsonNode output : value) {
                        outputs.addObject().put("name", output.isString() ? snakeCase(output.asString())
                                : output.toString());
                    }
                } else {
                    parameters.set("include", value);
                }
            } else if (value.isArray()) {
                inputs.add(input(snakeCase(name), value, float64, binary, binaryParts));
            } else if (!value.isNull()) {
                parameters.set(name.equals("dtype") ? "dtype" : snakeCase(name), value);
            }
        }
        if (!parameters.isEmpty()) {
            json.set("parameters", parameters);
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        if (binaryParts.isEmpty()) {
            return new Body(header, null);
        }
        int length = header.length + binaryParts.stream().mapToInt(part -> part.length).sum();
        ByteBuffer body = ByteBuffer.allocate(length);
        body.put(header);
        binaryParts.forEach(body::put);
        return new Body(body.array(), header.length);
    }

    private static ObjectNode input(String name, JsonNode array, boolean float64, boolean binary,
            List<byte[]> binaryParts) {
        List<Long> shape = new ArrayList<>();
        for (JsonNode level = array; level.isArray(); level = level.size() > 0 ? level.get(0) : NODES.nullNode()) {
            shape.add((long) level.size());
        }
        List<JsonNode> leaves = new ArrayList<>();
        boolean rectangular = collect(array, 0, shape, leaves);
        boolean integers = !leaves.isEmpty() && leaves.stream().allMatch(JsonNode::isIntegralNumber);
        boolean numbers = leaves.stream().allMatch(JsonNode::isNumber);
        String datatype = integers ? "INT64" : float64 ? "FP64" : "FP32";
        ObjectNode input = NODES.objectNode();
        input.put("name", name);
        ArrayNode shapeNode = input.putArray("shape");
        shape.forEach(shapeNode::add);
        input.put("datatype", datatype);
        boolean representable = numbers && rectangular && leaves.stream().allMatch(leaf -> switch (datatype) {
            case "FP32" -> Float.isFinite((float) leaf.doubleValue());
            case "FP64" -> Double.isFinite(leaf.doubleValue());
            default -> leaf.canConvertToLong();
        });
        if (binary && representable) {
            ByteBuffer bytes = ByteBuffer.allocate(leaves.size() * (datatype.equals("FP32") ? 4 : 8))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode leaf : leaves) {
                switch (datatype) {
                    case "FP32" -> bytes.putFloat((float) leaf.doubleValue());
                    case "FP64" -> bytes.putDouble(leaf.doubleValue());
                    default -> bytes.putLong(leaf.longValue());
                }
            }
            input.putObject("parameters").put("binary_data_size", bytes.capacity());
            binaryParts.add(bytes.array());
        } else {
            input.set("data", array);
        }
        return input;
    }

    /** The leaves in row-major order; false when the array is not rectangular along its first elements' shape. */
    private static boolean collect(JsonNode node, int level, List<Long> shape, List<JsonNode> leaves) {
        if (level == shape.size()) {
            leaves.add(node);
            return !node.isArray();
        }
        if (!node.isArray() || node.size() != shape.get(level)) {
            return false;
        }
        boolean rectangular = true;
        for (JsonNode element : node) {
            rectangular &= collect(element, level + 1, shape, leaves);
        }
        return rectangular;
    }

    /**
     * A protocol response in the JSON endpoint's form, to be judged as one: each output under its JSON name, nested
     * as its shape; {@code loss} a number, or null when it has no elements; an empty {@code gradient} null.
     */
    public static ObjectNode asJsonResponse(JsonNode json, Map<String, double[]> outputs, Map<String, long[]> shapes,
            Map<String, String> jsonNames) {
        ObjectNode response = NODES.objectNode();
        for (JsonNode output : json.get("outputs")) {
            String name = output.get("name").asString();
            double[] values = outputs.get(name);
            long[] shape = shapes.get(name);
            String field = jsonNames.getOrDefault(name, name);
            if (name.equals("loss")) {
                if (values.length == 0) {
                    response.putNull("loss");
                } else {
                    response.put("loss", values[0]);
                }
            } else if (values.length == 0 && shape.length == 1 && shape[0] == 0) {
                response.putNull(field);
            } else {
                response.set(field, nest(values, shape, 0, new int[] {0}));
            }
        }
        return response;
    }

    private static JsonNode nest(double[] values, long[] shape, int level, int[] at) {
        ArrayNode array = NODES.arrayNode();
        for (long i = 0; i < shape[level]; i++) {
            if (level == shape.length - 1) {
                array.add(values[at[0]++]);
            } else {
                array.add(nest(values, shape, level + 1, at));
            }
        }
        return array;
    }

    /** JSON field names by their snake_case. */
    public static Map<String, String> jsonNames(List<String> fields) {
        Map<String, String> names = new LinkedHashMap<>();
        fields.forEach(field -> names.put(snakeCase(field), field));
        return names;
    }
}
