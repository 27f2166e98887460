package lossservice.json;

import java.math.BigDecimal;
import java.util.Arrays;

import lossservice.problem.InvalidRequestException;
import lossservice.problem.Violation;
import lossservice.problem.Violations;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Streams a nested JSON array of numbers straight into a primitive buffer, checking it in the same pass.
 *
 * <p>The shape is read along the first elements ({@code x[0]}, {@code x[0][0]}, ...): the first array at
 * each level fixes that level's length and the first number fixes the depth. Every array whose length
 * differs, every number where an array belongs, every array where a number belongs and every value that
 * is not a finite number is reported at its own JSON pointer. A number beyond the double range (1e400) is
 * an error; whether one fits the computation's precision is for the caller to say.
 *
 * <p>Given a {@link ShapeExpectation} (the targets must match the logits), arrays are compared with the
 * expected lengths instead of the first array at their level, and the expected depth decides where numbers
 * belong, so a wrong length or a missing dimension is reported exactly where it is.
 */
public final class NumberArrayReader {

    /** The parser of lifted arrays written again; their nesting and numbers are within the request's limits already. */
    private static final JsonFactory REPLAY = new JsonFactory();

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
        return read(parser, pointer, violations, ShapeExpectation.NONE);
    }

    /**
     * Reads the array at the parser's current {@code START_ARRAY} token against an expected shape, leaving
     * the parser on its matching {@code END_ARRAY}.
     */
    public NumberArray read(JsonParser parser, String pointer, Violations violations, ShapeExpectation expectation) {
        return read(parser, pointer, violations, expectation, maxValues, null);
    }

    /**
     * Reads the array at the parser's current {@code START_ARRAY} token against an expected shape, accepting at most
     * {@code maxValues} numbers: the number past it stops the reading at once with an
     * {@link InvalidRequestException} at {@code pointer} saying {@code tooMany} (or that the array has more than
     * {@code maxValues} numbers when null).
     */
    public NumberArray read(JsonParser parser, String pointer, Violations violations, ShapeExpectation expectation,
            long maxValues, String tooMany) {
        int[] expected = null;
        int[] shape = new int[maxDepth];
        Arrays.fill(shape, -1);
        int[] index = new int[maxDepth];
        int depth = -1;
        int open = 1;
        double[] values = new double[64];
        boolean[] integral = trackIntegral ? new boolean[64] : null;
        int count = 0;
        boolean rectangular = true;

        while (open > 0) {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.END_ARRAY) {
                if (depth < 0) {
                    // Empty arrays before any number: the depth is the nesting seen so far, or the expected one.
                    expected = expectation.forDepth().apply(open);
                    depth = expected != null ? expected.length : open;
                    if (open > depth) {
                        violations.add(pointerAt(pointer, index, depth), "expected a number, found an array");
                        rectangular = false;
                        open = abandonDeeperArrays(parser, index, open - 1, depth);
                        continue;
                    }
                }
                int level = open - 1;
                int length = index[level];
                boolean first = shape[level] < 0;
                if (first) {
                    shape[level] = length;
                }
                if (expected != null && level < expected.length) {
                    if (length != expected[level]) {
                        rectangular = false;
                        violations.add(pointerAt(pointer, index, level), "has " + entries(length) + ", expected "
                                + expected[level] + " to match the shape of " + expectation.source());
                    }
                } else if (!first && length != shape[level]) {
                    rectangular = false;
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
                    rectangular = false;
                    parser.skipChildren();
                    index[open - 1]++;
                } else {
                    index[open] = 0;
                    open++;
                }
                continue;
            }
            // A leaf value: the first one fixes the depth, unless the expected shape does.
            if (depth < 0) {
                expected = expectation.forDepth().apply(open);
                depth = expected != null ? expected.length : open;
                if (open > depth) {
                    violations.add(pointerAt(pointer, index, depth), "expected a number, found an array");
                    rectangular = false;
                    JsonTokens.skipValue(parser);
                    open = abandonDeeperArrays(parser, index, open, depth);
                    continue;
                }
            }
            if (open < depth) {
                violations.add(pointerAt(pointer, index, open), "expected an array, found " + JsonTokens.describe(parser));
                rectangular = false;
                JsonTokens.skipValue(parser);
                index[open - 1]++;
                continue;
            }
            if (count == maxValues) {
                throw new InvalidRequestException(new Violation(pointer, tooMany != null ? tooMany
                        : "has more than " + maxValues + " numbers, the most this service accepts"));
            }
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
                if (integral != null) {
                    integral = Arrays.copyOf(integral, count * 2);
                }
            }
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                double value = parser.getDoubleValue();
                if (Double.isInfinite(value)) {
                    violations.add(pointerAt(pointer, index, open), JsonTokens.describe(parser)
                            + " is beyond the float64 range");
                }
                values[count] = value;
                if (integral != null) {
                    integral[count] = token == JsonToken.VALUE_NUMBER_INT;
                }
            } else {
                violations.add(pointerAt(pointer, index, open), "expected a number, found " + JsonTokens.describe(parser));
                JsonTokens.skipValue(parser);
                values[count] = Double.NaN; // reported: the place is kept, so that the shape and the rest still count
            }
            count++;
            index[open - 1]++;
        }

        // The outermost END_ARRAY has fixed the depth by now.
        int[] resolvedShape = Arrays.copyOf(shape, depth);
        for (int level = 0; level < depth; level++) {
            if (resolvedShape[level] < 0) {
                resolvedShape[level] = 0;
            }
        }
        return new NumberArray(resolvedShape, values, integral, rectangular);
    }

    /**
     * The same reading for an array {@link NumberArrayLifter lifted} out of the body: rectangular, all numbers and
     * finite. When it is what the reader accepts as it is (no deeper than it reads, of the expected shape, within
     * {@code maxValues}) it is taken whole; otherwise its text is written again, with the texts of the numbers a
     * message may quote, and read as above, so that every problem is reported exactly as from the body.
     */
    public NumberArray read(NumberArrayLifter.Lifted lifted, String pointer, Violations violations,
            ShapeExpectation expectation, long maxValues, String tooMany) {
        NumberArray array = lifted.array();
        int[] expected = expectation.forDepth().apply(array.depth());
        if (array.depth() <= maxDepth && array.length() <= maxValues
                && (expected == null || Arrays.equals(expected, array.shape()))) {
            return trackIntegral ? array : new NumberArray(array.shape(), array.values(), null, true);
        }
        try (JsonParser parser = REPLAY.createParser(ObjectReadContext.empty(), replayText(lifted))) {
            parser.nextToken();
            return read(parser, pointer, violations, expectation, maxValues, tooMany);
        }
    }

    /** The lifted array as JSON: the body's own texts for the numbers that keep them, exact ones for the rest. */
    private static String replayText(NumberArrayLifter.Lifted lifted) {
        NumberArray array = lifted.array();
        int[] shape = array.shape();
        int length = array.length();
        StringBuilder text = new StringBuilder(length * 8 + 16);
        text.append("[".repeat(shape.length));
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                int closed = 0;
                for (int level = shape.length - 1, stride = 1; level > 0; level--) {
                    stride *= shape[level];
                    if (i % stride == 0) {
                        closed++;
                    }
                }
                text.append("]".repeat(closed)).append(',').append("[".repeat(closed));
            }
            String own = lifted.text(i);
            double value = array.values()[i];
            if (own != null) {
                text.append(own);
            } else if (array.integral() != null && array.integral()[i]) {
                text.append(new BigDecimal(value).toBigInteger());
            } else {
                text.append(value);
            }
        }
        return text.append("]".repeat(shape.length)).toString();
    }

    /**
     * Skips the rest of the arrays nested deeper than {@code depth} (the parser is inside {@code open} arrays,
     * the innermost {@code open - depth} of which should have been numbers) and returns the new nesting.
     */
    private static int abandonDeeperArrays(JsonParser parser, int[] index, int open, int depth) {
        int pending = open - depth;
        while (pending > 0) {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
                parser.skipChildren();
            } else if (token == JsonToken.END_ARRAY) {
                pending--;
            }
        }
        index[depth - 1]++;
        return depth;
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
