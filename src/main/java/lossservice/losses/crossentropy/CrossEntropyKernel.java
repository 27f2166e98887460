package lossservice.losses.crossentropy;

import lossservice.compute.Scratch;
import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cross-entropy with label smoothing, class weights and ignored rows, exactly as
 * {@code torch.nn.functional.cross_entropy}, computed with ND4J on rows of C (K-dimensional logits arrive as
 * N * d1 * .. * dk rows, see {@code ClassRows}).
 *
 * <p>Both kinds of target become one weighted target matrix {@code Q_w = w * q}, where {@code q} is
 * {@code (1 - eps) onehot + eps / C} for class indices (all zero for an ignored row) and
 * {@code (1 - eps) t + eps / C} for probabilities. With {@code z = x - max(x)} (the max shift keeps logits
 * of 1e30 finite and, unlike {@code x - logsumexp(x)}, keeps the precision of rows offset by -3e4),
 * {@code s = sum exp(z)} and {@code S = sum_c Q_w} per row:
 * <pre>
 *   L_i      = - sum_c Q_w,ic (z_ic - log s_i)  =  S_i log s_i - sum_c Q_w,ic z_ic
 *   dL/dx_ij = S_i exp(z_ij) / s_i - Q_w,ij
 * </pre>
 * so neither the log-softmax nor the softmax matrix is needed unless the client asks for probabilities.
 * ND4J's own log_softmax is not used: it takes the log of the softmax, which underflows to -inf for
 * logits 1e4 apart. The mean divides by D = sum over non-ignored rows of w[y_i] for class indices (PyTorch
 * divides both the target and the smoothing term by it) and by the row count for probabilities, weights
 * or not. The loss is always the sum of the row losses, in one order, so it is the same number whatever
 * outputs a request asks for.
 *
 * <p>ND4J's fixed cost per operation dominates small batches: a custom operation run through
 * {@code Nd4j.exec} costs 10 to 30 us whatever its size, the same on a prepared native context about 3 us, an
 * element-wise transform, a BLAS level-1 call or {@code ger} about 1 us (ND4J runs its {@code gemv} as a custom
 * operation). So the custom operations (row maxima, row sums as matrix-vector products, one-hot, products,
 * quotients) run prepared on arrays kept by the worker's {@link Scratch}; the max shift is a BLAS rank-1 update;
 * and nothing is computed that a request does not ask for.
 */
final class CrossEntropyKernel {

    /** The class index of a row whose target equals {@code ignoreIndex}. */
    static final int IGNORED = -1;

    private static final Scratch.Slot CLASS_ONES = Scratch.slot("cross-entropy.classOnes");
    private static final Scratch.Slot ROW_ONES = Scratch.slot("cross-entropy.rowOnes");
    private static final Scratch.Slot ELEMENT_ONES = Scratch.slot("cross-entropy.elementOnes");
    private static final Scratch.Slot LOGITS = Scratch.slot("cross-entropy.logits");
    private static final Scratch.Slot ROW_MAX = Scratch.slot("cross-entropy.rowMax");
    private static final Scratch.Slot SHIFTED = Scratch.slot("cross-entropy.shifted");
    private static final Scratch.Slot EXP = Scratch.slot("cross-entropy.exp");
    private static final Scratch.Slot ROW_SUM = Scratch.slot("cross-entropy.rowSum");
    private static final Scratch.Slot LOG_ROW_SUM = Scratch.slot("cross-entropy.logRowSum");
    private static final Scratch.Slot TARGETS = Scratch.slot("cross-entropy.targets");
    private static final Scratch.Slot CLASS_INDICES = Scratch.slot("cross-entropy.classIndices");
    private static final Scratch.Slot ROW_MASK = Scratch.slot("cross-entropy.rowMask");
    private static final Scratch.Slot IGNORED_ROWS = Scratch.slot("cross-entropy.ignoredRows");
    private static final Scratch.Slot CLASS_WEIGHTS = Scratch.slot("cross-entropy.classWeights");
    private static final Scratch.Slot WEIGHTED_TARGETS = Scratch.slot("cross-entropy.weightedTargets");
    private static final Scratch.Slot ROW_WEIGHT = Scratch.slot("cross-entropy.rowWeight");
    private static final Scratch.Slot PRODUCTS = Scratch.slot("cross-entropy.products");
    private static final Scratch.Slot PER_SAMPLE = Scratch.slot("cross-entropy.perSample");
    private static final Scratch.Slot PER_SAMPLE_LOG_TERM = Scratch.slot("cross-entropy.perSampleLogTerm");
    private static final Scratch.Slot PROBABILITIES = Scratch.slot("cross-entropy.probabilities");
    private static final Scratch.Slot GRADIENT_SCALE = Scratch.slot("cross-entropy.gradientScale");
    private static final Scratch.Slot GRADIENT = Scratch.slot("cross-entropy.gradient");

