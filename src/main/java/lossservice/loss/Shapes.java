package lossservice.loss;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import lossservice.problem.Violations;

/** The shape rules the losses of the catalogue are declared with. */
public final class Shapes {

    /** Arrays are read deeper than any rule allows, so that too many dimensions is one error at the field. */
    static final int READ_DEPTH = 15;

    private Shapes() {
    }

    /**
     * Scores per class, {@code [N, C, d1..dk]} with N >= 1, C >= 2 (dimension 1, as in PyTorch), k <= maxSpatial and
     * no empty dimension.
     */
    public static ShapeRule classScores(int maxSpatial) {
        int maxRank = 2 + maxSpatial;
        return new ShapeRule() {
            @Override
            public boolean check(String pointer, int[] shape, Map<String, int[]> known, Violations violations) {
                if (shape[0] < 1) {
                    return report(violations, pointer, "must have at least one row");
                }
                if (shape.length == 1) {
                    return report(violations, pointer + "/0", "expected a row of at least 2 numbers, found a number:"
                            + " this input is " + describe() + ", N samples of C scores; one sample is written"
                            + " [[...]]");
                }
                if (shape.length > maxRank) {
                    return report(violations, pointer, "has " + shape.length + " dimensions; at most " + maxRank
                            + " are supported (" + describe() + ")");
                }
                if (shape[1] < 2) {
                    return report(violations, pointer + "/0", "must have at least 2 classes, found " + shape[1]);
                }
                for (int level = 2; level < shape.length; level++) {
                    if (shape[level] == 0) {
                        return report(violations, pointer + "/0".repeat(level), "must not be empty: every dimension"
                                + " needs at least one entry");
                    }
                }
                return true;
            }

            @Override
            public String describe() {
                return maxSpatial == 0 ? "[N, C]" : "[N, C, d1..d" + maxSpatial + "]";
            }

            @Override
            public long[] metadataShape() {
                return new long[] {-1, -1};
            }
        };
    }

    /** Any shape of 1 to maxRank dimensions, none of them empty. */
    public static ShapeRule anyShape(int maxRank) {
        return new ShapeRule() {
            @Override
            public boolean check(String pointer, int[] shape, Map<String, int[]> known, Violations violations) {
                if (shape.length > maxRank) {
                    return report(violations, pointer, "has " + shape.length + " dimensions; at most " + maxRank
                            + " are supported");
                }
                for (int level = 0; level < shape.length; level++) {
                    if (shape[level] == 0) {
                        return report(violations, pointer + "/0".repeat(level), "must not be empty: every dimension"
                                + " needs at least one entry");
                    }
                }
                return true;
            }

            @Override
            public String describe() {
                return "any shape of 1 to " + maxRank + " dimensions";
            }

            @Override
            public long[] metadataShape() {
                return new long[] {-1};
            }
        };
    }

    /**
     * Exactly the shape of input {@code reference}. With {@code reportAtRows}, an array of the wrong length is
     * reported where it is ({@code /targets/0}); otherwise any difference is one violation at the field.
     */
    public static ShapeRule like(String reference, boolean reportAtRows) {
        return new Relative(reference, reportAtRows, "the shape of " + reference) {
            @Override
            int[] derive(int[] referenceShape) {
                return referenceShape;
            }

            @Override
            public long[] metadataShape() {
                return null;
            }
        };
    }

    /** The shape of {@code reference} without its dimension 1: {@code [N, d1..dk]} for {@code [N, C, d1..dk]}. */
    public static ShapeRule withoutClasses(String reference) {
        return new Relative(reference, true, "the shape of " + reference + " without dimension 1") {
            @Override
            int[] derive(int[] referenceShape) {
                int[] shape = new int[referenceShape.length - 1];
                shape[0] = referenceShape[0];
                System.arraycopy(referenceShape, 2, shape, 1, referenceShape.length - 2);
                return shape;
            }

            @Override
            public long[] metadataShape() {
                return new long[] {-1};
            }

            @Override
            public boolean rankIsTheKind() {
                return true;
            }
        };
    }

