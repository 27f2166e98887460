package lossservice.losses.sigmoidfocal;

import lossservice.compute.Scratch;
import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.LogSigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The sigmoid focal loss, equal to {@code torchvision.ops.sigmoid_focal_loss(x, t', alpha, gamma)} on the smoothed
 * targets {@code t' = t (1 - eps) + eps / 2}, computed with ND4J element-wise on the flattened logits.
 *
 * <p>With {@code s = sigmoid(x)}:
 * <pre>
 *   ce = t' softplus(-x) + (1 - t') softplus(x) = max((1 - t') x, -t' x) + log1p(exp(-|x|))
 *   u  = 1 - p_t = t' sigmoid(-x) + (1 - t') sigmoid(x)
 *   a  = alpha t' + (1 - alpha) (1 - t')   (1 for a negative alpha)
 *   l  = a ce u^gamma
 *   dl/dx = a [ ((1 - t') sigmoid(x) - t' sigmoid(-x)) u^gamma + gamma ce u^gamma (1 - 2 t') s (1 - s) / u ]
 * </pre>
 * The sums in {@code ce}, {@code u} and {@code a} add non-negative terms, and the first term of {@code ce} is one
 * exact product (the other is at most 0). {@code ce} never overflows for logits of +-1e4 and does not cancel for
 * large negative ones (torch's {@code (1 - t') x + ...} form does); its last term is ND4J's
 * {@code -logSigmoid(|x|)}, within an ulp of 1 of the exact value (0 where the exact one is below that, an
 * absolute error far under the tolerances).
 *
 * <p>The focal factor is never {@code 1 - p_t} subtracted and then powered (torchvision's form, which keeps only
 * the rounding error of p_t where it is close to 1 and is 0 where it rounds to 1): {@code u} is formed from the
 * complementary probabilities {@code sigmoid(-x)} and {@code sigmoid(x)}, each computed directly, so a saturated
 * logit keeps its tiny {@code u} until that underflows. The power is a product for gamma 1 and 2 (the default) and
 * otherwise taken in log space, {@code exp(gamma log u)}; where u underflowed to 0 either is exactly 0, the
 * factor's limit for gamma > 0 (with gamma 0 the factor is 1, 0^0 = 1). In the gradient {@code s (1 - s) / u} lies
 * in [0, 1] ({@code u} is a convex combination of s and 1 - s, and their product is at most the smaller); where
 * {@code u} underflows to 0 so does the product, and the smallest normal number added to the divisor makes the
 * quotient 0, the limit of the whole term for every gamma > 0, also below 1 where {@code u^(gamma - 1)} alone is
 * infinite. The loss and the gradient share the weight {@code a u^gamma}.
 *
 * <p>The mean divides by the element count. The loss is always the sum of the element losses in one order,
 * whatever outputs a request asks for.
 */
final class SigmoidFocalKernel {

    private static final Scratch.Slot ELEMENT_ONES = Scratch.slot("sigmoid-focal.elementOnes");
    private static final Scratch.Slot LOGITS = Scratch.slot("sigmoid-focal.logits");
    private static final Scratch.Slot TARGETS = Scratch.slot("sigmoid-focal.targets");
    private static final Scratch.Slot NEGATIVE_TARGETS = Scratch.slot("sigmoid-focal.negativeTargets");
    private static final Scratch.Slot NEGATED_LOGITS = Scratch.slot("sigmoid-focal.negatedLogits");
    private static final Scratch.Slot LARGER_PART = Scratch.slot("sigmoid-focal.largerPart");
    private static final Scratch.Slot LOG_TERM = Scratch.slot("sigmoid-focal.logTerm");
    private static final Scratch.Slot CROSS_ENTROPY = Scratch.slot("sigmoid-focal.crossEntropy");
    private static final Scratch.Slot POSITIVE_PART = Scratch.slot("sigmoid-focal.positivePart");
    private static final Scratch.Slot NEGATIVE_PART = Scratch.slot("sigmoid-focal.negativePart");
    private static final Scratch.Slot SIGMOID = Scratch.slot("sigmoid-focal.sigmoid");
    private static final Scratch.Slot SIGMOID_OF_NEGATED = Scratch.slot("sigmoid-focal.sigmoidOfNegated");
    private static final Scratch.Slot POSITIVE_MASS = Scratch.slot("sigmoid-focal.positiveMass");
    private static final Scratch.Slot NEGATIVE_MASS = Scratch.slot("sigmoid-focal.negativeMass");
    private static final Scratch.Slot COMPLEMENT = Scratch.slot("sigmoid-focal.complement");
    private static final Scratch.Slot FACTOR = Scratch.slot("sigmoid-focal.factor");
    private static final Scratch.Slot WEIGHT = Scratch.slot("sigmoid-focal.weight");
    private static final Scratch.Slot ALPHA_WEIGHT = Scratch.slot("sigmoid-focal.alphaWeight");
    private static final Scratch.Slot ELEMENT_LOSS = Scratch.slot("sigmoid-focal.elementLoss");
    private static final Scratch.Slot GRADIENT = Scratch.slot("sigmoid-focal.gradient");
    private static final Scratch.Slot VARIANCE = Scratch.slot("sigmoid-focal.variance");
    private static final Scratch.Slot DIVISOR = Scratch.slot("sigmoid-focal.divisor");
    private static final Scratch.Slot VARIANCE_QUOTIENT = Scratch.slot("sigmoid-focal.varianceQuotient");
    private static final Scratch.Slot DIRECTION = Scratch.slot("sigmoid-focal.direction");
    private static final Scratch.Slot DIRECTED = Scratch.slot("sigmoid-focal.directed");
    private static final Scratch.Slot FACTOR_TERM = Scratch.slot("sigmoid-focal.factorTerm");
    private static final Scratch.Slot WEIGHTED_GRADIENT = Scratch.slot("sigmoid-focal.weightedGradient");

    /**
     * @param logits   any shape
     * @param targets  the logits' shape, in [0, 1]
     * @param alpha    <= 1; negative: no weighting
     * @param mean     whether the loss and gradient are divided by the element count
     */
    record Inputs(Tensor logits, Tensor targets, double alpha, double gamma, double epsilon, boolean mean,
                  boolean wantSmoothedTargets, boolean wantElementLoss, boolean wantProbabilities,
                  boolean wantGradient) {
    }

    /** The sum (or mean) of the element losses, and the outputs asked for, in the logits' shape. */
    record Computed(double loss, Tensor elementLoss, Tensor smoothedTargets, Tensor probabilities, Tensor gradient) {
    }

    private SigmoidFocalKernel() {
    }

    static Computed compute(Inputs in, Scratch scratch) {
        int[] shape = in.logits().shape();
        DataType type = in.logits().dtype() == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
        int size = in.logits().size();
        double epsilon = in.epsilon();
        double gamma = in.gamma();
        boolean focusing = gamma != 0;
        boolean weighting = in.alpha() >= 0;
        OpExecutioner nd4j = Nd4j.getExecutioner();
        INDArray elementOnes = scratch.ones(ELEMENT_ONES, type, size);

        INDArray logits = scratch.copyOf(LOGITS, in.logits(), type, size);
        // t' = t (1 - eps) + eps / 2, in place; 1 - t'
        INDArray targets = scratch.copyOf(TARGETS, in.targets(), type, size);
        if (epsilon != 0) {
            scratch.scal(size, 1 - epsilon, targets);
            scratch.axpy(size, epsilon / 2, elementOnes, targets);
        }
        INDArray negativeTargets = scratch.array(NEGATIVE_TARGETS, type, size);
        nd4j.exec(new OneMinus(targets, negativeTargets));

        // ce = max((1 - t') x, t' (-x)) - logSigmoid(|x|): the maximum is t' relu(-x) + (1 - t') relu(x), one exact
        // product of the two (the other is <= 0), and -logSigmoid(|x|) = log1p(exp(-|x|))
        INDArray negated = scratch.array(NEGATED_LOGITS, type, size);
        nd4j.exec(new Negative(logits, negated));
        INDArray crossEntropy = scratch.array(CROSS_ENTROPY, type, size);
        scratch.multiply(NEGATIVE_PART, negativeTargets, logits, crossEntropy);
        INDArray positivePart = scratch.array(POSITIVE_PART, type, size);
        scratch.multiply(POSITIVE_PART, targets, negated, positivePart);
        scratch.exec(LARGER_PART, new INDArray[] {crossEntropy, positivePart}, new INDArray[] {crossEntropy},
                Scratch.NO_PARAMETERS, () -> new Max(crossEntropy, positivePart, crossEntropy));
        INDArray logTerm = scratch.array(LOG_TERM, type, size);
        nd4j.exec(new Abs(logits, logTerm));
        nd4j.exec(new LogSigmoid(logTerm, logTerm));
        scratch.axpy(size, -1.0, logTerm, crossEntropy);

        // u = t' sigmoid(-x) + (1 - t') sigmoid(x), from the two sigmoids, never as 1 - p_t
        INDArray sigmoid = null;
        INDArray sigmoidOfNegated = null;
        INDArray positiveMass = null;
        INDArray negativeMass = null;
        INDArray complement = null;
        if (focusing || in.wantProbabilities() || in.wantGradient()) {
            sigmoid = scratch.array(SIGMOID, type, size);
            nd4j.exec(new Sigmoid(logits, sigmoid));
        }
        if (focusing || in.wantGradient()) {
            sigmoidOfNegated = scratch.array(SIGMOID_OF_NEGATED, type, size);
            nd4j.exec(new Sigmoid(negated, sigmoidOfNegated));
            positiveMass = scratch.array(POSITIVE_MASS, type, size);
            scratch.multiply(POSITIVE_MASS, targets, sigmoidOfNegated, positiveMass);
            negativeMass = scratch.array(NEGATIVE_MASS, type, size);
            scratch.multiply(NEGATIVE_MASS, negativeTargets, sigmoid, negativeMass);
        }
        INDArray factor = null;
        if (focusing) {
            complement = scratch.array(COMPLEMENT, type, size);
            scratch.copy(positiveMass, complement);
            scratch.axpy(size, 1.0, negativeMass, complement);
            // u^gamma: a product for gamma 1 and 2 (the default), else exp(gamma log u), exp(-inf) = 0 where u
            // underflowed (ND4J's scalar power costs 20 us a call)
            factor = complement;
            if (gamma == 2) {
                factor = scratch.array(FACTOR, type, size);
                scratch.multiply(FACTOR, complement, complement, factor);
            } else if (gamma != 1) {
                factor = scratch.array(FACTOR, type, size);
                nd4j.exec(new Log(complement, factor));
                scratch.scal(size, gamma, factor);
                nd4j.exec(new Exp(factor, factor));
            }
        }
        // a = alpha t' + (1 - alpha) (1 - t'), two non-negative terms
        INDArray alphaWeight = null;
        if (weighting) {
            alphaWeight = scratch.array(ALPHA_WEIGHT, type, size);
            scratch.copy(negativeTargets, alphaWeight);
            scratch.scal(size, 1 - in.alpha(), alphaWeight);
            scratch.axpy(size, in.alpha(), targets, alphaWeight);
        }
        // l = w ce with the weight w = a u^gamma (null for 1)
        INDArray weight = factor != null ? factor : alphaWeight;
        if (factor != null && alphaWeight != null) {
            weight = scratch.array(WEIGHT, type, size);
            scratch.multiply(WEIGHT, alphaWeight, factor, weight);
        }
        INDArray elementLoss = crossEntropy;
        if (weight != null) {
            elementLoss = scratch.array(ELEMENT_LOSS, type, size);
            scratch.multiply(ELEMENT_LOSS, crossEntropy, weight, elementLoss);
        }

        double denominator = in.mean() ? size : 1.0;
        double loss = scratch.dot(size, 1.0, elementLoss, elementOnes) / denominator;

        Tensor gradient = null;
        if (in.wantGradient()) {
            // w ((1 - t') sigmoid(x) - t' sigmoid(-x)) = w (s - t')
            INDArray rowsGradient = scratch.array(GRADIENT, type, size);
            scratch.copy(negativeMass, rowsGradient);
            scratch.axpy(size, -1.0, positiveMass, rowsGradient);
            if (weight != null) {
                scratch.multiply(WEIGHTED_GRADIENT, rowsGradient, weight, rowsGradient);
            }
            if (focusing) {
                // + gamma a ce u^gamma (1 - 2 t') s (1 - s) / u = gamma l (1 - 2 t') s (1 - s) / u. The divisor is u
                // plus the smallest normal number: where u underflowed to 0 so did s (1 - s) <= u, and 0 / tiny = 0
                // is the limit of the term; where u is that small, ce is as small (t' is within u of 0 or 1), so the
                // term is negligible either way.
                INDArray variance = scratch.array(VARIANCE, type, size);
                scratch.multiply(VARIANCE, sigmoid, sigmoidOfNegated, variance);
                INDArray divisor = scratch.array(DIVISOR, type, size);
                scratch.copy(complement, divisor);
                scratch.axpy(size, type == DataType.FLOAT ? Float.MIN_NORMAL : Double.MIN_NORMAL, elementOnes, divisor);
                scratch.divide(VARIANCE_QUOTIENT, variance, divisor, variance);
                INDArray direction = scratch.array(DIRECTION, type, size);
                scratch.copy(negativeTargets, direction);
                scratch.axpy(size, -1.0, targets, direction);
                scratch.multiply(DIRECTED, variance, direction, variance);
                scratch.multiply(FACTOR_TERM, variance, elementLoss, variance);
                scratch.axpy(size, gamma, variance, rowsGradient);
            }
            if (denominator != 1.0) {
                scratch.scal(size, 1.0 / denominator, rowsGradient);
            }
            gradient = Scratch.tensorOf(rowsGradient, shape);
        }
        return new Computed(loss,
                in.wantElementLoss() ? Scratch.tensorOf(elementLoss, shape) : null,
                in.wantSmoothedTargets() ? Scratch.tensorOf(targets, shape) : null,
                in.wantProbabilities() ? Scratch.tensorOf(sigmoid, shape) : null,
                gradient);
    }
}