    /**
     * One computation, on rows of C.
     *
     * @param logits         rows x C
     * @param classIndices   one per row ({@link #IGNORED} for an ignored row), or null for probability targets
     * @param probabilities  rows x C, or null for class indices
     * @param classWeights   C weights, or null for all ones
     * @param epsilon        the effective label smoothing
     * @param mean           whether the loss and gradient are divided by the mean's denominator
     */
    record Rows(Tensor logits, int[] classIndices, Tensor probabilities, Tensor classWeights, double epsilon,
                boolean mean, boolean wantSmoothedTargets, boolean wantProbabilities, boolean wantGradient) {
    }

    /**
     * What was computed, rows of C (per-sample losses: one per row); {@code loss} is the sum, or the mean, and null
     * when the mean is undefined (then so is the gradient).
     */
    record Computed(Double loss, Tensor perSample, Tensor smoothedTargets, Tensor probabilities, Tensor gradient) {
    }

    private CrossEntropyKernel() {
    }

    static Computed compute(Rows in, Scratch scratch) {
        Tensor logitsTensor = in.logits();
        int n = logitsTensor.dimension(0);
        int c = logitsTensor.dimension(1);
        double epsilon = in.epsilon();
        DataType type = logitsTensor.dtype() == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
        OpExecutioner nd4j = Nd4j.getExecutioner();
        INDArray classOnes = scratch.ones(CLASS_ONES, type, c);

        // z = x - max(x), in place; e = exp(z); s = e 1 (a matrix-vector product); log s
        INDArray shifted = scratch.copyOf(LOGITS, logitsTensor, type, n, c);
        INDArray rowMax = scratch.array(ROW_MAX, type, n, 1);
        scratch.exec(ROW_MAX, new INDArray[] {shifted}, new INDArray[] {rowMax}, Scratch.NO_PARAMETERS,
                () -> DynamicCustomOp.builder("reduce_max").addInputs(shifted).addOutputs(rowMax)
                        .addIntegerArguments(1).addBooleanArguments(true).build());
        // matrix_ij -= column_i, as the rank-1 update matrix^T += -1 ones column^T (BLAS ger on the transpose).
        // ND4J's ger takes the leading dimension from size(0), which is right for column-major arrays only.
        Nd4j.getBlasWrapper().level2().ger('f', -1.0, classOnes, rowMax, scratch.transposed(SHIFTED, shifted));
        INDArray exp = scratch.array(EXP, type, n, c);
        nd4j.exec(new Exp(shifted, exp));
        INDArray rowSum = scratch.array(ROW_SUM, type, n, 1);
        scratch.rowSums(ROW_SUM, exp, classOnes, rowSum, 1.0, 0.0);
        INDArray logRowSum = scratch.array(LOG_ROW_SUM, type, n, 1);
        nd4j.exec(new Log(rowSum, logRowSum));

        boolean indexTargets = in.classIndices() != null;
        boolean hasIgnoredRows = indexTargets && hasIgnoredRows(in.classIndices());
        INDArray targets = indexTargets ? smoothedClassIndices(in, scratch, type, n, c, hasIgnoredRows)
                : smoothedProbabilities(in, scratch, type, n, c);
        INDArray weighted = targets;
        if (in.classWeights() != null) {
            INDArray weights = scratch.copyOf(CLASS_WEIGHTS, in.classWeights(), type, 1, c);
            weighted = scratch.array(WEIGHTED_TARGETS, type, n, c);
            scratch.multiply(WEIGHTED_TARGETS, targets, weights, weighted);
        }
        // S_i = sum_c Q_w,ic, which is exactly 1 for an unweighted class index that is not ignored.
        INDArray rowWeight = null;
        if (!indexTargets || in.classWeights() != null || hasIgnoredRows) {
            rowWeight = scratch.array(ROW_WEIGHT, type, n, 1);
            scratch.rowSums(ROW_WEIGHT, weighted, classOnes, rowWeight, 1.0, 0.0);
        }

        // L_i = S_i log s_i - sum_c Q_w,ic z_ic, for every request: the loss is always their sum.
        INDArray rowOnes = scratch.ones(ROW_ONES, type, n);
        INDArray products = scratch.array(PRODUCTS, type, n, c);
        scratch.multiply(PRODUCTS, weighted, shifted, products);
        INDArray perSample = scratch.array(PER_SAMPLE, type, n, 1);
        if (rowWeight == null) {
            scratch.rowSums(PER_SAMPLE, products, classOnes, perSample, -1.0, 0.0);
            scratch.axpy(n, 1.0, logRowSum, perSample);
        } else {
            scratch.multiply(PER_SAMPLE_LOG_TERM, logRowSum, rowWeight, perSample);
            scratch.rowSums(PER_SAMPLE, products, classOnes, perSample, -1.0, 1.0);
        }
        double denominator = in.mean() ? denominator(in, n) : 1.0;
        boolean defined = denominator != 0;
        Double loss = defined ? scratch.dot(n, 1.0, perSample, rowOnes) / denominator : null;

        // p = e / s. Divisions, not exp(z - log s): the logarithm's rounding would come back multiplied by
        // the weights once the gradient subtracts Q_w from S p (measured: up to the whole float32 tolerance).
        Tensor probabilities = null;
        if (in.wantProbabilities()) {
            INDArray softmax = scratch.array(PROBABILITIES, type, n, c);
            scratch.divide(PROBABILITIES, exp, rowSum, softmax);
            probabilities = Scratch.tensorOf(softmax, n, c);
        }
        Tensor gradient = null;
        if (in.wantGradient() && defined) {
            // dL/dx = ((S / s) e - Q_w) / D; where every S is 1 (class indices, no weights, none ignored) the first
            // term is the softmax e / s, one division instead of a quotient and a product.
            INDArray rowsGradient = scratch.array(GRADIENT, type, n, c);
            if (rowWeight == null) {
                scratch.divide(GRADIENT, exp, rowSum, rowsGradient);
            } else {
                INDArray scale = scratch.array(GRADIENT_SCALE, type, n, 1);
                scratch.divide(GRADIENT_SCALE, rowWeight, rowSum, scale);
                scratch.multiply(GRADIENT, exp, scale, rowsGradient);
            }
            scratch.axpy(rowsGradient.length(), -1.0, weighted, rowsGradient);
            if (denominator != 1) {
                scratch.scal(rowsGradient.length(), 1.0 / denominator, rowsGradient);
            }
            gradient = Scratch.tensorOf(rowsGradient, n, c);
        }
        return new Computed(loss, Scratch.tensorOf(perSample, n),
                in.wantSmoothedTargets() ? Scratch.tensorOf(targets, n, c) : null, probabilities, gradient);
    }

