package lossservice.losses.focal;

import java.util.List;

import lossservice.compute.ClassRows;
import lossservice.compute.Scratch;
import lossservice.json.JsonPointers;
import lossservice.loss.Example;
import lossservice.loss.InputSpec;
import lossservice.loss.LossCall;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossResult;
import lossservice.loss.OutputSpec;
import lossservice.loss.Range;
import lossservice.loss.Reduction;
import lossservice.loss.ScalarSpec;
import lossservice.loss.Shapes;
import lossservice.loss.Signature;
import lossservice.loss.Tensor;
import lossservice.problem.Violations;

import org.springframework.stereotype.Component;

/**
 * {@code POST /v1/losses/focal}: the softmax focal loss with label smoothing,
 * {@code L = - sum_c w_c q_c (1 - p_c)^gamma log p_c}, with cross-entropy's smoothed targets, class weights,
 * {@code ignoreIndex} and denominators, on logits [N, C, d1..dk] (k <= 3) with class indices or probabilities as
 * targets. Gamma 0 is cross-entropy. Smoothing is off by default (epsilon 0).
 */
@Component
public class Focal implements LossDefinition {

    static final String LOGITS = "logits";
    static final String TARGETS = "targets";
    static final String CLASS_WEIGHTS = "classWeights";
    static final String GAMMA = "gamma";
    static final String EPSILON = "epsilon";
    static final String IGNORE_INDEX = "ignoreIndex";
    static final String SMOOTHED_TARGETS = "smoothedTargets";
    static final String PER_SAMPLE_LOSS = "perSampleLoss";
    static final String PROBABILITIES = "probabilities";
    static final String GRADIENT = "gradient";

    static final double DEFAULT_GAMMA = 2.0;
    static final double DEFAULT_EPSILON = 0.0;
    static final long DEFAULT_IGNORE_INDEX = -100;

    private static final Signature SIGNATURE = Signature.builder()
            .input(InputSpec.real(LOGITS, true, Shapes.classScores(3), null, """
                    N x C logits (N >= 1 rows of C >= 2 numbers), or N x C x d1 .. x dk with k <= 3 and no empty \
                    dimension; rectangular. Each value must be finite in the dtype (1e39 only in float64)."""))
            .input(InputSpec.indicesOrProbabilities(TARGETS, Shapes.withoutClasses(LOGITS), Shapes.like(LOGITS, true),
                    """
                    Class indices of shape [N, d1..dk] (JSON integers in [0, C), or equal to `ignoreIndex`; 2.0 is \
                    rejected), or probabilities ("soft targets") of the logits' shape, finite and >= 0, which need \
                    not sum to 1; the nesting depth tells them apart."""))
            .input(InputSpec.real(CLASS_WEIGHTS, false, Shapes.alongAxis(LOGITS, 1,
                    "one per class, dimension 1 of the logits"), Range.atLeast(0).of("a weight"), """
                    C class weights (along dimension 1 of the logits), finite and >= 0, weighing every class's \
                    term as in cross-entropy. Absent means every weight is 1."""))
            .scalar(ScalarSpec.number(GAMMA, DEFAULT_GAMMA, Range.atLeast(0), """
                    The focusing parameter, >= 0: each class's term is scaled by `(1 - p)^gamma`. 0 gives \
                    cross-entropy."""))
            .scalar(ScalarSpec.number(EPSILON, DEFAULT_EPSILON, Range.between(0, 1), """
                    Label-smoothing factor, in [0, 1] (default 0: no smoothing, unlike cross-entropy)."""))
            .scalar(ScalarSpec.integer(IGNORE_INDEX, DEFAULT_IGNORE_INDEX, """
                    Elements whose target equals it contribute nothing. Any integer: negative, a real class (its \
                    elements are dropped) or >= C. With probability targets only -100 is allowed."""))
            .output(OutputSpec.byDefault(SMOOTHED_TARGETS, Shapes.like(LOGITS, true), """
                    `(1 - eps) * onehot + eps / C`, or `(1 - eps) * t + eps / C` for probability targets; ignored \
                    elements are all 0. The logits' shape."""))
            .output(OutputSpec.unreduced(PER_SAMPLE_LOSS, Shapes.withoutClasses(LOGITS), """
                    The loss of every element before reduction, shape [N, d1..dk] (0 for ignored elements); \
                    always returned for reduction "none"."""))
            .output(OutputSpec.optional(PROBABILITIES, Shapes.like(LOGITS, true), """
                    The softmax of the logits along dimension 1 (ignored elements included)."""))
            .output(OutputSpec.optional(GRADIENT, Shapes.like(LOGITS, true), """
                    d loss / d logits for the requested reduction (for "none", of the sum of the per-sample \
                    losses; 0 for ignored elements); `null` when the loss is undefined."""))
            .build();

