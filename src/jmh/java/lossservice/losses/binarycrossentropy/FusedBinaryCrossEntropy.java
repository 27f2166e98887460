package lossservice.losses.binarycrossentropy;

import lossservice.bench.FusedLoss;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.loss.Reduction;
import lossservice.loss.Tensor;

/**
 * The reference of the binary cross-entropy compute benchmark: the service's loss (targets smoothed towards 0.5,
 * {@code posWeight} and {@code classWeights} along the last dimension, reductions, gradient) in plain Java,
 * float32 values, one pass over the elements that writes every output of an element before the next: per element
 * one {@code exp(-|x|)}, from which both softplus terms and both sigmoids follow. No ND4J.
 *
 * <pre>
 *   t' = t (1 - eps) + eps / 2
 *   l  = w [ pw t' softplus(-x) + (1 - t') softplus(x) ],   softplus(+-x) = relu(+-x) + log1p(exp(-|x|))
 *   dl/dx = w [ (1 - t') sigmoid(x) - pw t' sigmoid(-x) ] / D        (D = the element count for the mean, else 1)
 * </pre>
 *
 * <p>{@link #compute(Elements)} is the loop, on plain arrays of rows of the last dimension; {@link #compute(LossCall)}
 * takes a bound call of {@link BinaryCrossEntropy} (float32, any shape) and returns the outputs the call wants under
 * the service's names, in the logits' shape. Each element is computed in double and stored as a float; the smoothed
 * target is rounded to float first, as the service computes with it. Like the service, a result that is not finite
 * is refused.
 */
public final class FusedBinaryCrossEntropy implements FusedLoss {

    /**
     * One computation on rows of the last dimension.
     *
     * @param logits        rows x columns, row-major
     * @param targets       rows x columns, in [0, 1]
     * @param posWeight     columns weights of the positive term, or null for all ones
     * @param classWeights  columns weights of the whole element loss, or null for all ones
     * @param mean          whether the loss and the gradient are divided by the element count
     */
    public record Elements(int rows, int columns, float[] logits, float[] targets, float[] posWeight,
                           float[] classWeights, double epsilon, boolean mean, boolean wantSmoothedTargets,
                           boolean wantElementLoss, boolean wantProbabilities, boolean wantGradient) {
    }

    /** The sum or mean of the element losses, and each output asked for (rows x columns), else null. */
    public record Computed(double loss, float[] elementLoss, float[] smoothedTargets, float[] probabilities,
                           float[] gradient) {
    }

    public static Computed compute(Elements in) {
        int columns = in.columns();
        int size = in.rows() * columns;
        float[] x = in.logits();
        float[] t = in.targets();
        float[] pw = in.posWeight();
        float[] w = in.classWeights();
        boolean smoothing = in.epsilon() != 0;
        float keep = (float) (1 - in.epsilon());
        float half = (float) (in.epsilon() / 2);
        double denominator = in.mean() ? size : 1.0;
        double gradientScale = 1.0 / denominator;
        float[] smoothed = in.wantSmoothedTargets() ? new float[size] : null;
        float[] elementLoss = in.wantElementLoss() ? new float[size] : null;
        float[] probabilities = in.wantProbabilities() ? new float[size] : null;
        float[] gradient = in.wantGradient() ? new float[size] : null;

        double total = 0;
        double check = 0; // NaN or infinity anywhere makes this non-finite
        for (int row = 0, k = 0; row < in.rows(); row++) {
            for (int j = 0; j < columns; j++, k++) {
                float xk = x[k];
                float target = smoothing ? t[k] * keep + half : t[k];
                double positive = pw == null ? target : (double) pw[j] * target;
                double negative = 1.0 - target;
                double weight = w == null ? 1.0 : w[j];
                double e = Math.exp(-Math.abs(xk)); // in (0, 1]: neither softplus nor sigmoid overflows
                double logTerm = log1p(e);
                double softplus = Math.max(xk, 0.0) + logTerm;
                double softplusOfNegated = Math.max(-xk, 0.0) + logTerm;
                double l = weight * (positive * softplusOfNegated + negative * softplus);
                total += l;
                if (smoothed != null) {
                    smoothed[k] = target;
                }
                if (elementLoss != null) {
                    elementLoss[k] = (float) l;
                }
                if (probabilities != null || gradient != null) {
                    double inverse = 1.0 / (1.0 + e);
                    double sigmoid = xk >= 0 ? inverse : e * inverse;
                    double sigmoidOfNegated = xk >= 0 ? e * inverse : inverse;
                    if (probabilities != null) {
                        probabilities[k] = (float) sigmoid;
                    }
                    if (gradient != null) {
                        float g = (float) (weight * (negative * sigmoid - positive * sigmoidOfNegated)
                                * gradientScale);
                        gradient[k] = g;
                        check += g;
                    }
                }
            }
        }
        double loss = total / denominator;
        if (!Double.isFinite(check) || !Float.isFinite((float) loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new Computed(loss, elementLoss, smoothed, probabilities, gradient);
    }

    /**
     * log1p(e) for e in (0, 1]. From 1e-4 up, {@code Math.log(1 + e)} is within 1.2e-12 of it relatively (the
     * rounding of 1 + e, divided by e), and an intrinsic, unlike {@code Math.log1p} (several times slower); below,
     * the series e - e^2/2 + e^3/3 is within e^3/4 <= 2.5e-13. Both far below float32's precision.
     */
    static double log1p(double e) {
        return e >= 1e-4 ? Math.log(1 + e) : e * (1 - e * (0.5 - e / 3));
    }

    @Override
    public LossResult compute(LossCall call) {
        Tensor logits = call.input(BinaryCrossEntropy.LOGITS);
        int[] shape = logits.shape();
        int columns = shape[shape.length - 1];
        Computed computed = compute(new Elements(logits.size() / columns, columns, FusedLoss.floats(logits),
                FusedLoss.floats(call.input(BinaryCrossEntropy.TARGETS)),
                FusedLoss.floats(call.input(BinaryCrossEntropy.POS_WEIGHT)),
                FusedLoss.floats(call.input(BinaryCrossEntropy.CLASS_WEIGHTS)),
                call.number(BinaryCrossEntropy.EPSILON), call.reduction() == Reduction.MEAN,
                call.wants(BinaryCrossEntropy.SMOOTHED_TARGETS), call.wants(BinaryCrossEntropy.ELEMENT_LOSS),
                call.wants(BinaryCrossEntropy.PROBABILITIES), call.wants(BinaryCrossEntropy.GRADIENT)));
        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(BinaryCrossEntropy.ELEMENT_LOSS)) {
            result.output(BinaryCrossEntropy.ELEMENT_LOSS, FusedLoss.tensor(computed.elementLoss(), shape));
        }
        if (call.wants(BinaryCrossEntropy.SMOOTHED_TARGETS)) {
            result.output(BinaryCrossEntropy.SMOOTHED_TARGETS, FusedLoss.tensor(computed.smoothedTargets(), shape));
        }
        if (call.wants(BinaryCrossEntropy.PROBABILITIES)) {
            result.output(BinaryCrossEntropy.PROBABILITIES, FusedLoss.tensor(computed.probabilities(), shape));
        }
        if (call.wants(BinaryCrossEntropy.GRADIENT)) {
            result.output(BinaryCrossEntropy.GRADIENT, FusedLoss.tensor(computed.gradient(), shape));
        }
        return result;
    }
}