    private static boolean hasIgnoredRows(int[] classIndices) {
        for (int index : classIndices) {
            if (index == IGNORED) {
                return true;
            }
        }
        return false;
    }

    /** q = (1 - eps) onehot + eps / C, all zero for an ignored row. */
    private static INDArray smoothedClassIndices(Rows in, Scratch scratch, DataType type, int n, int c,
            boolean hasIgnoredRows) {
        double epsilon = in.epsilon();
        // In float32, the float32 values, so that the targets returned are the ones computed with.
        double on = type == DataType.FLOAT ? (float) (1 - epsilon + epsilon / c) : 1 - epsilon + epsilon / c;
        double off = type == DataType.FLOAT ? (float) (epsilon / c) : epsilon / c;
        INDArray targets = scratch.array(TARGETS, type, n, c);
        INDArray classIndices = scratch.copyOf(CLASS_INDICES, in.classIndices(), n);
        // OneHot writes the "off" value for an index outside [0, C): ignored rows (index -1) are masked after.
        scratch.exec(TARGETS, new INDArray[] {classIndices}, new INDArray[] {targets}, new double[] {on, off},
                () -> new OneHot(classIndices, targets, c, 1, on, off));
        if (hasIgnoredRows) {
            double[] rowMask = new double[n];
            for (int i = 0; i < n; i++) {
                rowMask[i] = in.classIndices()[i] == IGNORED ? 0 : 1;
            }
            INDArray mask = scratch.copyOf(ROW_MASK, rowMask, type, n, 1);
            scratch.multiply(IGNORED_ROWS, targets, mask, targets);
        }
        return targets;
    }

    /** q = (1 - eps) t + eps / C. */
    private static INDArray smoothedProbabilities(Rows in, Scratch scratch, DataType type, int n, int c) {
        INDArray targets = scratch.copyOf(TARGETS, in.probabilities(), type, n, c);
        double epsilon = in.epsilon();
        if (epsilon != 0) {
            scratch.scal(targets.length(), 1 - epsilon, targets);
            scratch.axpy(targets.length(), epsilon / c, scratch.ones(ELEMENT_ONES, type, targets.length()), targets);
        }
        return targets;
    }


    /** The mean's denominator: D for class indices, the row count for probabilities. */
    private static double denominator(Rows in, int n) {
        if (in.classIndices() == null) {
            return n;
        }
        double denominator = 0;
        for (int target : in.classIndices()) {
            if (target != IGNORED) {
                denominator += in.classWeights() == null ? 1.0 : in.classWeights().get(target);
            }
        }
        return denominator;
    }
}
