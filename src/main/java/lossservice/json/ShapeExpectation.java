package lossservice.json;

import java.util.function.IntFunction;

/**
 * The shape a nested array must have, known from another field (targets follow the logits). With it,
 * {@link NumberArrayReader} reports each array of the wrong length at its own pointer instead of comparing
 * it with the first array at its level, and a value at the wrong depth where it stands.
 *
 * @param forDepth  the expected shape given the depth at which the first number was found, or null when no
 *                  shape is expected at that depth (the caller then reports the depth itself)
 * @param source    what the shape comes from, for messages ("the logits")
 */
public record ShapeExpectation(IntFunction<int[]> forDepth, String source) {

    /** No expectation: the first array at each level fixes that level's length. */
    public static final ShapeExpectation NONE = new ShapeExpectation(depth -> null, "");

    /** Exactly this shape, whatever depth the first number is found at. */
    public static ShapeExpectation exactly(int[] shape, String source) {
        return new ShapeExpectation(depth -> shape, source);
    }
}
