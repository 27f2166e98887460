package lossservice.losses.binarycrossentropy;

import lossservice.compute.Scratch;
import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Binary cross-entropy on logits with label smoothing towards 0.5, equal to
 * {@code torch.nn.functional.binary_cross_entropy_with_logits(x, t', weight=w, pos_weight=pw)} on the smoothed
 * targets {@code t' = t (1 - eps) + eps / 2}, computed with ND4J on rows of the last dimension.
 *
 * <p>The element loss is written as a sum of two non-negative terms,
 * <pre>
 *   l = w [ pw t' softplus(-x) + (1 - t') softplus(x) ],   softplus(+-x) = relu(+-x) + log1p(exp(-|x|))
 * </pre>
 * which neither overflows for logits of +-1e4 nor cancels for large negative logits (torch's
 * {@code (1 - t') x + ...} form loses about |x| ulp there). Likewise the gradient
 * <pre>
 *   dl/dx = w [ (1 - t') sigmoid(x) - pw t' sigmoid(-x) ]
 * </pre>
 * equals torch's {@code w [(1 + (pw - 1) t') sigmoid(x) - pw t']} without computing {@code 1 - sigmoid(x)}.
 * Both weight vectors have the last dimension's length L and broadcast over the M = size / L rows. The mean
 * divides by the number of elements, whatever the weights.
 */
final class BinaryCrossEntropyKernel {

    private static final Scratch.Slot ELEMENT_ONES = Scratch.slot("bce.elementOnes");
    private static final Scratch.Slot LOGITS = Scratch.slot("bce.logits");
    private static final Scratch.Slot TARGETS = Scratch.slot("bce.targets");
    private static final Scratch.Slot ABSOLUTE = Scratch.slot("bce.absolute");
    private static final Scratch.Slot LOG_TERM = Scratch.slot("bce.logTerm");
    private static final Scratch.Slot SOFTPLUS = Scratch.slot("bce.softplus");
    private static final Scratch.Slot SOFTPLUS_OF_NEGATED = Scratch.slot("bce.softplusOfNegated");
    private static final Scratch.Slot POS_WEIGHT = Scratch.slot("bce.posWeight");
    private static final Scratch.Slot POSITIVE = Scratch.slot("bce.positive");
    private static final Scratch.Slot NEGATIVE = Scratch.slot("bce.negative");
    private static final Scratch.Slot CLASS_WEIGHTS = Scratch.slot("bce.classWeights");
    private static final Scratch.Slot ELEMENT_LOSS = Scratch.slot("bce.elementLoss");
    private static final Scratch.Slot POSITIVE_TERM = Scratch.slot("bce.positiveTerm");
    private static final Scratch.Slot NEGATIVE_TERM = Scratch.slot("bce.negativeTerm");
    private static final Scratch.Slot WEIGHTED_LOSS = Scratch.slot("bce.weightedLoss");
    private static final Scratch.Slot PROBABILITIES = Scratch.slot("bce.probabilities");
    private static final Scratch.Slot GRADIENT = Scratch.slot("bce.gradient");
    private static final Scratch.Slot SIGMOID_OF_NEGATED = Scratch.slot("bce.sigmoidOfNegated");
    private static final Scratch.Slot NEGATIVE_GRADIENT = Scratch.slot("bce.negativeGradient");
    private static final Scratch.Slot POSITIVE_GRADIENT = Scratch.slot("bce.positiveGradient");
    private static final Scratch.Slot WEIGHTED_GRADIENT = Scratch.slot("bce.weightedGradient");

    /**
     * @param logits       any shape
     * @param targets      the logits' shape, in [0, 1]
     * @param posWeight    L = the last dimension's length, or null
     * @param classWeights L, or null
     * @param mean         whether the loss and gradient are divided by the element count
     */
    record Inputs(Tensor logits, Tensor targets, Tensor posWeight, Tensor classWeights, double epsilon,
                  boolean mean, boolean wantSmoothedTargets, boolean wantElementLoss, boolean wantProbabilities,
                  boolean wantGradient) {
    }

    /** The sum (or mean) of the element losses, and the outputs asked for, in the logits' shape. */
    record Computed(double loss, Tensor elementLoss, Tensor smoothedTargets, Tensor probabilities, Tensor gradient) {
    }

    private BinaryCrossEntropyKernel() {
    }

    static Computed compute(Inputs in, Scratch scratch) {
        int[] shape = in.logits().shape();
        DataType type = in.logits().dtype() == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
        int columns = shape[shape.length - 1];
        int size = in.logits().size();
        int rows = size / columns;
        double epsilon = in.epsilon();
        OpExecutioner nd4j = Nd4j.getExecutioner();
        INDArray elementOnes = scratch.ones(ELEMENT_ONES, type, size);

        INDArray logits = scratch.copyOf(LOGITS, in.logits(), type, rows, columns);
        // t' = t (1 - eps) + eps / 2, in place
        INDArray targets = scratch.copyOf(TARGETS, in.targets(), type, rows, columns);
        if (epsilon != 0) {
            scratch.scal(size, 1 - epsilon, targets);
            scratch.axpy(size, epsilon / 2, elementOnes, targets);
        }

        // log1p(exp(-|x|)), then softplus(+-x) = relu(+-x) + log1p(exp(-|x|)) with relu(+-x) = (|x| +- x) / 2,
        // which is exact; the relu part is summed first so that a small log term is not lost beside +-x / 2.
        INDArray absolute = scratch.array(ABSOLUTE, type, rows, columns);
        nd4j.exec(new Abs(logits, absolute));
        INDArray logTerm = scratch.array(LOG_TERM, type, rows, columns);
        scratch.copy(absolute, logTerm);
        scratch.scal(size, -1.0, logTerm);
        nd4j.exec(new Exp(logTerm, logTerm));
        nd4j.exec(new Log1p(logTerm, logTerm));
        INDArray softplus = scratch.array(SOFTPLUS, type, rows, columns);
        halfSum(scratch, absolute, 1.0, logits, softplus);
        scratch.axpy(size, 1.0, logTerm, softplus);
        INDArray softplusOfNegated = scratch.array(SOFTPLUS_OF_NEGATED, type, rows, columns);
        halfSum(scratch, absolute, -1.0, logits, softplusOfNegated);
        scratch.axpy(size, 1.0, logTerm, softplusOfNegated);

        // positive = pw t', negative = 1 - t'
        INDArray positive = targets;
        if (in.posWeight() != null) {
            INDArray posWeight = scratch.copyOf(POS_WEIGHT, in.posWeight(), type, 1, columns);
            positive = scratch.array(POSITIVE, type, rows, columns);
            scratch.multiply(POSITIVE, targets, posWeight, positive);
        }
        INDArray negative = scratch.array(NEGATIVE, type, rows, columns);
        scratch.copy(targets, negative);
        scratch.scal(size, -1.0, negative);
        scratch.axpy(size, 1.0, elementOnes, negative);
        INDArray classWeights = in.classWeights() == null ? null
                : scratch.copyOf(CLASS_WEIGHTS, in.classWeights(), type, 1, columns);

        // l = w [pw t' softplus(-x) + (1 - t') softplus(x)]
        INDArray elementLoss = scratch.array(ELEMENT_LOSS, type, rows, columns);
        scratch.multiply(POSITIVE_TERM, positive, softplusOfNegated, elementLoss);
        scratch.multiply(NEGATIVE_TERM, negative, softplus, softplus);
        scratch.axpy(size, 1.0, softplus, elementLoss);
        if (classWeights != null) {
            scratch.multiply(WEIGHTED_LOSS, elementLoss, classWeights, elementLoss);
        }

        double denominator = in.mean() ? size : 1.0;
        double loss = scratch.dot(size, 1.0, elementLoss, elementOnes) / denominator;

        INDArray probabilities = null;
        if (in.wantProbabilities() || in.wantGradient()) {
            probabilities = scratch.array(PROBABILITIES, type, rows, columns);
            nd4j.exec(new Sigmoid(logits, probabilities));
        }
        Tensor gradient = null;
        if (in.wantGradient()) {
            // dl/dx = w [(1 - t') sigmoid(x) - pw t' sigmoid(-x)] / denominator
            INDArray rowsGradient = scratch.array(GRADIENT, type, rows, columns);
            INDArray sigmoidOfNegated = scratch.array(SIGMOID_OF_NEGATED, type, rows, columns);
            scratch.copy(logits, sigmoidOfNegated);
            scratch.scal(size, -1.0, sigmoidOfNegated);
            nd4j.exec(new Sigmoid(sigmoidOfNegated, sigmoidOfNegated));
            scratch.multiply(NEGATIVE_GRADIENT, negative, probabilities, rowsGradient);
            scratch.multiply(POSITIVE_GRADIENT, positive, sigmoidOfNegated, sigmoidOfNegated);
            scratch.axpy(size, -1.0, sigmoidOfNegated, rowsGradient);
            if (classWeights != null) {
                scratch.multiply(WEIGHTED_GRADIENT, rowsGradient, classWeights, rowsGradient);
            }
            if (denominator != 1.0) {
                scratch.scal(size, 1.0 / denominator, rowsGradient);
            }
            gradient = Scratch.tensorOf(rowsGradient, shape);
        }
        return new Computed(loss,
                in.wantElementLoss() ? Scratch.tensorOf(elementLoss, shape) : null,
                in.wantSmoothedTargets() ? Scratch.tensorOf(targets, shape) : null,
                in.wantProbabilities() ? Scratch.tensorOf(probabilities, shape) : null,
                gradient);
    }

    /** result = (absolute + sign * logits) / 2: relu(x) for sign 1, relu(-x) for sign -1, exactly. */
    private static void halfSum(Scratch scratch, INDArray absolute, double sign, INDArray logits, INDArray result) {
        scratch.copy(absolute, result);
        scratch.scal(result.length(), 0.5, result);
        scratch.axpy(result.length(), 0.5 * sign, logits, result);
    }
}
