package lossservice.crossentropy;

import lossservice.compute.Dtype;
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
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cross-entropy with label smoothing, class weights and ignored rows, exactly as
 * {@code torch.nn.functional.cross_entropy}, computed with ND4J in float32 or float64 (the request's dtype).
 * K-dimensional logits [N, C, d1..dk] arrive as N * d1 * .. * dk rows of C (see {@link CrossEntropyRequest}),
 * so everything below is about rows whatever k is.
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
 * divides both the target and the smoothing term by it) and by the row count for probabilities, weights
 * or not.
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
        int n = request.rows();
        int c = request.numClasses();
        double epsilon = request.epsilon();
        DataType type = request.dtype().dataType();
        boolean float64 = request.dtype() == Dtype.FLOAT64;
        OpExecutioner nd4j = Nd4j.getExecutioner();
        Level1 blas1 = Nd4j.getBlasWrapper().level1();
        Level2 blas2 = Nd4j.getBlasWrapper().level2();
        INDArray classOnes = ReusableArrays.ones("classOnes", type, c);

        // z = x - max(x), in place; e = exp(z); s = sum(e) (a matrix-vector product); log s
        INDArray shifted = float64 ? ReusableArrays.copyOf("logits64", request.logits64(), n, c)
                : ReusableArrays.copyOf("logits", request.logits(), n, c);
        INDArray rowMax = column("rowMax", type, n);
        nd4j.exec(new Max(shifted, rowMax, true, 1));
        Nd4j.exec(new SubOp(new INDArray[] {shifted, rowMax}, new INDArray[] {shifted}));
        INDArray exp = matrix("exp", type, n, c);
        nd4j.exec(new Exp(shifted, exp));
        INDArray rowSum = column("rowSum", type, n);
        blas2.gemv('c', 'N', 1.0, exp, classOnes, 0.0, rowSum);
        INDArray logRowSum = column("logRowSum", type, n);
        nd4j.exec(new Log(rowSum, logRowSum));

        boolean indexTargets = request.hasIndexTargets();
        boolean hasIgnoredRows = indexTargets && hasIgnoredRows(request.classIndices());
        SmoothedTargets smoothed = indexTargets && !float64
                ? SmoothedTargets.ofClassIndices(request.classIndices(), c, epsilon)
                : null;
        INDArray targets = indexTargets ? smoothedClassIndices(request, type, hasIgnoredRows)
                : smoothedProbabilities(request, type);
        INDArray weighted = targets;
        if (request.hasClassWeights()) {
            INDArray weights = float64 ? ReusableArrays.copyOf("classWeights64", request.classWeights64(), 1, c)
                    : ReusableArrays.copyOf("classWeights", request.classWeights(), 1, c);
            weighted = matrix("weightedTargets", type, n, c);
            Nd4j.exec(new MulOp(new INDArray[] {targets, weights}, new INDArray[] {weighted}));
        }
        // S_i = sum_c Q_w,ic, which is exactly 1 for an unweighted class index that is not ignored.
        INDArray rowWeight = null;
        if (!indexTargets || request.hasClassWeights() || hasIgnoredRows) {
            rowWeight = column("rowWeight", type, n);
            blas2.gemv('c', 'N', 1.0, weighted, classOnes, 0.0, rowWeight);
        }

        // L = S log s - sum_c Q_w z
        INDArray products = matrix("products", type, n, c);
        Nd4j.exec(new MulOp(new INDArray[] {weighted, shifted}, new INDArray[] {products}));
        INDArray perSample = column("perSample", type, n);
        if (rowWeight == null) {
            blas2.gemv('c', 'N', -1.0, products, classOnes, 0.0, perSample);
            blas1.axpy(n, 1.0, logRowSum, perSample);
        } else {
            Nd4j.exec(new MulOp(new INDArray[] {logRowSum, rowWeight}, new INDArray[] {perSample}));
            blas2.gemv('c', 'N', -1.0, products, classOnes, 1.0, perSample);
        }

        double denominator = denominator(request);
        boolean defined = denominator != 0;
        Double loss = request.reduction() == Reduction.NONE || !defined ? null
                : blas1.dot(n, 1.0, perSample, ReusableArrays.ones("rowOnes", type, n)) / denominator;

        INDArray probabilities = null;
        if (request.outputs().contains(OptionalOutput.PROBABILITIES)) {
            probabilities = matrix("probabilities", type, n, c);
            Nd4j.exec(new DivOp(new INDArray[] {exp, rowSum}, new INDArray[] {probabilities}));
        }
        INDArray gradient = null;
        if (request.outputs().contains(OptionalOutput.GRADIENT) && defined) {
            // dL/dx = ((S / s) e - Q_w) / D
            INDArray scale = column("gradientScale", type, n);
            if (rowWeight == null) {
                nd4j.exec(new ScalarReverseDivision(rowSum, null, scale, 1.0));
            } else {
                Nd4j.exec(new DivOp(new INDArray[] {rowWeight, rowSum}, new INDArray[] {scale}));
            }
            gradient = matrix("gradient", type, n, c);
            Nd4j.exec(new MulOp(new INDArray[] {exp, scale}, new INDArray[] {gradient}));
            blas1.axpy(gradient.length(), -1.0, weighted, gradient);
            if (denominator != 1) {
                blas1.scal(gradient.length(), 1.0 / denominator, gradient);
            }
        }
        boolean perSampleRequested = request.outputs().contains(OptionalOutput.PER_SAMPLE_LOSS);
        boolean smoothedRequested = request.outputs().contains(OptionalOutput.SMOOTHED_TARGETS);

        CrossEntropyResult result;
        if (float64) {
            result = new CrossEntropyResult(null, null, null, null, null, request.batchSize(), c, epsilon,
                    request.reduction(), request.outputs(), backend, request.spatialShape(), Dtype.FLOAT64,
                    new CrossEntropyResult.Float64Outputs(loss,
                            perSampleRequested ? toDoubles(perSample) : null,
                            smoothedRequested ? toDoubles(targets) : null,
                            toDoubles(probabilities),
                            toDoubles(gradient)));
        } else {
            if (smoothed == null) {
                smoothed = SmoothedTargets.dense(toFloats(targets));
            }
            result = new CrossEntropyResult(
                    loss == null ? null : (float) (double) loss,
                    perSampleRequested ? toFloats(perSample) : null,
                    smoothedRequested ? smoothed : null,
                    toFloats(probabilities),
                    toFloats(gradient),
                    request.batchSize(), c, epsilon, request.reduction(), request.outputs(), backend,
                    request.spatialShape(), Dtype.FLOAT32, null);
        }
        requireFinite(result);
        return result;
    }

    private static boolean hasIgnoredRows(int[] classIndices) {
        for (int index : classIndices) {
            if (index == CrossEntropyRequest.IGNORED) {
                return true;
            }
        }
        return false;
    }

    /** q = (1 - eps) onehot + eps / C, all zero for an ignored row. */
    private static INDArray smoothedClassIndices(CrossEntropyRequest request, DataType type, boolean hasIgnoredRows) {
        int n = request.rows();
        int c = request.numClasses();
        double epsilon = request.epsilon();
        double target = 1 - epsilon + epsilon / c;
        double offTarget = epsilon / c;
        if (type == DataType.FLOAT) {
            // The float32 values SmoothedTargets reports, so that the returned targets are the ones computed with.
            target = (float) target;
            offTarget = (float) offTarget;
        }
        INDArray targets = matrix("targets", type, n, c);
        // OneHot writes the "off" value for an index outside [0, C): ignored rows (index -1) are masked after.
        Nd4j.exec(new OneHot(ReusableArrays.copyOf("classIndices", request.classIndices(), n), targets, c, 1,
                target, offTarget));
        if (hasIgnoredRows) {
            double[] rowMask = new double[n];
            for (int i = 0; i < n; i++) {
                rowMask[i] = request.classIndices()[i] == CrossEntropyRequest.IGNORED ? 0 : 1;
            }
            INDArray mask = column("rowMask", type, n);
            mask.data().setData(rowMask);
            Nd4j.exec(new MulOp(new INDArray[] {targets, mask}, new INDArray[] {targets}));
        }
        return targets;
    }

    /** q = (1 - eps) t + eps / C. */
    private static INDArray smoothedProbabilities(CrossEntropyRequest request, DataType type) {
        int c = request.numClasses();
        INDArray targets = type == DataType.DOUBLE
                ? ReusableArrays.copyOf("targets64", request.probabilities64(), request.rows(), c)
                : ReusableArrays.copyOf("targets", request.probabilities(), request.rows(), c);
        double epsilon = request.epsilon();
        if (epsilon != 0) {
            Nd4j.getExecutioner().exec(new ScalarMultiplication(targets, null, targets, 1 - epsilon));
            Nd4j.getExecutioner().exec(new ScalarAdd(targets, null, targets, epsilon / c));
        }
        return targets;
    }

    private static INDArray matrix(String role, DataType type, int n, int c) {
        return ReusableArrays.get(role, type, n, c);
    }

    private static INDArray column(String role, DataType type, int n) {
        return ReusableArrays.get(role, type, n, 1);
    }


    /** The mean's denominator (1 for sum and none): D for class indices, N * d1 * .. * dk for probabilities. */
    private static double denominator(CrossEntropyRequest request) {
        if (request.reduction() != Reduction.MEAN) {
            return 1.0;
        }
        if (!request.hasIndexTargets()) {
            return request.rows();
        }
        double denominator = 0;
        for (int target : request.classIndices()) {
            if (target != CrossEntropyRequest.IGNORED) {
                denominator += request.classWeight(target);
            }
        }
        return denominator;
    }

    /** Copies an array's values out of ND4J's off-heap memory, row-major (null stays null). */
    private static float[] toFloats(INDArray array) {
        if (array == null) {
            return null;
        }
        INDArray contiguous = array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
        return contiguous.data().asFloat();
    }

    private static double[] toDoubles(INDArray array) {
        if (array == null) {
            return null;
        }
        INDArray contiguous = array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
        return contiguous.data().asDouble();
    }

    /** JSON has no NaN or infinity: results that overflow their precision are refused rather than sent. */
    private static void requireFinite(CrossEntropyResult result) {
        boolean finite;
        if (result.float64() != null) {
            CrossEntropyResult.Float64Outputs outputs = result.float64();
            finite = (outputs.loss() == null || Double.isFinite(outputs.loss()))
                    && allFinite(outputs.perSampleLoss()) && allFinite(outputs.smoothedTargets())
                    && allFinite(outputs.probabilities()) && allFinite(outputs.gradient());
        } else {
            finite = (result.loss() == null || Float.isFinite(result.loss()))
                    && allFinite(result.perSampleLoss()) && allFinite(result.probabilities())
                    && allFinite(result.gradient())
                    && (result.smoothedTargets() == null || allFinite(result.smoothedTargets().dense()));
        }
        if (!finite) {
            throw new ResultOutOfRangeException("The result overflows " + result.dtype().wireName() + ": the"
                    + " logits, probabilities or weights are too large for the loss to be represented.");
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

    private static boolean allFinite(double[] values) {
        if (values == null) {
            return true;
        }
        for (double value : values) {
            if (!Double.isFinite(value)) {
                return false;
            }
        }
        return true;
    }
}
