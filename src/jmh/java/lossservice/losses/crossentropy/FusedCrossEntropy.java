package lossservice.losses.crossentropy;

import lossservice.bench.FusedLoss;
import lossservice.loss.DType;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.loss.Reduction;
import lossservice.loss.Tensor;

/**
 * The reference of the cross-entropy compute benchmark: the service's loss (max-shifted log-softmax, label
 * smoothing, class weights, ignored rows, reductions, gradient) in plain Java, float32 values, fused so that each
 * row is finished before the next one starts (a max pass, an exp pass that keeps exp(x - m) in the output row, and
 * one pass that writes every output of the row). No ND4J.
 *
 * <p>{@link #compute(Rows)} is the loop, on plain arrays of rows of C; {@link #compute(LossCall)} takes a bound
 * call of {@link CrossEntropy} (float32), moves K-dimensional logits [N, C, d1..dk] into rows of C and back as the
 * service does, and returns the outputs the call wants under the service's names and shapes.
 *
 * <p>Sums are accumulated in double; each stored value is a float. The mean's denominator is known before the
 * rows (it depends only on the targets and weights), so the gradient is scaled in the same pass. Like the service,
 * a result that is not finite is refused.
 */
public final class FusedCrossEntropy implements FusedLoss {

    /** The class index of a row whose target is the ignoreIndex. */
    public static final int IGNORED = -1;

    /**
     * One computation on rows of C.
     *
     * @param logits         rows x C, row-major
     * @param classIndices   one per row ({@link #IGNORED} for an ignored row), or null for probability targets
     * @param probabilities  rows x C, or null for class indices
     * @param classWeights   C weights, or null for all ones
     * @param epsilon        the effective label smoothing
     * @param mean           whether the loss and the gradient are divided by the mean's denominator
     */
    public record Rows(int rows, int classes, float[] logits, int[] classIndices, float[] probabilities,
                       float[] classWeights, double epsilon, boolean mean, boolean wantPerSampleLoss,
                       boolean wantSmoothedTargets, boolean wantProbabilities, boolean wantGradient) {
    }

    /**
     * The sum or mean of the row losses (null for an undefined mean, and then so is the gradient), and each output
     * asked for (rows x C, per-sample: one per row), else null.
     */
    public record Computed(Double loss, float[] perSampleLoss, float[] smoothedTargets, float[] probabilities,
                           float[] gradient) {
    }