    /**
     * A vector as long as dimension {@code axis} of {@code reference} (-1: its last dimension).
     *
     * @param along  what one entry stands for, for messages ("one per class, dimension 1 of the logits")
     */
    public static ShapeRule alongAxis(String reference, int axis, String along) {
        return new ShapeRule() {
            @Override
            public List<String> references() {
                return List.of(reference);
            }

            @Override
            public int[] exactShape(Map<String, int[]> known) {
                int[] referenceShape = known.get(reference);
                return referenceShape == null ? null : new int[] {length(referenceShape)};
            }

            /** The length is checked here, with a message that says what the entries stand for. */
            @Override
            public boolean readsAgainstExactShape() {
                return false;
            }

            @Override
            public boolean check(String pointer, int[] shape, Map<String, int[]> known, Violations violations) {
                int expected = length(known.get(reference));
                if (shape.length != 1 || shape[0] != expected) {
                    return report(violations, pointer, "expected " + expected + " numbers (" + along + "), found "
                            + (shape.length == 1 ? shape[0] : "an array of " + shape.length + " dimensions"));
                }
                return true;
            }

            private int length(int[] referenceShape) {
                return referenceShape[axis < 0 ? referenceShape.length + axis : axis];
            }

            @Override
            public String describe() {
                return "[" + (axis == 1 ? "C" : "L") + "]";
            }

            @Override
            public long[] metadataShape() {
                return new long[] {-1};
            }

            @Override
            public int maxReadDepth() {
                return 1;
            }
        };
    }

    private static boolean report(Violations violations, String pointer, String message) {
        if (violations != null) {
            violations.add(pointer, message);
        }
        return false;
    }

    /** A shape derived from another input's. */
    private abstract static class Relative implements ShapeRule {

        private final String reference;
        private final boolean reportAtRows;
        private final String description;

        Relative(String reference, boolean reportAtRows, String description) {
            this.reference = reference;
            this.reportAtRows = reportAtRows;
            this.description = description;
        }

        abstract int[] derive(int[] referenceShape);

        @Override
        public List<String> references() {
            return List.of(reference);
        }

        @Override
        public int[] exactShape(Map<String, int[]> known) {
            int[] referenceShape = known.get(reference);
            return referenceShape == null ? null : derive(referenceShape);
        }

        @Override
        public boolean readsAgainstExactShape() {
            return reportAtRows;
        }

        /**
         * Read against the exact shape, only a mismatch the reader could not see remains (the array came before its
         * reference): the first one along the first elements is reported, where it is.
         */
        @Override
        public boolean check(String pointer, int[] shape, Map<String, int[]> known, Violations violations) {
            int[] expected = exactShape(known);
            if (Arrays.equals(shape, expected)) {
                return true;
            }
            if (!reportAtRows) {
                return report(violations, pointer, "has shape " + Arrays.toString(shape) + ", expected "
                        + Arrays.toString(expected) + " (" + description + ")");
            }
            int common = Math.min(shape.length, expected.length);
            for (int level = 0; level < common; level++) {
                if (shape[level] != expected[level]) {
                    return report(violations, pointer + "/0".repeat(level), "has " + shape[level]
                            + (shape[level] == 1 ? " entry" : " entries") + ", expected " + expected[level]
                            + " to match " + description);
                }
            }
            return report(violations, pointer + "/0".repeat(common), shape.length < expected.length
                    ? "expected an array, found a number (" + description + " is " + Arrays.toString(expected) + ")"
                    : "expected a number, found an array (" + description + " is " + Arrays.toString(expected) + ")");
        }

        @Override
        public String describe() {
            return description;
        }

        @Override
        public long[] metadataShape() {
            return new long[] {-1, -1};
        }
    }
}
