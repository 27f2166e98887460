package lossservice.losses.sigmoidfocal;

import lossservice.bench.FusedLoss;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.loss.Reduction;
import lossservice.loss.Tensor;

/**
 * The reference of the sigmoid focal compute benchmark: the service's loss (smoothed targets, the softplus form of
 * the cross-entropy, both sigmoids from one exponential, the focal factor, the alpha weight, reductions, gradient)
 * in plain Java, one pass over the elements with every output written as it goes. Float32 values in and out, each
 * element's maths in double. Gamma 1 and 2 (the default) are products, other gammas {@code Math.pow}. No ND4J.
 * Like the service, a result that is not finite is refused.
 */
public final class FusedSigmoidFocal implements FusedLoss {

    /**
     * @param alpha  <= 1; negative: no weighting
     * @param mean   whether the loss and the gradient are divided by the element count
     */
    public record Inputs(float[] logits, float[] targets, double alpha, double gamma, double epsilon, boolean mean,
                         boolean wantElementLoss, boolean wantSmoothedTargets, boolean wantProbabilities,
                         boolean wantGradient) {
    }

    /** The sum or mean of the element losses, and each output asked for (else null), flat. */
    public record Computed(double loss, float[] elementLoss, float[] smoothedTargets, float[] probabilities,
                           float[] gradient) {
    }

    public static Computed compute(Inputs in) {
        float[] x = in.logits();
        float[] t = in.targets();
        int size = x.length;
        double alpha = in.alpha();
        double gamma = in.gamma();
        double epsilon = in.epsilon();
        boolean focusing = gamma != 0;
        boolean weighting = alpha >= 0;
        float[] elementLoss = in.wantElementLoss() ? new float[size] : null;
        float[] smoothed = in.wantSmoothedTargets() ? new float[size] : null;
        float[] probabilities = in.wantProbabilities() ? new float[size] : null;
        float[] gradient = in.wantGradient() ? new float[size] : null;
        double scale = in.mean() ? 1.0 / size : 1.0;

        double total = 0;
        double check = 0; // NaN or infinity anywhere makes this non-finite
        for (int i = 0; i < size; i++) {
            double logit = x[i];
            double target = (float) (t[i] * (1 - epsilon) + epsilon / 2);
            double absolute = Math.abs(logit);
            double small = Math.exp(-absolute);
            double onePlus = 1 + small;
            // sigmoid(|x|) = 1 / (1 + e^-|x|), sigmoid(-|x|) = e^-|x| / (1 + e^-|x|)
            double near = 1 / onePlus;
            double far = small / onePlus;
            double sigmoid = logit >= 0 ? near : far;
            double sigmoidOfNegated = logit >= 0 ? far : near;
            double crossEntropy = target * Math.max(-logit, 0) + (1 - target) * Math.max(logit, 0)
                    + Math.log(onePlus);
            double complement = target * sigmoidOfNegated + (1 - target) * sigmoid;
            double factor = !focusing ? 1 : gamma == 2 ? complement * complement : gamma == 1 ? complement
                    : Math.pow(complement, gamma);
            double weight = weighting ? alpha * target + (1 - alpha) * (1 - target) : 1;
            double loss = weight * crossEntropy * factor;
            total += loss;
            if (elementLoss != null) {
                elementLoss[i] = (float) loss;
            }
            if (smoothed != null) {
                smoothed[i] = (float) target;
            }
            if (probabilities != null) {
                probabilities[i] = (float) sigmoid;
            }
            if (gradient != null) {
                double focused = focusing && complement > 0 ? gamma * crossEntropy * factor * (1 - 2 * target)
                        * sigmoid * sigmoidOfNegated / complement : 0;
                float g = (float) (weight * (((1 - target) * sigmoid - target * sigmoidOfNegated) * factor + focused)
                        * scale);
                gradient[i] = g;
                check += g;
            }
        }
        check += total;
        double loss = total * scale;
        if (!Double.isFinite(check) || !Float.isFinite((float) loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new Computed(loss, elementLoss, smoothed, probabilities, gradient);
    }

    @Override
    public LossResult compute(LossCall call) {
        Tensor logits = call.input(SigmoidFocal.LOGITS);
        int[] shape = logits.shape();
        Computed computed = compute(new Inputs(FusedLoss.floats(logits),
                FusedLoss.floats(call.input(SigmoidFocal.TARGETS)), call.number(SigmoidFocal.ALPHA),
                call.number(SigmoidFocal.GAMMA), call.number(SigmoidFocal.EPSILON),
                call.reduction() == Reduction.MEAN, call.wants(SigmoidFocal.ELEMENT_LOSS),
                call.wants(SigmoidFocal.SMOOTHED_TARGETS), call.wants(SigmoidFocal.PROBABILITIES),
                call.wants(SigmoidFocal.GRADIENT)));
        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(SigmoidFocal.ELEMENT_LOSS)) {
            result.output(SigmoidFocal.ELEMENT_LOSS, FusedLoss.tensor(computed.elementLoss(), shape));
        }
        if (call.wants(SigmoidFocal.SMOOTHED_TARGETS)) {
            result.output(SigmoidFocal.SMOOTHED_TARGETS, FusedLoss.tensor(computed.smoothedTargets(), shape));
        }
        if (call.wants(SigmoidFocal.PROBABILITIES)) {
            result.output(SigmoidFocal.PROBABILITIES, FusedLoss.tensor(computed.probabilities(), shape));
        }
        if (call.wants(SigmoidFocal.GRADIENT)) {
            result.output(SigmoidFocal.GRADIENT, FusedLoss.tensor(computed.gradient(), shape));
        }
        return result;
    }
}
