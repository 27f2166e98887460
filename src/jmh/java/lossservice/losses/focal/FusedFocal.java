package lossservice.losses.focal;

import lossservice.bench.FusedLoss;
import lossservice.compute.ClassRows;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.loss.Reduction;
import lossservice.loss.Tensor;

/**
 * The reference of the focal compute benchmark: the service's loss (max-shifted softmax, label smoothing, class
 * weights, ignored rows, the focal factor, reductions, gradient) in plain Java, float32 values, fused so that each
 * row is finished before the next one starts (a max pass, an exp pass that keeps exp(x - m) of the row, one pass
 * that writes every output of the row but the gradient, and a gradient pass). No ND4J.
 *
 * <p>{@link #compute(Rows)} is the loop, on plain arrays of rows of C; {@link #compute(LossCall)} takes a bound
 * call of {@link Focal} (float32), moves K-dimensional logits [N, C, d1..dk] into rows of C and back as the
 * service does, and returns the outputs the call wants under the service's names and shapes.
 *
 * <p>Sums and the row's exponentials are kept in double, so {@code 1 - p = (z - e) / z} needs no complementary
 * form here; each stored value is a float. Gamma 1 and 2 (the default) are products, other gammas
 * {@code Math.pow}. Like the service, a result that is not finite is refused.
 */
public final class FusedFocal implements FusedLoss {

    /** The class index of a row whose target is the ignoreIndex. */
    public static final int IGNORED = -1;

    /**
     * One computation on rows of C.
     *
     * @param logits         rows x C, row-major
     * @param classIndices   one per row ({@link #IGNORED} for an ignored row), or null for probability targets
     * @param probabilities  rows x C, or null for class indices
     * @param classWeights   C weights, or null for all ones
     * @param mean           whether the loss and the gradient are divided by the mean's denominator
     */
    public record Rows(int rows, int classes, float[] logits, int[] classIndices, float[] probabilities,
                       float[] classWeights, double gamma, double epsilon, boolean mean, boolean wantPerSampleLoss,
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
        double gamma = in.gamma();
        boolean focusing = gamma != 0;
        // Rounded to float from double, as the service does.
        float on = (float) (1 - in.epsilon());
        float off = (float) (in.epsilon() / c);
        float onTarget = (float) (1 - in.epsilon() + in.epsilon() / c);

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
        double[] e = new double[c];
        double[] h = gradient != null ? new double[c] : null;
        double scale = 1.0 / denominator;

        double total = 0;
        double check = 0; // NaN or infinity anywhere makes this non-finite
        for (int i = 0; i < n; i++) {
            int base = i * c;
            float max = x[base];
            for (int j = 1; j < c; j++) {
                max = Math.max(max, x[base + j]);
            }
            double z = 0;
            for (int j = 0; j < c; j++) {
                e[j] = Math.exp(x[base + j] - max);
                z += e[j];
            }
            double logZ = Math.log(z);
            int y = index ? classes[i] : -1;
            boolean ignored = index && y == IGNORED;
            float rowOff = ignored ? 0 : off;
            double rowLoss = 0;
            double termSum = 0;
            for (int j = 0; j < c; j++) {
                float q = index ? (j == y ? onTarget : rowOff) : on * soft[base + j] + off;
                double wq = (w == null ? 1 : w[j]) * (double) q;
                double surprisal = logZ - (x[base + j] - max);
                double others = z - e[j];
                double u = others / z;
                double factor = !focusing ? 1 : gamma == 2 ? u * u : gamma == 1 ? u : Math.pow(u, gamma);
                rowLoss += wq * factor * surprisal;
                if (h != null) {
                    // h = wq [f + gamma f (-log p) p / (1 - p)], the second term's limit at p = 1 being 0
                    double focused = focusing && others > 0 ? gamma * factor * surprisal * e[j] / others : 0;
                    h[j] = wq * (factor + focused);
                    termSum += h[j];
                }
                if (smoothed != null) {
                    smoothed[base + j] = q;
                }
                if (probabilities != null) {
                    float p = (float) (e[j] / z);
                    probabilities[base + j] = p;
                    check += p;
                }
            }
            if (gradient != null) {
                for (int j = 0; j < c; j++) {
                    float g = (float) ((e[j] / z * termSum - h[j]) * scale);
                    gradient[base + j] = g;
                    check += g;
                }
            }
            if (perSample != null) {
                perSample[i] = (float) rowLoss;
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
        Tensor logits = call.input(Focal.LOGITS);
        int[] shape = logits.shape();
        int rows = ClassRows.rows(shape);
        int c = shape[1];
        Tensor targets = call.input(Focal.TARGETS);
        int[] classIndices = null;
        float[] probabilities = null;
        if (targets.dtype().isFloatingPoint()) {
            probabilities = FusedLoss.floats(ClassRows.toRows(targets));
        } else {
            long ignoreIndex = call.integer(Focal.IGNORE_INDEX);
            classIndices = new int[targets.size()];
            for (int i = 0; i < classIndices.length; i++) {
                long target = targets.getLong(i);
                classIndices[i] = target == ignoreIndex ? IGNORED : (int) target;
            }
        }
        Computed computed = compute(new Rows(rows, c, FusedLoss.floats(ClassRows.toRows(logits)), classIndices,
                probabilities, FusedLoss.floats(call.input(Focal.CLASS_WEIGHTS)), call.number(Focal.GAMMA),
                call.number(Focal.EPSILON), call.reduction() == Reduction.MEAN, call.wants(Focal.PER_SAMPLE_LOSS),
                call.wants(Focal.SMOOTHED_TARGETS), call.wants(Focal.PROBABILITIES), call.wants(Focal.GRADIENT)));

        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(Focal.PER_SAMPLE_LOSS)) {
            result.output(Focal.PER_SAMPLE_LOSS, FusedLoss.tensor(computed.perSampleLoss(),
                    ClassRows.positions(shape)));
        }
        if (call.wants(Focal.SMOOTHED_TARGETS)) {
            result.output(Focal.SMOOTHED_TARGETS, classScores(computed.smoothedTargets(), rows, c, shape));
        }
        if (call.wants(Focal.PROBABILITIES)) {
            result.output(Focal.PROBABILITIES, classScores(computed.probabilities(), rows, c, shape));
        }
        if (call.wants(Focal.GRADIENT)) {
            result.output(Focal.GRADIENT, classScores(computed.gradient(), rows, c, shape));
        }
        return result;
    }

    /** Rows of C back to [N, C, d1..dk]; null for null. */
    private static Tensor classScores(float[] rows, int n, int c, int[] shape) {
        return rows == null ? null : ClassRows.fromRows(FusedLoss.tensor(rows, n, c), shape);
    }
}