    public static Computed compute(Rows in) {
        int n = in.rows();
        int c = in.classes();
        float[] x = in.logits();
        int[] classes = in.classIndices();
        float[] soft = in.probabilities();
        float[] w = in.classWeights();
        boolean index = classes != null;
        // Rounded to float from double, as the service does: 0.1f / 1000 would be 1.00000005E-4, not 1.0E-4, and
        // 0.9f + 0.01f 0.90999997, not 0.91.
        float on = (float) (1 - in.epsilon());
        float off = (float) (in.epsilon() / c);
        float onTarget = (float) (1 - in.epsilon() + in.epsilon() / c);

        double weightSum = c;
        if (w != null) {
            weightSum = 0;
            for (float weight : w) {
                weightSum += weight;
            }
        }
        double denominator = 1.0;
        if (in.mean()) {
            if (!index) {
                denominator = n;
            } else {
                denominator = 0;
                for (int y : classes) {
                    if (y != IGNORED) {
                        denominator += w == null ? 1 : w[y];
                    }
                }
            }
        }
        boolean defined = denominator != 0;
        float[] smoothed = in.wantSmoothedTargets() ? new float[n * c] : null;
        float[] probabilities = in.wantProbabilities() ? new float[n * c] : null;
        float[] gradient = in.wantGradient() && defined ? new float[n * c] : null;
        float[] perSample = in.wantPerSampleLoss() ? new float[n] : null;
        // exp(x - m) of the current row lives in an output that is rewritten later in the same row.
        float[] scratch = gradient != null ? gradient : probabilities != null ? probabilities : new float[c];
        int scratchStride = gradient != null || probabilities != null ? c : 0;
        float gradientScale = (float) (1.0 / denominator);

        double total = 0;
        double check = 0; // NaN or infinity anywhere makes this non-finite
        for (int i = 0; i < n; i++) {
            int base = i * c;
            int s = i * scratchStride;
            float max = x[base];
            for (int j = 1; j < c; j++) {
                max = Math.max(max, x[base + j]);
            }
            double z = 0;
            double softWeighted = 0; // sum_c w_c t_c, probability targets only
            for (int j = 0; j < c; j++) {
                float e = (float) Math.exp(x[base + j] - max);
                scratch[s + j] = e;
                z += e;
                if (!index) {
                    softWeighted += (w == null ? 1 : w[j]) * soft[base + j];
                }
            }
            float logZ = (float) Math.log(z);
            float inverseZ = (float) (1.0 / z);
            int y = index ? classes[i] : -1;
            boolean ignored = index && y == IGNORED;
            float rowOff = ignored ? 0 : off;
            // sum_c w_c q_ic: the factor of p in the gradient row
            float weightedQ = ignored ? 0
                    : index ? on * (w == null ? 1 : w[y]) + (float) (off * weightSum)
                    : (float) (on * softWeighted + off * weightSum);
            double rowLoss = 0;
            for (int j = 0; j < c; j++) {
                float q = index ? (j == y ? onTarget : rowOff) : on * soft[base + j] + off;
                float wj = w == null ? 1 : w[j];
                float logSoftmax = (x[base + j] - max) - logZ;
                rowLoss -= wj * q * logSoftmax;
                float p = scratch[s + j] * inverseZ;
                if (smoothed != null) {
                    smoothed[base + j] = q;
                }
                if (probabilities != null) {
                    probabilities[base + j] = p;
                    check += p;
                }
                if (gradient != null) {
                    float g = (weightedQ * p - wj * q) * gradientScale;
                    gradient[base + j] = g;
                    check += g;
                }
            }
            float rowLossFloat = (float) rowLoss + 0.0f; // -0.0 reads 0
            if (perSample != null) {
                perSample[i] = rowLossFloat;
            }
            total += rowLoss;
            check += rowLoss;
        }
        Double loss = defined ? total / denominator : null;
        if (!Double.isFinite(check) || loss != null && !Float.isFinite((float) (double) loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new Computed(loss, perSample, smoothed, probabilities, gradient);
    }

    @Override
    public LossResult compute(LossCall call) {
        Tensor logitsTensor = call.input(CrossEntropy.LOGITS);
        int[] shape = logitsTensor.shape();
        int n = shape[0];
        int c = shape[1];
        int spatial = logitsTensor.size() / (n * c);
        Tensor targets = call.input(CrossEntropy.TARGETS);
        int[] classIndices = null;
        float[] probabilities = null;
        if (targets.dtype() == DType.INT64) {
            long ignoreIndex = call.integer(CrossEntropy.IGNORE_INDEX);
            classIndices = new int[targets.size()];
            for (int i = 0; i < classIndices.length; i++) {
                long target = targets.getLong(i);
                classIndices[i] = target == ignoreIndex ? IGNORED : (int) target;
            }
        } else {
            probabilities = toRows(FusedLoss.floats(targets), n, c, spatial);
        }
        Computed computed = compute(new Rows(n * spatial, c, toRows(FusedLoss.floats(logitsTensor), n, c, spatial),
                classIndices, probabilities, FusedLoss.floats(call.input(CrossEntropy.CLASS_WEIGHTS)),
                call.flag(CrossEntropy.LABEL_SMOOTH) ? call.number(CrossEntropy.EPSILON) : 0.0,
                call.reduction() == Reduction.MEAN, call.wants(CrossEntropy.PER_SAMPLE_LOSS),
                call.wants(CrossEntropy.SMOOTHED_TARGETS), call.wants(CrossEntropy.PROBABILITIES),
                call.wants(CrossEntropy.GRADIENT)));

        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(CrossEntropy.PER_SAMPLE_LOSS)) {
            int[] positions = new int[shape.length - 1];
            positions[0] = n;
            System.arraycopy(shape, 2, positions, 1, shape.length - 2);
            result.output(CrossEntropy.PER_SAMPLE_LOSS, FusedLoss.tensor(computed.perSampleLoss(), positions));
        }
        if (call.wants(CrossEntropy.SMOOTHED_TARGETS)) {
            result.output(CrossEntropy.SMOOTHED_TARGETS,
                    FusedLoss.tensor(fromRows(computed.smoothedTargets(), n, c, spatial), shape));
        }
        if (call.wants(CrossEntropy.PROBABILITIES)) {
            result.output(CrossEntropy.PROBABILITIES,
                    FusedLoss.tensor(fromRows(computed.probabilities(), n, c, spatial), shape));
        }
        if (call.wants(CrossEntropy.GRADIENT)) {
            result.output(CrossEntropy.GRADIENT,
                    FusedLoss.tensor(fromRows(computed.gradient(), n, c, spatial), shape));
        }
        return result;
    }

    /** [N, C, spatial] to rows of C (row n * spatial + e); the same array when there is no spatial dimension. */
    static float[] toRows(float[] scores, int n, int c, int spatial) {
        if (spatial == 1) {
            return scores;
        }
        float[] rows = new float[scores.length];
        int at = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int cls = 0; cls < c; cls++) {
                for (int e = 0; e < spatial; e++) {
                    rows[(sample * spatial + e) * c + cls] = scores[at++];
                }
            }
        }
        return rows;
    }

    /** The inverse of {@link #toRows}; null for null. */
    static float[] fromRows(float[] rows, int n, int c, int spatial) {
        if (rows == null || spatial == 1) {
            return rows;
        }
        float[] scores = new float[rows.length];
        int at = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int cls = 0; cls < c; cls++) {
                for (int e = 0; e < spatial; e++) {
                    scores[at++] = rows[(sample * spatial + e) * c + cls];
                }
            }
        }
        return scores;
    }
}
