package lossservice.crossentropy;

import lossservice.compute.ReusableArrays;
import lossservice.problem.ResultOutOfRangeException;

import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.blas.Level2;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseDivision;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarSet;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cross-entropy with label smoothing, class weights and ignored rows, exactly as
 * {@code torch.nn.functional.cross_entropy}, computed with ND4J in float32.
 *
 * <p>Both kinds of target become one weighted target matrix {@code Q_w = w * q}, where {@code q} is
 * {@code (1 - eps) onehot + eps / C} for class indices (all zero for an ignored row) and
 * {@code (1 - eps) t + eps / C} for probabilities. With {@code z = x - max(x)} (the max shift keeps logits
 * of 1e30 finite and, unlike {@code x - logsumexp(x)}, keeps the precision of rows offset by -3e4),
 * {@code s = sum exp(z)} and {@code S = sum_c Q_w} per row:
 * <pre>
 *   L_i      = - sum_c Q_w,ic (z_ic - log s_i)  =  S_i log s_i - sum_c Q_w,ic z_ic   (two terms >= 0)
 *   dL/dx_ij = S_i exp(z_ij) / s_i - Q_w,ij
 * </pre>
 * so neither the log-softmax nor the softmax matrix is needed unless the client asks for probabilities.
 * ND4J's own log_softmax is not used: it takes the log of the softmax, which underflows to -inf for
 * logits 1e4 apart. The mean divides by D = sum over non-ignored rows of w[y_i] for class indices (PyTorch
 * divides both the target and the smoothing term by it) and by N for probabilities, weights or not.
 *
 * <p>ND4J's per-operation overhead dominates small batches (10 to 50 us for a custom operation or a
 * reduction along a dimension, about 1 us for an element-wise transform or a BLAS call), so the row sums
 * and the total are BLAS matrix-vector and dot products with a vector of ones, the operations write into
 * arrays given to them ({@link ReusableArrays}: kept per thread when small, from the thread's workspace
 * when large), and nothing is computed that a request does not ask for.
 */
public final class CrossEntropyLoss {

    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .policyLearning(LearningPolicy.OVER_TIME)
            .build();
    private static final String WORKSPACE_ID = "cross-entropy";

    private final String backend;

    public CrossEntropyLoss(String backend) {
        this.backend = backend;
    }

