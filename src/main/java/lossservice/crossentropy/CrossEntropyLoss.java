package lossservice.crossentropy;

import lossservice.compute.Dtype;
import lossservice.compute.PreparedOps;
import lossservice.compute.ReusableArrays;
import lossservice.problem.ResultOutOfRangeException;

import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
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
 * <p>ND4J's fixed cost per operation dominates small batches: a custom operation run through
 * {@code Nd4j.exec} costs 10 to 30 us whatever its size, the same on a prepared native context about 3 us, an
 * element-wise transform, a BLAS level-1 call or {@code ger} about 1 us (ND4J runs its {@code gemv} as a custom
 * operation). So the custom operations (row maxima, row sums as matrix-vector products, one-hot, products,
 * quotients) run prepared ({@link PreparedOps}) on arrays kept per thread ({@link ReusableArrays}: kept when
 * small, from the thread's workspace when large); the max shift is a BLAS rank-1 update; the total is two dot
 * products unless the per-sample losses are asked for; and nothing is computed that a request does not ask for.
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
        INDArray classOnes = ReusableArrays.ones("classOnes", type, c);

        // z = x - max(x), in place; e = exp(z); s = e 1 (a matrix-vector product); log s
        INDArray shifted = float64 ? ReusableArrays.copyOf("logits64", request.logits64(), n, c)
                : ReusableArrays.copyOf("logits", request.logits(), n, c);
        INDArray rowMax = column("rowMax", type, n);
        PreparedOps.exec("rowMax", new INDArray[] {shifted}, new INDArray[] {rowMax}, PreparedOps.NO_PARAMETERS,
                () -> DynamicCustomOp.builder("reduce_max").addInputs(shifted).addOutputs(rowMax)
                        .addIntegerArguments(1).addBooleanArguments(true).build());
        subtractFromEachRow("shifted", shifted, rowMax, classOnes);
        INDArray exp = matrix("exp", type, n, c);
        nd4j.exec(new Exp(shifted, exp));
        INDArray rowSum = column("rowSum", type, n);
        rowSums("rowSum", exp, classOnes, rowSum, 1.0, 0.0);
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
            PreparedOps.multiply("weightedTargets", targets, weights, weighted);
        }
        // S_i = sum_c Q_w,ic, which is exactly 1 for an unweighted class index that is not ignored.
        INDArray rowWeight = null;
        if (!indexTargets || request.hasClassWeights() || hasIgnoredRows) {
            rowWeight = column("rowWeight", type, n);
            rowSums("rowWeight", weighted, classOnes, rowWeight, 1.0, 0.0);
        }

        // L_i = S_i log s_i - sum_c Q_w,ic z_ic; the rows only when asked for, else just the total
        INDArray rowOnes = ReusableArrays.ones("rowOnes", type, n);
        INDArray perSample = null;
        if (request.outputs().contains(OptionalOutput.PER_SAMPLE_LOSS)) {
            INDArray products = matrix("products", type, n, c);
            PreparedOps.multiply("products", weighted, shifted, products);
            perSample = column("perSample", type, n);
            if (rowWeight == null) {
                rowSums("perSample", products, classOnes, perSample, -1.0, 0.0);
                blas1.axpy(n, 1.0, logRowSum, perSample);
            } else {
                PreparedOps.multiply("perSampleLogTerm", logRowSum, rowWeight, perSample);
                rowSums("perSample", products, classOnes, perSample, -1.0, 1.0);
            }
        }
        double denominator = denominator(request);
        boolean defined = denominator != 0;
        Double loss = null;
        if (request.reduction() != Reduction.NONE && defined) {
            double total = perSample != null ? blas1.dot(n, 1.0, perSample, rowOnes)
                    // sum_i S_i log s_i + sum_ic Q_w,ic (-z_ic): two sums of terms >= 0, no cancellation
                    : blas1.dot(n, 1.0, logRowSum, rowWeight == null ? rowOnes : rowWeight)
                            - blas1.dot((long) n * c, 1.0, weighted, shifted);
            loss = total / denominator;
        }

        // p = e / s. Divisions, not exp(z - log s): the logarithm's rounding would come back multiplied by
        // the weights once the gradient subtracts Q_w from S p (measured: up to the whole float32 tolerance).
        INDArray probabilities = null;
        if (request.outputs().contains(OptionalOutput.PROBABILITIES)) {
            probabilities = matrix("probabilities", type, n, c);
            PreparedOps.divide("probabilities", exp, rowSum, probabilities);
        }
        INDArray gradient = null;
        if (request.outputs().contains(OptionalOutput.GRADIENT) && defined) {
            // dL/dx = ((S / s) e - Q_w) / D
            INDArray scale = column("gradientScale", type, n);
            PreparedOps.divide("gradientScale", rowWeight == null ? rowOnes : rowWeight, rowSum, scale);
            gradient = matrix("gradient", type, n, c);
            PreparedOps.multiply("gradient", exp, scale, gradient);
            blas1.axpy(gradient.length(), -1.0, weighted, gradient);
            if (denominator != 1) {
                blas1.scal(gradient.length(), 1.0 / denominator, gradient);
            }
        }
        boolean smoothedRequested = request.outputs().contains(OptionalOutput.SMOOTHED_TARGETS);

        CrossEntropyResult result;
        if (float64) {
            result = new CrossEntropyResult(null, null, null, null, null, request.batchSize(), c, epsilon,
                    request.reduction(), request.outputs(), backend, request.spatialShape(), Dtype.FLOAT64,
                    new CrossEntropyResult.Float64Outputs(loss,
                            ReusableArrays.doublesOf(perSample),
                            smoothedRequested ? ReusableArrays.doublesOf(targets) : null,
                            ReusableArrays.doublesOf(probabilities),
                            ReusableArrays.doublesOf(gradient)));
        } else {
            if (smoothed == null) {
                smoothed = SmoothedTargets.dense(ReusableArrays.floatsOf(targets));
            }
            result = new CrossEntropyResult(
                    loss == null ? null : (float) (double) loss,
                    ReusableArrays.floatsOf(perSample),
                    smoothedRequested ? smoothed : null,
                    ReusableArrays.floatsOf(probabilities),
                    ReusableArrays.floatsOf(gradient),
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
        // In float32, the values SmoothedTargets reports, so that the returned targets are the ones computed with.
        double on = type == DataType.FLOAT ? (float) (1 - epsilon + epsilon / c) : 1 - epsilon + epsilon / c;
        double off = type == DataType.FLOAT ? (float) (epsilon / c) : epsilon / c;
        INDArray targets = matrix("targets", type, n, c);
        INDArray classIndices = ReusableArrays.copyOf("classIndices", request.classIndices(), n);
        // OneHot writes the "off" value for an index outside [0, C): ignored rows (index -1) are masked after.
        PreparedOps.exec("targets", new INDArray[] {classIndices}, new INDArray[] {targets}, new double[] {on, off},
                () -> new OneHot(classIndices, targets, c, 1, on, off));
        if (hasIgnoredRows) {
            double[] rowMask = new double[n];
            for (int i = 0; i < n; i++) {
                rowMask[i] = request.classIndices()[i] == CrossEntropyRequest.IGNORED ? 0 : 1;
            }
            INDArray mask = ReusableArrays.copyOf("rowMask", rowMask, type, n, 1);
            PreparedOps.multiply("ignoredRows", targets, mask, targets);
        }
        return targets;
    }

    /** q = (1 - eps) t + eps / C. */
    private static INDArray smoothedProbabilities(CrossEntropyRequest request, DataType type) {
        int n = request.rows();
        int c = request.numClasses();
        INDArray targets = type == DataType.DOUBLE
                ? ReusableArrays.copyOf("targets64", request.probabilities64(), n, c)
                : ReusableArrays.copyOf("targets", request.probabilities(), n, c);
        double epsilon = request.epsilon();
        if (epsilon != 0) {
            Level1 blas1 = Nd4j.getBlasWrapper().level1();
            blas1.scal(targets.length(), 1 - epsilon, targets);
            blas1.axpy(targets.length(), epsilon / c, ReusableArrays.ones("elementOnes", type, targets.length()),
                    targets);
        }
        return targets;
    }

    /** matrix_ij -= column_i, as the rank-1 update matrix^T += -1 ones column^T (BLAS ger on the transpose). */
    private static void subtractFromEachRow(String role, INDArray matrix, INDArray column, INDArray classOnes) {
        // ND4J's ger takes the leading dimension from size(0), which is right for column-major arrays only.
        Nd4j.getBlasWrapper().level2().ger('f', -1.0, classOnes, column, ReusableArrays.transposed(role, matrix));
    }

    /** rowSums = alpha matrix ones + beta rowSums. */
    private static void rowSums(String role, INDArray matrix, INDArray classOnes, INDArray rowSums, double alpha,
                                double beta) {
        PreparedOps.exec(role, new INDArray[] {matrix, classOnes}, new INDArray[] {rowSums},
                new double[] {alpha, beta},
                () -> new Mmul(matrix, classOnes, rowSums, alpha, beta, MMulTranspose.allFalse()));
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
