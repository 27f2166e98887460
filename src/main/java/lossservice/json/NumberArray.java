package lossservice.json;

import java.util.List;

/**
 * A rectangular nested JSON array of numbers, flattened in row-major order.
 *
 * @param shape          the length of each dimension, outermost first (read along the first elements)
 * @param values         the numbers, row-major; only the first {@code length()} entries are meaningful
 * @param integral       for each number, whether it was written as a JSON integer (null when not tracked)
 * @param beyondFloat32  the JSON pointers of the numbers that are finite doubles but infinite once rounded
 *                       to float32 (1e39): an error only for a float32 computation, which the reader does not
 *                       know about, as {@code dtype} may come after the array
 */
public record NumberArray(int[] shape, double[] values, boolean[] integral, List<String> beyondFloat32) {

    public NumberArray(int[] shape, double[] values, boolean[] integral) {
        this(shape, values, integral, List.of());
    }

    public int depth() {
        return shape.length;
    }

    public int length() {
        int length = 1;
        for (int dimension : shape) {
            length *= dimension;
        }
        return length;
    }
}
