package lossservice.loss;

import java.util.List;
import java.util.Map;

import lossservice.problem.Violations;

/**
 * What shape an input tensor must have, alone or relative to inputs declared before it. {@link Shapes} has the
 * rules the catalogue's losses use; a loss may implement its own.
 *
 * <p>{@code known} maps the names of the inputs whose shapes are already known and usable to those shapes.
 */
public interface ShapeRule {

    /** The inputs whose shapes this rule is relative to. */
    default List<String> references() {
        return List.of();
    }

    /** The exact shape required given the known shapes, or null when the rule leaves it open or cannot tell yet. */
    default int[] exactShape(Map<String, int[]> known) {
        return null;
    }

    /**
     * Whether a JSON array is read against {@link #exactShape}, so that each row of the wrong length is reported at
     * its own pointer; when false, it is read freely and a mismatch is reported once, at the field.
     */
    default boolean readsAgainstExactShape() {
        return true;
    }

    /** The number of dimensions required given the known shapes, or -1 when several are accepted. */
    default int rank(Map<String, int[]> known) {
        int[] exact = exactShape(known);
        return exact == null ? -1 : exact.length;
    }

    /**
     * Whether an array of another rank than {@link #rank} is not this input at all (class indices given as
     * probabilities), reported once at the field, rather than a shape error reported where the depth differs.
     */
    default boolean rankIsTheKind() {
        return false;
    }

    /** Whether the inputs this rule refers to are known. */
    default boolean canCheck(Map<String, int[]> known) {
        return known.keySet().containsAll(references());
    }

    /**
     * Checks a shape, reporting every problem at {@code pointer} or inside it; with null violations it only tests.
     *
     * @return whether the shape is acceptable
     */
    boolean check(String pointer, int[] shape, Map<String, int[]> known, Violations violations);

    /** The shape in words for documents and messages, e.g. {@code [N, C, d1..dk]}. */
    String describe();

    /**
     * The shape in the Open Inference Protocol's model metadata: -1 for each variable dimension; null when it is
     * the shape of the input it refers to.
     */
    long[] metadataShape();

    /** The deepest nesting a JSON array is read to; deeper arrays are reported where they are. */
    default int maxReadDepth() {
        return Shapes.READ_DEPTH;
    }
}
