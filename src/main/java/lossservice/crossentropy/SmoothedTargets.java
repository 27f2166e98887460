package lossservice.crossentropy;

/**
 * The smoothed target distributions q, N x C. For class indices every row holds only two values (the
 * target's and everyone else's, or zeros for an ignored row), so it is kept as the indices and those two
 * values instead of N x C numbers; for probabilities it is the dense matrix ND4J computed.
 */
public final class SmoothedTargets {

    private final int[] classIndices;
    private final float target;
    private final float offTarget;
    private final boolean hasIgnoredRows;
    private final float[] dense;

    private SmoothedTargets(int[] classIndices, float target, float offTarget, boolean hasIgnoredRows,
            float[] dense) {
        this.classIndices = classIndices;
        this.target = target;
        this.offTarget = offTarget;
        this.hasIgnoredRows = hasIgnoredRows;
        this.dense = dense;
    }

    /** q_ic = (1 - eps) [c == y_i] + eps / C, all zero where y_i is {@link CrossEntropyRequest#IGNORED}. */
    static SmoothedTargets ofClassIndices(int[] classIndices, int numClasses, double epsilon) {
        boolean hasIgnoredRows = false;
        for (int index : classIndices) {
            hasIgnoredRows |= index == CrossEntropyRequest.IGNORED;
        }
        return new SmoothedTargets(classIndices, (float) (1 - epsilon + epsilon / numClasses),
                (float) (epsilon / numClasses), hasIgnoredRows, null);
    }

    public static SmoothedTargets dense(float[] values) {
        return new SmoothedTargets(null, 0, 0, false, values);
    }

    /** The class indices, or null when the targets were probabilities. */
    public int[] classIndices() {
        return classIndices;
    }

    /** q at the target class of a row that is not ignored. */
    public float target() {
        return target;
    }

    /** q at every other class of a row that is not ignored. */
    public float offTarget() {
        return offTarget;
    }

    public boolean hasIgnoredRows() {
        return hasIgnoredRows;
    }

    /** Every value, row-major, whatever the form it is kept in. */
    public float[] toRowMajor(int numClasses) {
        if (dense != null) {
            return dense;
        }
        float[] values = new float[classIndices.length * numClasses];
        for (int row = 0; row < classIndices.length; row++) {
            if (classIndices[row] != CrossEntropyRequest.IGNORED) {
                java.util.Arrays.fill(values, row * numClasses, (row + 1) * numClasses, offTarget);
                values[row * numClasses + classIndices[row]] = target;
            }
        }
        return values;
    }

    /** The row-major matrix, or null for class indices. */
    public float[] dense() {
        return dense;
    }
}
