package lossservice.binarycrossentropy;

import lossservice.compute.Dtype;
import lossservice.compute.PreparedOps;
import lossservice.compute.ReusableArrays;
import lossservice.crossentropy.Reduction;
import lossservice.json.NestedArrays;
import lossservice.problem.ResultOutOfRangeException;

import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
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
 * targets {@code t' = t (1 - eps) + eps / 2}, computed with ND4J in the request's dtype.
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
public final class BinaryCrossEntropyLoss {

    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .policyLearning(LearningPolicy.OVER_TIME)
            .build();
    private static final String WORKSPACE_ID = "binary-cross-entropy";

    private final String backend;

    public BinaryCrossEntropyLoss(String backend) {
        this.backend = backend;
    }

    public BinaryCrossEntropyResult compute(BinaryCrossEntropyRequest request) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
            return computeInWorkspace(request);
        }
    }

    private BinaryCrossEntropyResult computeInWorkspace(BinaryCrossEntropyRequest request) {
        DataType type = request.dtype().dataType();
        int columns = request.lastDimension();
        int rows = request.size() / columns;
        double epsilon = request.epsilon();
        OpExecutioner nd4j = Nd4j.getExecutioner();

        Level1 blas1 = Nd4j.getBlasWrapper().level1();
        long size = (long) rows * columns;
        INDArray elementOnes = ReusableArrays.ones("bce.elementOnes", type, size);

        INDArray logits = copy("bce.logits", request.logits(), type, rows, columns);
        // t' = t (1 - eps) + eps / 2, in place
        INDArray targets = copy("bce.targets", request.targets(), type, rows, columns);
        if (epsilon != 0) {
            blas1.scal(size, 1 - epsilon, targets);
            blas1.axpy(size, epsilon / 2, elementOnes, targets);
        }

        // log1p(exp(-|x|)), then softplus(+-x) = relu(+-x) + log1p(exp(-|x|)) with relu(+-x) = (|x| +- x) / 2,
        // which is exact; the relu part is summed first so that a small log term is not lost beside +-x / 2.
        INDArray absolute = array("bce.absolute", type, rows, columns);
        nd4j.exec(new Abs(logits, absolute));
        INDArray logTerm = array("bce.logTerm", type, rows, columns);
        blas1.copy(absolute, logTerm);
        blas1.scal(size, -1.0, logTerm);
        nd4j.exec(new Exp(logTerm, logTerm));
        nd4j.exec(new Log1p(logTerm, logTerm));
        INDArray softplus = array("bce.softplus", type, rows, columns);
        halfSum(blas1, absolute, 1.0, logits, softplus);
        blas1.axpy(size, 1.0, logTerm, softplus);
        INDArray softplusOfNegated = array("bce.softplusOfNegated", type, rows, columns);
        halfSum(blas1, absolute, -1.0, logits, softplusOfNegated);
        blas1.axpy(size, 1.0, logTerm, softplusOfNegated);

        // positive = pw t', negative = 1 - t'
        INDArray positive = targets;
        if (request.posWeight() != null) {
            INDArray posWeight = copy("bce.posWeight", request.posWeight(), type, 1, columns);
            positive = array("bce.positive", type, rows, columns);
            PreparedOps.multiply("bce.positive", targets, posWeight, positive);
        }
        INDArray negative = array("bce.negative", type, rows, columns);
        blas1.copy(targets, negative);
        blas1.scal(size, -1.0, negative);
        blas1.axpy(size, 1.0, elementOnes, negative);
        INDArray classWeights = request.classWeights() == null ? null
                : copy("bce.classWeights", request.classWeights(), type, 1, columns);

        // l = w [pw t' softplus(-x) + (1 - t') softplus(x)]
        INDArray elementLoss = array("bce.elementLoss", type, rows, columns);
        PreparedOps.multiply("bce.positiveTerm", positive, softplusOfNegated, elementLoss);
        PreparedOps.multiply("bce.negativeTerm", negative, softplus, softplus);
        blas1.axpy(size, 1.0, softplus, elementLoss);
        if (classWeights != null) {
            PreparedOps.multiply("bce.weightedLoss", elementLoss, classWeights, elementLoss);
        }

        double denominator = request.reduction() == Reduction.MEAN ? request.size() : 1.0;
        Double loss = request.reduction() == Reduction.NONE ? null
                : blas1.dot(size, 1.0, elementLoss, elementOnes) / denominator;

        INDArray probabilities = null;
        if (request.outputs().contains(BinaryOutput.PROBABILITIES) || request.outputs().contains(BinaryOutput.GRADIENT)) {
            probabilities = array("bce.probabilities", type, rows, columns);
            nd4j.exec(new Sigmoid(logits, probabilities));
        }
        INDArray gradient = null;
        if (request.outputs().contains(BinaryOutput.GRADIENT)) {
            // dl/dx = w [(1 - t') sigmoid(x) - pw t' sigmoid(-x)] / denominator
            gradient = array("bce.gradient", type, rows, columns);
            INDArray sigmoidOfNegated = array("bce.sigmoidOfNegated", type, rows, columns);
            blas1.copy(logits, sigmoidOfNegated);
            blas1.scal(size, -1.0, sigmoidOfNegated);
            nd4j.exec(new Sigmoid(sigmoidOfNegated, sigmoidOfNegated));
            PreparedOps.multiply("bce.negativeGradient", negative, probabilities, gradient);
            PreparedOps.multiply("bce.positiveGradient", positive, sigmoidOfNegated, sigmoidOfNegated);
            blas1.axpy(size, -1.0, sigmoidOfNegated, gradient);
            if (classWeights != null) {
                PreparedOps.multiply("bce.weightedGradient", gradient, classWeights, gradient);
            }
            if (denominator != 1.0) {
                blas1.scal(size, 1.0 / denominator, gradient);
            }
        }

        boolean float64 = request.dtype() == Dtype.FLOAT64;
        BinaryCrossEntropyResult result = new BinaryCrossEntropyResult(
                loss,
                request.outputs().contains(BinaryOutput.ELEMENT_LOSS) ? values(elementLoss, float64) : null,
                request.outputs().contains(BinaryOutput.SMOOTHED_TARGETS) ? values(targets, float64) : null,
                request.outputs().contains(BinaryOutput.PROBABILITIES) ? values(probabilities, float64) : null,
                gradient == null ? null : values(gradient, float64),
                request.shape(), epsilon, request.reduction(), request.outputs(), request.dtype(), backend);
        requireFinite(result);
        return result;
    }

    /** result = (absolute + sign * logits) / 2: relu(x) for sign 1, relu(-x) for sign -1, exactly. */
    private static void halfSum(Level1 blas1, INDArray absolute, double sign, INDArray logits, INDArray result) {
        blas1.copy(absolute, result);
        blas1.scal(result.length(), 0.5, result);
        blas1.axpy(result.length(), 0.5 * sign, logits, result);
    }

    private static INDArray array(String role, DataType type, int rows, int columns) {
        return ReusableArrays.get(role, type, rows, columns);
    }

    /** The decoded doubles, rounded to the computation's type. */
    private static INDArray copy(String role, double[] values, DataType type, int rows, int columns) {
        return ReusableArrays.copyOf(role, values, type, rows, columns);
    }

    private static NestedArrays.Values values(INDArray array, boolean float64) {
        return float64 ? NestedArrays.of(ReusableArrays.doublesOf(array)) : NestedArrays.of(ReusableArrays.floatsOf(array));
    }

    /** JSON has no NaN or infinity: results that overflow their precision are refused rather than sent. */
    private static void requireFinite(BinaryCrossEntropyResult result) {
        boolean lossFinite = result.loss() == null || (result.dtype() == Dtype.FLOAT64
                ? Double.isFinite(result.loss()) : Float.isFinite((float) (double) result.loss()));
        if (!lossFinite || !finite(result.elementLoss()) || !finite(result.smoothedTargets())
                || !finite(result.probabilities()) || !finite(result.gradient())) {
            throw new ResultOutOfRangeException("The result overflows " + result.dtype().wireName() + ": the"
                    + " logits or weights are too large for the loss to be represented.");
        }
    }

    private static boolean finite(NestedArrays.Values values) {
        return values == null || values.allFinite();
    }
}
