package lossservice.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import tools.jackson.databind.JsonNode;

/** Nested JSON arrays from flat row-major numbers, and back. */
public final class NestedArrays {

    private NestedArrays() {
    }

    public static String array(double[] values, int[] shape) {
        StringBuilder json = new StringBuilder();
        nest(json, shape, 0, new int[] {0}, at -> json.append(values[at]));
        return json.toString();
    }

    public static String array(long[] values, int[] shape) {
        StringBuilder json = new StringBuilder();
        nest(json, shape, 0, new int[] {0}, at -> json.append(values[at]));
        return json.toString();
    }

    /** The numbers of a nested array, row-major. */
    public static double[] flat(JsonNode array) {
        List<Double> values = new ArrayList<>();
        collect(array, values);
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(JsonNode node, List<Double> values) {
        if (node.isArray()) {
            node.forEach(element -> collect(element, values));
        } else {
            values.add(node.doubleValue());
        }
    }

    private static void nest(StringBuilder json, int[] shape, int level, int[] at,
            IntConsumer element) {
        json.append('[');
        for (int i = 0; i < shape[level]; i++) {
            if (i > 0) {
                json.append(", ");
            }
            if (level == shape.length - 1) {
                element.accept(at[0]++);
            } else {
                nest(json, shape, level + 1, at, element);
            }
        }
        json.append(']');
    }
}
