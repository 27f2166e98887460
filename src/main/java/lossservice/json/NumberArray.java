package lossservice.json;

/**
 * A rectangular nested JSON array of numbers, flattened in row-major order.
 *
 * @param shape     the length of each dimension, outermost first (read along the first elements)
 * @param values    the numbers, row-major; only the first {@code length()} entries are meaningful
 * @param integral  for each number, whether it was written as a JSON integer (null when not tracked)
 * @param rectangular  whether the shape is as read: no array of another length, and numbers and arrays each
 *                     where the shape puts them. A value that is not a finite number (reported as it was read)
 *                     keeps its place as a non-finite value, NaN or an infinity, and does not change the shape
 */
public record NumberArray(int[] shape, double[] values, boolean[] integral, boolean rectangular) {

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
