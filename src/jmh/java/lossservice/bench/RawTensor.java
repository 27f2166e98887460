package lossservice.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * A nested JSON number array of a loss request as the Open Inference Protocol's raw tensor: its shape, its datatype
 * (INT64 when every number is a JSON integer, unless asked for FP32; FP32 otherwise) and its little-endian
 * row-major bytes. The benchmark payloads of both the binary HTTP form ({@link BinaryPayloads}) and gRPC
 * ({@link GrpcPayloads}) are made with it.
 */
record RawTensor(List<Long> shape, String datatype, byte[] bytes) {

    static RawTensor of(JsonNode array, boolean asFloat) {
        List<Long> shape = new ArrayList<>();
        for (JsonNode level = array; level.isArray(); level = level.get(0)) {
            shape.add((long) level.size());
        }
        List<JsonNode> leaves = new ArrayList<>();
        collect(array, leaves);
        boolean integers = !asFloat && leaves.stream().allMatch(JsonNode::isIntegralNumber);
        ByteBuffer bytes = ByteBuffer.allocate(leaves.size() * (integers ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode leaf : leaves) {
            if (integers) {
                bytes.putLong(leaf.longValue());
            } else {
                bytes.putFloat((float) leaf.doubleValue());
            }
        }
        return new RawTensor(shape, integers ? "INT64" : "FP32", bytes.array());
    }

    /** A request field's or output's name as the protocol spells it: logProbabilities is log_probabilities. */
    static String snakeCase(String camelCase) {
        StringBuilder snake = new StringBuilder();
        for (char c : camelCase.toCharArray()) {
            snake.append(Character.isUpperCase(c) ? "_" + Character.toLowerCase(c) : String.valueOf(c));
        }
        return snake.toString();
    }

    private static void collect(JsonNode node, List<JsonNode> leaves) {
        if (node.isArray()) {
            node.forEach(element -> collect(element, leaves));
        } else {
            leaves.add(node);
        }
    }
}
