package lossservice.json;

import java.util.Arrays;

import lossservice.problem.InvalidRequestException;
import lossservice.problem.Violation;
import lossservice.problem.Violations;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Streams a nested JSON array of numbers straight into a primitive buffer, checking it in the same pass.
 *
 * <p>The shape is read along the first elements ({@code x[0]}, {@code x[0][0]}, ...): the first array at
 * each level fixes that level's length and the first number fixes the depth. Every array whose length
 * differs, every number where an array belongs, every array where a number belongs and every value that
 * is not a finite number is reported at its own JSON pointer. Numbers must be finite once rounded to
 * float32: the service computes in float32, where 1e39 is infinite.
 */
public final class NumberArrayReader {

    private final int maxDepth;
    private final boolean trackIntegral;
    private final long maxValues;

    /**
     * @param maxDepth       the deepest nesting accepted (2 for a matrix)
     * @param trackIntegral  whether to record which numbers were written as JSON integers
     */
    public NumberArrayReader(int maxDepth, boolean trackIntegral) {
        this(maxDepth, trackIntegral, Long.MAX_VALUE);
    }

    /**
     * @param maxValues  the most values accepted: the value past it stops the reading at once with an
     *                   {@link InvalidRequestException}, before the buffer grows any further
     */
    public NumberArrayReader(int maxDepth, boolean trackIntegral, long maxValues) {
        this.maxDepth = maxDepth;
        this.trackIntegral = trackIntegral;
        this.maxValues = maxValues;
    }

    /**
     * Reads the array at the parser's current {@code START_ARRAY} token, leaving the parser on its
     * matching {@code END_ARRAY}.
     */
    public NumberArray read(JsonParser parser, String pointer, Violations violations) {
        int[] shape = new int[maxDepth];
        Arrays.fill(shape, -1);
        int[] index = new int[maxDepth];
        int depth = -1;
        int open = 1;
        double[] values = new double[64];
        boolean[] integral = trackIntegral ? new boolean[64] : null;
        int count = 0;

        while (open > 0) {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.END_ARRAY) {
                int level = open - 1;
                int length = index[level];
                if (shape[level] < 0) {
                    shape[level] = length;
                } else if (length != shape[level]) {
                    violations.add(pointerAt(pointer, index, level),
                            "has " + entries(length) + ", expected " + shape[level] + " like "
                                    + firstAt(pointer, level));
                }
                open--;
                if (open > 0) {
                    index[open - 1]++;
                }
                continue;
            }
            if (token == JsonToken.START_ARRAY) {
                if (depth >= 0 && open >= depth || open >= maxDepth) {
                    violations.add(pointerAt(pointer, index, open), "expected a number, found an array");
                    parser.skipChildren();
                    index[open - 1]++;
                } else {
                    index[open] = 0;
                    open++;
                }
                continue;
            }
            // A leaf value: the first one fixes the depth.
            if (depth < 0) {
                depth = open;
            } else if (open < depth) {
                violations.add(pointerAt(pointer, index, open), "expected an array, found " + JsonTokens.describe(parser));
                JsonTokens.skipValue(parser);
                index[open - 1]++;
                continue;
            }
            if (count == maxValues) {
                throw new InvalidRequestException(new Violation(pointer, "has more than " + maxValues
                        + " numbers, the most this service accepts"));
            }
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
                if (integral != null) {
                    integral = Arrays.copyOf(integral, count * 2);
                }
            }
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                double value = parser.getDoubleValue();
                if (Float.isInfinite((float) value)) {
                    violations.add(pointerAt(pointer, index, open), JsonTokens.describe(parser)
                            + " is beyond the float32 range");
                }
                values[count] = value;
                if (integral != null) {
                    integral[count] = token == JsonToken.VALUE_NUMBER_INT;
                }
            } else {
                violations.add(pointerAt(pointer, index, open), "expected a number, found " + JsonTokens.describe(parser));
                JsonTokens.skipValue(parser);
            }
            count++;
            index[open - 1]++;
        }

        int resolvedDepth = depth >= 0 ? depth : countKnownLevels(shape);
        int[] resolvedShape = Arrays.copyOf(shape, resolvedDepth);
        for (int level = 0; level < resolvedDepth; level++) {
            if (resolvedShape[level] < 0) {
                resolvedShape[level] = 0;
            }
        }
        return new NumberArray(resolvedShape, values, integral);
    }

    /** Without any leaf value the depth is the number of levels opened ({@code [[]]} has depth 2). */
    private static int countKnownLevels(int[] shape) {
        int levels = 0;
        while (levels < shape.length && shape[levels] >= 0) {
            levels++;
        }
        return Math.max(levels, 1);
    }

    /** The pointer to the current element of the array open at {@code level} (0 = outermost). */
    private static String pointerAt(String base, int[] index, int openArrays) {
        StringBuilder pointer = new StringBuilder(base);
        for (int level = 0; level < openArrays; level++) {
            pointer.append('/').append(index[level]);
        }
        return pointer.toString();
    }

    private static String entries(int count) {
        return count == 1 ? "1 entry" : count + " entries";
    }

    private static String firstAt(String base, int level) {
        return level == 0 ? base : base + "/0".repeat(level);
    }
}
