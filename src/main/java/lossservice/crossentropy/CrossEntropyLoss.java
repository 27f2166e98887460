package lossservice.crossentropy;

import lossservice.problem.ResultOutOfRangeException;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Cross-entropy with label smoothing, class weights and ignored rows, exactly as
 * {@code torch.nn.functional.cross_entropy}, computed with ND4J in float32.
 *
 * <p>Both kinds of target become one target matrix T (one-hot rows for class indices, all-zero rows for
 * ignored ones; the probabilities themselves otherwise) and one formula serves both:
 * <pre>
 *   l  = log_softmax(x)            (max-shifted, so logits of 1e30 stay finite)
 *   q  = (1 - eps) T + (eps / C) r (r = 1 for a row that is not ignored)
 *   L_i = - sum_c w_c q_ic l_ic
 *   dL_i/dx_ij = (sum_c w_c q_ic) p_ij - w_j q_ij
 * </pre>
 * The mean divides by D = sum over non-ignored rows of w[y_i] for class indices (PyTorch divides both the
 * target and the smoothing term by it) and by N for probabilities, weights or not.
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
        float epsilon = (float) request.epsilon();

        INDArray logits = Nd4j.create(request.logits(), new long[] {n, c}, DataType.FLOAT);
        INDArray shifted = logits.subiColumnVector(logits.max(true, 1));
        INDArray probabilities = Transforms.exp(shifted, true);
        INDArray rowSums = probabilities.sum(true, 1);
        probabilities.diviColumnVector(rowSums);
        INDArray logSoftmax = shifted.subiColumnVector(Transforms.log(rowSums, false));

        INDArray targets;
        INDArray rowMask;
        if (request.hasIndexTargets()) {
            // Ignored rows carry index -1, which OneHot turns into an all-zero row.
            targets = Nd4j.exec(new OneHot(Nd4j.createFromArray(request.classIndices()), c, 1, 1.0, 0.0,
                    DataType.FLOAT))[0];
            rowMask = targets.sum(true, 1);
        } else {
            targets = Nd4j.create(request.probabilities(), new long[] {n, c}, DataType.FLOAT);
            rowMask = null;
        }
        INDArray smoothed = targets.mul(1 - epsilon);
        if (epsilon != 0) {
            if (rowMask == null) {
                smoothed.addi(epsilon / c);
            } else {
                smoothed.addiColumnVector(rowMask.mul(epsilon / c));
            }
        }
        INDArray weights = request.classWeights() == null ? null : Nd4j.create(request.classWeights(), new long[] {1, c},
                DataType.FLOAT);
        INDArray weighted = weights == null ? smoothed : smoothed.mulRowVector(weights);
        // 0 - sum rather than negation: an ignored row sums to -0.0, which should read 0.
        INDArray perSample = weighted.mul(logSoftmax).sum(1).rsubi(0.0);

        double denominator = switch (request.reduction()) {
            case MEAN -> !request.hasIndexTargets() ? n
                    : weights == null ? rowMask.sumNumber().doubleValue()
                    : targets.mulRowVector(weights).sumNumber().doubleValue();
            case SUM, NONE -> 1.0;
        };
        boolean defined = denominator != 0;
        Float loss = request.reduction() == Reduction.NONE || !defined ? null
                : (float) (perSample.sumNumber().doubleValue() / denominator);

        float[] gradient = null;
        if (request.outputs().contains(OptionalOutput.GRADIENT) && defined) {
            INDArray gradientArray = probabilities.mulColumnVector(weighted.sum(true, 1)).subi(weighted);
            if (denominator != 1.0) {
                gradientArray.divi(denominator);
            }
            gradient = toFloats(gradientArray);
        }

        CrossEntropyResult result = new CrossEntropyResult(
                loss,
                request.outputs().contains(OptionalOutput.PER_SAMPLE_LOSS) ? toFloats(perSample) : null,
                request.outputs().contains(OptionalOutput.SMOOTHED_TARGETS) ? toFloats(smoothed) : null,
                request.outputs().contains(OptionalOutput.PROBABILITIES) ? toFloats(probabilities) : null,
                gradient,
                n, c, request.epsilon(), request.reduction(), request.outputs(), backend);
        requireFinite(result);
        return result;
    }

    /** Copies an array's values out of ND4J's off-heap memory, row-major. */
    private static float[] toFloats(INDArray array) {
        INDArray contiguous = array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
        return contiguous.data().asFloat();
    }

    /** JSON has no NaN or infinity: results that overflow float32 are refused rather than sent. */
    private static void requireFinite(CrossEntropyResult result) {
        if (result.loss() != null && !Float.isFinite(result.loss())
                || !allFinite(result.perSampleLoss()) || !allFinite(result.smoothedTargets())
                || !allFinite(result.probabilities()) || !allFinite(result.gradient())) {
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