    public CrossEntropyResult compute(CrossEntropyRequest request) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
            return computeInWorkspace(request);
        }
    }

    private CrossEntropyResult computeInWorkspace(CrossEntropyRequest request) {
        int n = request.batchSize();
        int c = request.numClasses();
        double epsilon = request.epsilon();
        OpExecutioner nd4j = Nd4j.getExecutioner();
        Level1 blas1 = Nd4j.getBlasWrapper().level1();
        Level2 blas2 = Nd4j.getBlasWrapper().level2();
        INDArray classOnes = ones("classOnes", c);

        // z = x - max(x), in place; e = exp(z); s = sum(e) (a matrix-vector product); log s
        INDArray shifted = ReusableArrays.copyOf("logits", request.logits(), n, c);
        INDArray rowMax = column("rowMax", n);
        nd4j.exec(new Max(shifted, rowMax, true, 1));
        Nd4j.exec(new SubOp(new INDArray[] {shifted, rowMax}, new INDArray[] {shifted}));
        INDArray exp = matrix("exp", n, c);
        nd4j.exec(new Exp(shifted, exp));
        INDArray rowSum = column("rowSum", n);
        blas2.gemv('c', 'N', 1.0, exp, classOnes, 0.0, rowSum);
        INDArray logRowSum = column("logRowSum", n);
        nd4j.exec(new Log(rowSum, logRowSum));

        SmoothedTargets smoothed = request.hasIndexTargets()
                ? SmoothedTargets.ofClassIndices(request.classIndices(), c, epsilon)
                : null;
        INDArray targets = smoothed != null ? smoothedClassIndices(request, smoothed) : smoothedProbabilities(request);
        INDArray weighted = targets;
        if (request.classWeights() != null) {
            INDArray weights = ReusableArrays.copyOf("classWeights", request.classWeights(), 1, c);
            weighted = matrix("weightedTargets", n, c);
            Nd4j.exec(new MulOp(new INDArray[] {targets, weights}, new INDArray[] {weighted}));
        }
        // S_i = sum_c Q_w,ic, which is exactly 1 for an unweighted class index that is not ignored.
        INDArray rowWeight = null;
        if (smoothed == null || request.classWeights() != null || smoothed.hasIgnoredRows()) {
            rowWeight = column("rowWeight", n);
            blas2.gemv('c', 'N', 1.0, weighted, classOnes, 0.0, rowWeight);
        }

        // L = S log s - sum_c Q_w z
        INDArray products = matrix("products", n, c);
        Nd4j.exec(new MulOp(new INDArray[] {weighted, shifted}, new INDArray[] {products}));
        INDArray perSample = column("perSample", n);
        if (rowWeight == null) {
            blas2.gemv('c', 'N', -1.0, products, classOnes, 0.0, perSample);
            blas1.axpy(n, 1.0, logRowSum, perSample);
        } else {
            Nd4j.exec(new MulOp(new INDArray[] {logRowSum, rowWeight}, new INDArray[] {perSample}));
            blas2.gemv('c', 'N', -1.0, products, classOnes, 1.0, perSample);
        }

        double denominator = denominator(request);
        boolean defined = denominator != 0;
        Float loss = request.reduction() == Reduction.NONE || !defined ? null
                : (float) (blas1.dot(n, 1.0, perSample, ones("rowOnes", n)) / denominator);

        float[] probabilities = null;
        if (request.outputs().contains(OptionalOutput.PROBABILITIES)) {
            INDArray probabilitiesArray = matrix("probabilities", n, c);
            Nd4j.exec(new DivOp(new INDArray[] {exp, rowSum}, new INDArray[] {probabilitiesArray}));
            probabilities = toFloats(probabilitiesArray);
        }
        float[] gradient = null;
        if (request.outputs().contains(OptionalOutput.GRADIENT) && defined) {
            // dL/dx = ((S / s) e - Q_w) / D
            INDArray scale = column("gradientScale", n);
            if (rowWeight == null) {
                nd4j.exec(new ScalarReverseDivision(rowSum, null, scale, 1.0));
            } else {
                Nd4j.exec(new DivOp(new INDArray[] {rowWeight, rowSum}, new INDArray[] {scale}));
            }
            INDArray gradientArray = matrix("gradient", n, c);
            Nd4j.exec(new MulOp(new INDArray[] {exp, scale}, new INDArray[] {gradientArray}));
            blas1.axpy(gradientArray.length(), -1.0, weighted, gradientArray);
            if (denominator != 1) {
                blas1.scal(gradientArray.length(), 1.0 / denominator, gradientArray);
            }
            gradient = toFloats(gradientArray);
        }
        if (smoothed == null) {
            smoothed = SmoothedTargets.dense(toFloats(targets));
        }

        CrossEntropyResult result = new CrossEntropyResult(
                loss,
                request.outputs().contains(OptionalOutput.PER_SAMPLE_LOSS) ? toFloats(perSample) : null,
                request.outputs().contains(OptionalOutput.SMOOTHED_TARGETS) ? smoothed : null,
                probabilities,
                gradient,
                n, c, epsilon, request.reduction(), request.outputs(), backend);
        requireFinite(result);
        return result;
    }

    /** q = (1 - eps) onehot + eps / C, all zero for an ignored row. */
    private static INDArray smoothedClassIndices(CrossEntropyRequest request, SmoothedTargets smoothed) {
        int n = request.batchSize();
        int c = request.numClasses();
        INDArray targets = matrix("targets", n, c);
        // OneHot writes the "off" value for an index outside [0, C): ignored rows (index -1) are masked after.
        Nd4j.exec(new OneHot(ReusableArrays.copyOf("classIndices", request.classIndices(), n), targets, c, 1,
                smoothed.target(), smoothed.offTarget()));
        if (smoothed.hasIgnoredRows()) {
            float[] rowMask = new float[n];
            for (int i = 0; i < n; i++) {
                rowMask[i] = request.classIndices()[i] == CrossEntropyRequest.IGNORED ? 0f : 1f;
            }
            INDArray mask = ReusableArrays.copyOf("rowMask", rowMask, n, 1);
            Nd4j.exec(new MulOp(new INDArray[] {targets, mask}, new INDArray[] {targets}));
        }
        return targets;
    }

    /** q = (1 - eps) t + eps / C. */
    private static INDArray smoothedProbabilities(CrossEntropyRequest request) {
        int c = request.numClasses();
        INDArray targets = ReusableArrays.copyOf("targets", request.probabilities(), request.batchSize(), c);
        double epsilon = request.epsilon();
        if (epsilon != 0) {
            Nd4j.getExecutioner().exec(new ScalarMultiplication(targets, null, targets, 1 - epsilon));
            Nd4j.getExecutioner().exec(new ScalarAdd(targets, null, targets, epsilon / c));
        }
        return targets;
    }

    private static INDArray matrix(String role, int n, int c) {
        return ReusableArrays.get(role, DataType.FLOAT, n, c);
    }

    private static INDArray column(String role, int n) {
        return ReusableArrays.get(role, DataType.FLOAT, n, 1);
    }

    private static INDArray ones(String role, int n) {
        INDArray ones = ReusableArrays.get(role, DataType.FLOAT, n, 1);
        Nd4j.getExecutioner().exec(new ScalarSet(ones, 1.0));
        return ones;
    }

    /** The mean's denominator (1 for sum and none): D for class indices, N for probabilities. */
    private static double denominator(CrossEntropyRequest request) {
        if (request.reduction() != Reduction.MEAN) {
            return 1.0;
        }
        if (!request.hasIndexTargets()) {
            return request.batchSize();
        }
        float[] weights = request.classWeights();
        double denominator = 0;
        for (int target : request.classIndices()) {
            if (target != CrossEntropyRequest.IGNORED) {
                denominator += weights == null ? 1.0 : weights[target];
            }
        }
        return denominator;
    }

    /** Copies an array's values out of ND4J's off-heap memory, row-major. */
    private static float[] toFloats(INDArray array) {
        INDArray contiguous = array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
        return contiguous.data().asFloat();
    }

    /** JSON has no NaN or infinity: results that overflow float32 are refused rather than sent. */
    private static void requireFinite(CrossEntropyResult result) {
        if (result.loss() != null && !Float.isFinite(result.loss())
                || !allFinite(result.perSampleLoss()) || !allFinite(result.probabilities())
                || !allFinite(result.gradient())
                || result.smoothedTargets() != null && !allFinite(result.smoothedTargets().dense())) {
            throw new ResultOutOfRangeException("The result overflows float32: the logits, probabilities or weights"
                    + " are too large for the loss to be represented.");
        }
    }

    private static boolean allFinite(float[] values) {
        if (values == null) {
            return true;
        }
        for (float value : values) {
            if (!Float.isFinite(value)) {
                return false;
            }
        }
        return true;
    }
}
