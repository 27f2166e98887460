package lossservice.losses.crossentropy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lossservice.compute.ClassRows;
import lossservice.compute.Scratch;
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
import lossservice.json.JsonPointers;

import org.springframework.stereotype.Component;

/**
 * {@code POST /v1/losses/cross-entropy}: exactly {@code torch.nn.functional.cross_entropy} with label smoothing,
 * class weights, {@code ignore_index} and the three reductions, on logits [N, C, d1..dk] (k <= 3) with class
 * indices or probabilities as targets; smoothing is on by default (epsilon 0.1), as in the seed
 * {@code LabelSmoothingLoss}.
 */
@Component
public class CrossEntropy implements LossDefinition {

    static final String LOGITS = "logits";
    static final String TARGETS = "targets";
    static final String CLASS_WEIGHTS = "classWeights";
    static final String EPSILON = "epsilon";
    static final String LABEL_SMOOTH = "labelSmooth";
    static final String NUM_CLASSES = "numClasses";
    static final String IGNORE_INDEX = "ignoreIndex";
    static final String SMOOTHED_TARGETS = "smoothedTargets";
    static final String PER_SAMPLE_LOSS = "perSampleLoss";
    static final String PROBABILITIES = "probabilities";
    static final String GRADIENT = "gradient";

    static final double DEFAULT_EPSILON = 0.1;
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
                    C class weights (PyTorch's `weight`, along dimension 1 of the logits), finite and >= 0. \
                    Absent means every weight is 1."""))
            .scalar(ScalarSpec.number(EPSILON, DEFAULT_EPSILON, Range.between(0, 1), """
                    Label-smoothing factor, in [0, 1]; validated even when `labelSmooth` is false. The response \
                    gives the effective one."""))
            .scalar(ScalarSpec.flag(LABEL_SMOOTH, true, """
                    `false` makes the effective epsilon 0 (the `label_smooth` flag of the seed class).""")
                    .notEchoed())
            .scalar(ScalarSpec.integer(NUM_CLASSES, null, """
                    The number of classes. When present it must equal C, dimension 1 of the logits (the \
                    `num_classes` of the seed class). No default: C is taken from the logits.""").notEchoed())
            .scalar(ScalarSpec.integer(IGNORE_INDEX, DEFAULT_IGNORE_INDEX, """
                    Elements whose target equals it contribute nothing (PyTorch's `ignore_index`). Any integer: \
                    negative, a real class (its elements are dropped) or >= C. With probability targets only -100 \
                    is allowed.""").notEchoed())
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
        return "cross-entropy";
    }

    @Override
    public String title() {
        return "Cross-entropy loss with label smoothing";
    }

    @Override
    public String description() {
        return CrossEntropyDocs.DESCRIPTION;
    }

    @Override
    public String reference() {
        return "torch.nn.functional.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex,"
                + " reduction=reduction, label_smoothing=epsilon if labelSmooth else 0)";
    }

    @Override
    public Signature signature() {
        return SIGNATURE;
    }

    @Override
    public List<Example> examples() {
        return CrossEntropyDocs.EXAMPLES;
    }

    @Override
    public void validate(LossCall call, Violations violations) {
        int[] shape = call.input(LOGITS).shape();
        int c = shape[1];
        Long numClasses = call.integer(NUM_CLASSES);
        if (numClasses != null && numClasses != c) {
            violations.add("/" + NUM_CLASSES, "must equal the number of classes in logits (" + c + ", dimension 1),"
                    + " found " + numClasses);
        }
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

    private static final List<ScalarSpec> ECHO_FIELDS = List.of(
            ScalarSpec.integer("batchSize", null, "N, the batch size (dimension 0 of the logits)."),
            ScalarSpec.integer("numClasses", null, "C, the number of classes (dimension 1 of the logits)."),
            ScalarSpec.number(EPSILON, DEFAULT_EPSILON, Range.between(0, 1),
                    "The effective epsilon: `epsilon`, or 0 when `labelSmooth` is false."));

    @Override
    public List<ScalarSpec> echoFields() {
        return ECHO_FIELDS;
    }

    /** The batch size and class count, and the effective epsilon (0 when label smoothing is off). */
    @Override
    public Map<String, Object> echoes(LossCall call) {
        int[] shape = call.input(LOGITS).shape();
        Map<String, Object> echoes = new LinkedHashMap<>();
        echoes.put("batchSize", shape[0]);
        echoes.put("numClasses", shape[1]);
        echoes.put(EPSILON, effectiveEpsilon(call));
        return echoes;
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
                classIndices[i] = target == ignoreIndex ? CrossEntropyKernel.IGNORED : (int) target;
            }
        }
        CrossEntropyKernel.Computed computed = CrossEntropyKernel.compute(new CrossEntropyKernel.Rows(
                ClassRows.toRows(logits), classIndices, probabilities, call.input(CLASS_WEIGHTS),
                effectiveEpsilon(call), call.reduction() == Reduction.MEAN, call.wants(SMOOTHED_TARGETS),
                call.wants(PROBABILITIES), call.wants(GRADIENT)), scratch);

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

    /** Label smoothing switched off means epsilon 0, whatever epsilon says. */
    private static double effectiveEpsilon(LossCall call) {
        return call.flag(LABEL_SMOOTH) ? call.number(EPSILON) : 0.0;
    }
}
