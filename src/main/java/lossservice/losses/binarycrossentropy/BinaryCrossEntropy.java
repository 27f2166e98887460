package lossservice.losses.binarycrossentropy;

import java.util.List;

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

import org.springframework.stereotype.Component;

/**
 * {@code POST /v1/losses/binary-cross-entropy}: {@code torch.nn.functional.binary_cross_entropy_with_logits} on
 * targets smoothed towards 0.5, {@code t' = t (1 - eps) + eps / 2}, for logits of any shape (1 to 8 dimensions),
 * with per-position {@code posWeight} and {@code classWeights} along the last dimension.
 */
@Component
public class BinaryCrossEntropy implements LossDefinition {

    static final String LOGITS = "logits";
    static final String TARGETS = "targets";
    static final String POS_WEIGHT = "posWeight";
    static final String CLASS_WEIGHTS = "classWeights";
    static final String EPSILON = "epsilon";
    static final String SMOOTHED_TARGETS = "smoothedTargets";
    static final String ELEMENT_LOSS = "elementLoss";
    static final String PROBABILITIES = "probabilities";
    static final String GRADIENT = "gradient";

    /** The most dimensions logits may have. */
    static final int MAX_RANK = 8;

    private static final String ALONG_LAST = "one per position of the last dimension of the logits";

    private static final Signature SIGNATURE = Signature.builder()
            .input(InputSpec.real(LOGITS, true, Shapes.anyShape(MAX_RANK), null, """
                    Logits of any shape of 1 to 8 dimensions, none empty; rectangular, finite in the dtype."""))
            .input(InputSpec.real(TARGETS, true, Shapes.like(LOGITS, true), Range.between(0, 1).of("a target"), """
                    Targets of the logits' shape, each in [0, 1] (JSON 0 and 1 are fine; booleans are not)."""))
            .input(InputSpec.real(POS_WEIGHT, false, Shapes.alongAxis(LOGITS, -1, ALONG_LAST),
                    Range.atLeast(0).of("a weight"), """
                    PyTorch's `pos_weight`: L numbers >= 0 (L = the length of the last dimension), weighing the \
                    positive term of each position of the last dimension."""))
            .input(InputSpec.real(CLASS_WEIGHTS, false, Shapes.alongAxis(LOGITS, -1, ALONG_LAST),
                    Range.atLeast(0).of("a weight"), """
                    PyTorch's `weight`: L numbers >= 0, weighing the whole loss of each position of the last \
                    dimension."""))
            .scalar(ScalarSpec.number(EPSILON, 0.0, Range.between(0, 1), """
                    Label smoothing towards 0.5, in [0, 1]: `t' = t (1 - epsilon) + epsilon / 2`."""))
            .output(OutputSpec.byDefault(SMOOTHED_TARGETS, Shapes.like(LOGITS, true),
                    "The smoothed targets `t'`, the logits' shape."))
            .output(OutputSpec.unreduced(ELEMENT_LOSS, Shapes.like(LOGITS, true), """
                    The loss of every element before reduction, the logits' shape; always returned for reduction \
                    "none"."""))
            .output(OutputSpec.optional(PROBABILITIES, Shapes.like(LOGITS, true), "sigmoid(logits)."))
            .output(OutputSpec.optional(GRADIENT, Shapes.like(LOGITS, true), """
                    d loss / d logits for the requested reduction (for "none", of the sum of the element \
                    losses)."""))
            .build();

    @Override
    public String name() {
        return "binary-cross-entropy";
    }

    @Override
    public String title() {
        return "Binary cross-entropy on logits with label smoothing";
    }

    @Override
    public String description() {
        return BinaryCrossEntropyDocs.DESCRIPTION;
    }

    @Override
    public String reference() {
        return "torch.nn.functional.binary_cross_entropy_with_logits(logits, targets * (1 - epsilon) + epsilon / 2,"
                + " weight=classWeights, pos_weight=posWeight, reduction=reduction)";
    }

    @Override
    public Signature signature() {
        return SIGNATURE;
    }

    @Override
    public List<Example> examples() {
        return BinaryCrossEntropyDocs.EXAMPLES;
    }

    @Override
    public LossResult compute(LossCall call, Scratch scratch) {
        BinaryCrossEntropyKernel.Computed computed = BinaryCrossEntropyKernel.compute(
                new BinaryCrossEntropyKernel.Inputs(call.input(LOGITS), call.input(TARGETS), call.input(POS_WEIGHT),
                        call.input(CLASS_WEIGHTS), call.number(EPSILON), call.reduction() == Reduction.MEAN,
                        call.wants(SMOOTHED_TARGETS), call.wants(ELEMENT_LOSS), call.wants(PROBABILITIES),
                        call.wants(GRADIENT)), scratch);
        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(ELEMENT_LOSS)) {
            result.output(ELEMENT_LOSS, computed.elementLoss());
        }
        if (call.wants(SMOOTHED_TARGETS)) {
            result.output(SMOOTHED_TARGETS, computed.smoothedTargets());
        }
        if (call.wants(PROBABILITIES)) {
            result.output(PROBABILITIES, computed.probabilities());
        }
        if (call.wants(GRADIENT)) {
            result.output(GRADIENT, computed.gradient());
        }
        return result;
    }
}