    @Override
    public String name() {
        return "focal";
    }

    @Override
    public String title() {
        return "Softmax focal loss with label smoothing";
    }

    @Override
    public String description() {
        return FocalDocs.DESCRIPTION;
    }

    @Override
    public String reference() {
        return "-(w * q * (1 - p) ** gamma * torch.log_softmax(logits, 1)).sum(1) with p = softmax(logits, 1), the"
                + " smoothed targets q, class weights w along dimension 1 and the reductions of"
                + " torch.nn.functional.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex,"
                + " reduction=reduction, label_smoothing=epsilon)";
    }

    @Override
    public Signature signature() {
        return SIGNATURE;
    }

    @Override
    public List<Example> examples() {
        return FocalDocs.EXAMPLES;
    }

    @Override
    public void validate(LossCall call, Violations violations) {
        int c = call.input(LOGITS).dimension(1);
        Tensor targets = call.input(TARGETS);
        long ignoreIndex = call.integer(IGNORE_INDEX);
        if (targets.dtype().isFloatingPoint()) {
            if (ignoreIndex != DEFAULT_IGNORE_INDEX) {
                violations.add("/" + IGNORE_INDEX, "must be " + DEFAULT_IGNORE_INDEX
                        + " (the default) with probability targets, found " + ignoreIndex);
            }
            return;
        }
        int[] targetShape = targets.shape();
        for (int i = 0; i < targets.size(); i++) {
            long target = targets.getLong(i);
            if (target != ignoreIndex && (target < 0 || target >= c)) {
                violations.add(JsonPointers.ofElement("/" + TARGETS, targetShape, i), "class index " + target
                        + " is outside [0, " + c + ") and is not the ignoreIndex (" + ignoreIndex + ")");
            }
        }
    }

    @Override
    public LossResult compute(LossCall call, Scratch scratch) {
        Tensor logits = call.input(LOGITS);
        int[] shape = logits.shape();
        Tensor targets = call.input(TARGETS);
        int[] classIndices = null;
        Tensor probabilities = null;
        if (targets.dtype().isFloatingPoint()) {
            probabilities = ClassRows.toRows(targets);
        } else {
            long ignoreIndex = call.integer(IGNORE_INDEX);
            classIndices = new int[targets.size()];
            for (int i = 0; i < classIndices.length; i++) {
                long target = targets.getLong(i);
                classIndices[i] = target == ignoreIndex ? FocalKernel.IGNORED : (int) target;
            }
        }
        FocalKernel.Computed computed = FocalKernel.compute(new FocalKernel.Rows(ClassRows.toRows(logits),
                classIndices, probabilities, call.input(CLASS_WEIGHTS), call.number(GAMMA), call.number(EPSILON),
                call.reduction() == Reduction.MEAN, call.wants(SMOOTHED_TARGETS), call.wants(PROBABILITIES),
                call.wants(GRADIENT)), scratch);

        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(PER_SAMPLE_LOSS)) {
            result.output(PER_SAMPLE_LOSS, computed.perSample().reshape(ClassRows.positions(shape)));
        }
        if (call.wants(SMOOTHED_TARGETS)) {
            result.output(SMOOTHED_TARGETS, ClassRows.fromRows(computed.smoothedTargets(), shape));
        }
        if (call.wants(PROBABILITIES)) {
            result.output(PROBABILITIES, ClassRows.fromRows(computed.probabilities(), shape));
        }
        if (call.wants(GRADIENT)) {
            result.output(GRADIENT, computed.gradient() == null ? null
                    : ClassRows.fromRows(computed.gradient(), shape));
        }
        return result;
    }
}
