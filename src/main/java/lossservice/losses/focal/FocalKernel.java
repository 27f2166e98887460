package lossservice.losses.focal;

import lossservice.compute.Scratch;
import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.nd4j.linalg.api.blas.Level2;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Floor;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The softmax focal loss with label smoothing, computed with ND4J on rows of C (K-dimensional logits arrive as
 * N * d1 * .. * dk rows, see {@code ClassRows}).
 *
 * <p>The weighted targets {@code Q_w = w * q} are cross-entropy's: {@code q = (1 - eps) onehot + eps / C} for class
 * indices (all zero for an ignored row), {@code (1 - eps) t + eps / C} for probabilities. With the max shift
 * {@code z = x - max(x)}, {@code e = exp(z)} and {@code s = sum e} per row, each element's surprisal is
 * {@code -log p = log s - z} (a sum of two non-negative numbers: no log of an underflowed probability) and
 * <pre>
 *   L_i      = sum_c Q_w,ic (1 - p_ic)^gamma (-log p_ic)
 *   dL/dx_ij = p_ij H_i - h_ij,   H_i = sum_c h_ic,
 *   h_ic     = Q_w,ic [ f_ic + gamma f_ic (-log p_ic) p_ic / (1 - p_ic) ],   f = (1 - p)^gamma
 * </pre>
 * where both terms of {@code h} are non-negative, so nothing cancels.
 *
 * <p>The focal factor is never taken as {@code 1 - p} rounded and then powered: where p is close to 1 that
 * difference keeps only the rounding error of p (and where p rounds to 1 it is 0 whatever the logits say). It is
 * computed from the complementary mass instead, {@code 1 - p_ic = o_ic / s_i} with {@code o_ic = s_i - e_ic}, the
 * sum of the other classes' exponentials. Only one kind of element can make that subtraction cancel: a row maximum,
 * whose {@code e} is exactly 1 after the shift. So the row sum is split into the maxima's count {@code k} (the
 * floor of e is 1 exactly there) and the sum {@code r} of the other exponentials, {@code s - 1 = r + (k - 1)} is
 * formed without cancellation, and {@code o = (1 - e) + (s - 1)} adds two non-negative numbers, exactly
 * {@code s - 1} at a maximum. The row's {@code log s} is {@code log1p(s - 1)}, taken per row in Java (ND4J's
 * {@code log1p} is {@code log(1 + x)}, which loses a small {@code s - 1}). So a probability of 1 - 1e-6 keeps
 * every digit of its 1e-6. The power is a product for gamma 1 and 2 (the default) and is otherwise taken in log
 * space, {@code exp(gamma log(o / s))} (ND4J's scalar power costs 20 us a call); where the other classes underflow
 * to exactly 0 either is exactly 0 ({@code exp(-inf)}), the factor's limit for gamma > 0 (gamma 0 takes the
 * shortcut of cross-entropy: factor 1, 0^0 = 1).
 *
 * <p>The gradient's {@code p / (1 - p) = e / o}. Where {@code o} is 0 (p is 1: the other classes underflowed) so is
 * {@code e (-log p) = log1p(0)}: the row's divisors get 1 added, so that the quotient is 0, the limit of the whole
 * term ({@code gamma (1 - p)^(gamma - 1) p log p} tends to 0 as p tends to 1 for every gamma > 0, also below 1
 * where the derivative of the factor alone is infinite and torch's autograd gives NaN); the quotients of the row's
 * other elements stay 0, their {@code e} being 0.
 *
 * <p>The mean divides by cross-entropy's denominator: the summed target weights of the rows not ignored for class
 * indices, the row count for probabilities. The loss is always the sum of the row losses in one order, whatever
 * outputs a request asks for. Custom operations run prepared on arrays kept by the worker's {@link Scratch}; the
 * shifts are BLAS rank-1 updates.
 */
final class FocalKernel {

    /** The class index of a row whose target equals {@code ignoreIndex}. */
    static final int IGNORED = -1;

    private static final Scratch.Slot CLASS_ONES = Scratch.slot("focal.classOnes");
    private static final Scratch.Slot ROW_ONES = Scratch.slot("focal.rowOnes");
    private static final Scratch.Slot ELEMENT_ONES = Scratch.slot("focal.elementOnes");
    private static final Scratch.Slot SURPRISAL = Scratch.slot("focal.surprisal");
    private static final Scratch.Slot ROW_MAX = Scratch.slot("focal.rowMax");
    private static final Scratch.Slot SHIFT = Scratch.slot("focal.shift");
    private static final Scratch.Slot EXP = Scratch.slot("focal.exp");
    private static final Scratch.Slot ROW_SUM = Scratch.slot("focal.rowSum");
    private static final Scratch.Slot LOG_ROW_SUM = Scratch.slot("focal.logRowSum");
    private static final Scratch.Slot MAXIMA = Scratch.slot("focal.maxima");
    private static final Scratch.Slot BELOW = Scratch.slot("focal.below");
    private static final Scratch.Slot MAXIMA_COUNT = Scratch.slot("focal.maximaCount");
    private static final Scratch.Slot BELOW_SUM = Scratch.slot("focal.belowSum");
    private static final Scratch.Slot ROW_SUM_MINUS_ONE = Scratch.slot("focal.rowSumMinusOne");
    private static final Scratch.Slot COMPLEMENT = Scratch.slot("focal.complement");
    private static final Scratch.Slot COMPLEMENTARY = Scratch.slot("focal.complementary");
    private static final Scratch.Slot FACTOR = Scratch.slot("focal.factor");
    private static final Scratch.Slot DIVISOR = Scratch.slot("focal.divisor");
    private static final Scratch.Slot SATURATED = Scratch.slot("focal.saturated");
    private static final Scratch.Slot FOCUSED = Scratch.slot("focal.focused");
    private static final Scratch.Slot TARGETS = Scratch.slot("focal.targets");
    private static final Scratch.Slot CLASS_INDICES = Scratch.slot("focal.classIndices");
    private static final Scratch.Slot ROW_MASK = Scratch.slot("focal.rowMask");
    private static final Scratch.Slot IGNORED_ROWS = Scratch.slot("focal.ignoredRows");
    private static final Scratch.Slot CLASS_WEIGHTS = Scratch.slot("focal.classWeights");
    private static final Scratch.Slot WEIGHTED_TARGETS = Scratch.slot("focal.weightedTargets");
    private static final Scratch.Slot PRODUCTS = Scratch.slot("focal.products");
    private static final Scratch.Slot PER_SAMPLE = Scratch.slot("focal.perSample");
    private static final Scratch.Slot PROBABILITIES = Scratch.slot("focal.probabilities");
    private static final Scratch.Slot RATIO = Scratch.slot("focal.ratio");
    private static final Scratch.Slot RATIO_QUOTIENT = Scratch.slot("focal.ratioQuotient");
    private static final Scratch.Slot TERMS = Scratch.slot("focal.terms");
    private static final Scratch.Slot TERM_SUM = Scratch.slot("focal.termSum");
    private static final Scratch.Slot GRADIENT_SCALE = Scratch.slot("focal.gradientScale");
    private static final Scratch.Slot GRADIENT = Scratch.slot("focal.gradient");

    /**
     * One computation, on rows of C.
     *
     * @param logits         rows x C
     * @param classIndices   one per row ({@link #IGNORED} for an ignored row), or null for probability targets
     * @param probabilities  rows x C, or null for class indices
     * @param classWeights   C weights, or null for all ones
     * @param mean           whether the loss and gradient are divided by the mean's denominator
     */
    record Rows(Tensor logits, int[] classIndices, Tensor probabilities, Tensor classWeights, double gamma,
                double epsilon, boolean mean, boolean wantSmoothedTargets, boolean wantProbabilities,
                boolean wantGradient) {
    }

    /**
     * What was computed, rows of C (per-sample losses: one per row); {@code loss} is the sum, or the mean, and null
     * when the mean is undefined (then so is the gradient).
     */
    record Computed(Double loss, Tensor perSample, Tensor smoothedTargets, Tensor probabilities, Tensor gradient) {
    }

    private FocalKernel() {
    }

    static Computed compute(Rows in, Scratch scratch) {
        Tensor logitsTensor = in.logits();
        int n = logitsTensor.dimension(0);
        int c = logitsTensor.dimension(1);
        double gamma = in.gamma();
        boolean focusing = gamma != 0;
        DataType type = logitsTensor.dtype() == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
        OpExecutioner nd4j = Nd4j.getExecutioner();
        Level2 blas2 = Nd4j.getBlasWrapper().level2();
        INDArray classOnes = scratch.ones(CLASS_ONES, type, c);
        INDArray rowOnes = scratch.ones(ROW_ONES, type, n);

        // z = x - max(x), in place: the rank-1 update z^T += -1 ones max^T (ger on the column-major transpose);
        // e = exp(z), exactly 1 at each row maximum.
        INDArray surprisal = scratch.copyOf(SURPRISAL, logitsTensor, type, n, c);
        INDArray rowMax = scratch.array(ROW_MAX, type, n, 1);
        scratch.exec(ROW_MAX, new INDArray[] {surprisal}, new INDArray[] {rowMax}, Scratch.NO_PARAMETERS,
                () -> DynamicCustomOp.builder("reduce_max").addInputs(surprisal).addOutputs(rowMax)
                        .addIntegerArguments(1).addBooleanArguments(true).build());
        INDArray surprisalTransposed = scratch.transposed(SHIFT, surprisal);
        blas2.ger('f', -1.0, classOnes, rowMax, surprisalTransposed);
        INDArray exp = scratch.array(EXP, type, n, c);
        nd4j.exec(new Exp(surprisal, exp));

        INDArray rowSum;
        INDArray logRowSum;
        INDArray factor = null;
        INDArray divisor = null;
        if (!focusing) {
            rowSum = scratch.array(ROW_SUM, type, n, 1);
            scratch.rowSums(ROW_SUM, exp, classOnes, rowSum, 1.0, 0.0);
            logRowSum = scratch.array(LOG_ROW_SUM, type, n, 1);
            nd4j.exec(new Log(rowSum, logRowSum));
        } else {
            // k = the number of maxima (floor(e) is 1 there, 0 elsewhere), r = the sum of the other exponentials.
            INDArray maxima = scratch.array(MAXIMA, type, n, c);
            nd4j.exec(new Floor(exp, maxima));
            INDArray below = scratch.array(BELOW, type, n, c);
            scratch.exec(BELOW, new INDArray[] {exp, maxima}, new INDArray[] {below}, Scratch.NO_PARAMETERS,
                    () -> new SubOp(new INDArray[] {exp, maxima}, new INDArray[] {below}));
            INDArray maximaCount = scratch.array(MAXIMA_COUNT, type, n, 1);
            scratch.rowSums(MAXIMA_COUNT, maxima, classOnes, maximaCount, 1.0, 0.0);
            INDArray belowSum = scratch.array(BELOW_SUM, type, n, 1);
            scratch.rowSums(BELOW_SUM, below, classOnes, belowSum, 1.0, 0.0);
            // Per row, in double: s - 1 = r + (k - 1), s, and log s = log1p(s - 1).
            Tensor count = Scratch.tensorOf(maximaCount, n);
            Tensor others = Scratch.tensorOf(belowSum, n);
            double[] sumMinusOne = new double[n];
            double[] sum = new double[n];
            double[] logSum = new double[n];
            double[] saturated = new double[n];
            boolean anySaturated = false;
            boolean float32 = type == DataType.FLOAT;
            for (int i = 0; i < n; i++) {
                double exact = others.get(i) + (count.get(i) - 1);
                // s is 1 + (s - 1) rounded as ND4J rounds (1 - e) + (s - 1) below, so that o <= s: 1 - p <= 1.
                sumMinusOne[i] = float32 ? (float) exact : exact;
                sum[i] = float32 ? 1f + (float) exact : 1 + exact;
                logSum[i] = Math.log1p(exact);
                saturated[i] = exact == 0 ? 1 : 0;
                anySaturated |= exact == 0;
            }
            INDArray rowSumMinusOne = scratch.copyOf(ROW_SUM_MINUS_ONE, sumMinusOne, type, n, 1);
            rowSum = scratch.copyOf(ROW_SUM, sum, type, n, 1);
            logRowSum = scratch.copyOf(LOG_ROW_SUM, logSum, type, n, 1);
            // o = (1 - e) + (s - 1) = s - e, the other classes' mass
            INDArray complement = scratch.array(COMPLEMENT, type, n, c);
            nd4j.exec(new OneMinus(exp, complement));
            blas2.ger('f', 1.0, classOnes, rowSumMinusOne, scratch.transposed(COMPLEMENT, complement));
            // (1 - p)^gamma: a product for gamma 1 and 2 (the default), else exp(gamma log(o / s)), where
            // log 0 = -inf gives exactly 0
            INDArray complementary = scratch.array(COMPLEMENTARY, type, n, c);
            scratch.divide(COMPLEMENTARY, complement, rowSum, complementary);
            factor = complementary;
            if (gamma == 2) {
                factor = scratch.array(FACTOR, type, n, c);
                scratch.multiply(FACTOR, complementary, complementary, factor);
            } else if (gamma != 1) {
                nd4j.exec(new Log(complementary, complementary));
                scratch.scal(complementary.length(), gamma, complementary);
                nd4j.exec(new Exp(complementary, complementary));
            }
            // The gradient divides by o; in a row whose other classes all underflowed (s - 1 = 0, p = 1 at its
            // maximum) every numerator of that quotient is 0, so 1 is added to the row's divisors: 0 / 1 = 0, the
            // limit, instead of 0 / 0.
            divisor = complement;
            if (anySaturated && in.wantGradient()) {
                divisor = scratch.array(DIVISOR, type, n, c);
                scratch.copy(complement, divisor);
                blas2.ger('f', 1.0, classOnes, scratch.copyOf(SATURATED, saturated, type, n, 1),
                        scratch.transposed(DIVISOR, divisor));
            }
        }
        // -log p = -z + log s, in place of z.
        scratch.scal(surprisal.length(), -1.0, surprisal);
        blas2.ger('f', 1.0, classOnes, logRowSum, surprisalTransposed);
        INDArray focused = surprisal;
        if (focusing) {
            focused = scratch.array(FOCUSED, type, n, c);
            scratch.multiply(FOCUSED, factor, surprisal, focused);
        }

        boolean indexTargets = in.classIndices() != null;
        INDArray targets = indexTargets ? smoothedClassIndices(in, scratch, type, n, c)
                : smoothedProbabilities(in, scratch, type, n, c);
        INDArray weighted = targets;
        if (in.classWeights() != null) {
            INDArray weights = scratch.copyOf(CLASS_WEIGHTS, in.classWeights(), type, 1, c);
            weighted = scratch.array(WEIGHTED_TARGETS, type, n, c);
            scratch.multiply(WEIGHTED_TARGETS, targets, weights, weighted);
        }

        // L_i = sum_c Q_w,ic (1 - p_ic)^gamma (-log p_ic), for every request: the loss is always their sum.
        INDArray products = scratch.array(PRODUCTS, type, n, c);
        scratch.multiply(PRODUCTS, weighted, focused, products);
        INDArray perSample = scratch.array(PER_SAMPLE, type, n, 1);
        scratch.rowSums(PER_SAMPLE, products, classOnes, perSample, 1.0, 0.0);
        double denominator = in.mean() ? denominator(in, n) : 1.0;
        boolean defined = denominator != 0;
        Double loss = defined ? scratch.dot(n, 1.0, perSample, rowOnes) / denominator : null;

        INDArray softmax = null;
        if (in.wantProbabilities()) {
            softmax = scratch.array(PROBABILITIES, type, n, c);
            scratch.divide(PROBABILITIES, exp, rowSum, softmax);
        }
        Tensor gradient = null;
        if (in.wantGradient() && defined) {
            // h = Q_w [f + gamma f (-log p) e / o], f = (1 - p)^gamma, the sum in place of f (not needed after)
            INDArray terms = weighted;
            if (focusing) {
                INDArray ratio = scratch.array(RATIO, type, n, c);
                scratch.multiply(RATIO, focused, exp, ratio);
                scratch.divide(RATIO_QUOTIENT, ratio, divisor, ratio);
                scratch.axpy(ratio.length(), gamma, ratio, factor);
                terms = scratch.array(TERMS, type, n, c);
                scratch.multiply(TERMS, weighted, factor, terms);
            }
            // dL/dx = (p H - h) / D = e (H / (s D)) - h / D, the row factor H / (s D) per row in Java
            INDArray termSum = scratch.array(TERM_SUM, type, n, 1);
            scratch.rowSums(TERM_SUM, terms, classOnes, termSum, 1.0, 0.0);
            Tensor sums = Scratch.tensorOf(termSum, n);
            Tensor rowSumValues = Scratch.tensorOf(rowSum, n);
            double[] scale = new double[n];
            for (int i = 0; i < n; i++) {
                scale[i] = sums.get(i) / (rowSumValues.get(i) * denominator);
            }
            INDArray rowScale = scratch.copyOf(GRADIENT_SCALE, scale, type, n, 1);
            INDArray rowsGradient = scratch.array(GRADIENT, type, n, c);
            scratch.multiply(GRADIENT, exp, rowScale, rowsGradient);
            scratch.axpy(rowsGradient.length(), -1.0 / denominator, terms, rowsGradient);
            gradient = Scratch.tensorOf(rowsGradient, n, c);
        }
        return new Computed(loss, Scratch.tensorOf(perSample, n),
                in.wantSmoothedTargets() ? Scratch.tensorOf(targets, n, c) : null,
                in.wantProbabilities() ? Scratch.tensorOf(softmax, n, c) : null, gradient);
    }

    /** q = (1 - eps) onehot + eps / C, all zero for an ignored row. */
    private static INDArray smoothedClassIndices(Rows in, Scratch scratch, DataType type, int n, int c) {
        double epsilon = in.epsilon();
        // In float32, the float32 values, so that the targets returned are the ones computed with.
        double on = type == DataType.FLOAT ? (float) (1 - epsilon + epsilon / c) : 1 - epsilon + epsilon / c;
        double off = type == DataType.FLOAT ? (float) (epsilon / c) : epsilon / c;
        INDArray targets = scratch.array(TARGETS, type, n, c);
        INDArray classIndices = scratch.copyOf(CLASS_INDICES, in.classIndices(), n);
        // OneHot writes the "off" value for an index outside [0, C): ignored rows (index -1) are masked after.
        scratch.exec(TARGETS, new INDArray[] {classIndices}, new INDArray[] {targets}, new double[] {on, off},
                () -> new OneHot(classIndices, targets, c, 1, on, off));
        boolean hasIgnoredRows = false;
        double[] rowMask = new double[n];
        for (int i = 0; i < n; i++) {
            boolean ignored = in.classIndices()[i] == IGNORED;
            rowMask[i] = ignored ? 0 : 1;
            hasIgnoredRows |= ignored;
        }
        if (hasIgnoredRows) {
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


    /** The mean's denominator: the summed target weights of the rows not ignored, or the row count. */
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
