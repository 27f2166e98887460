package lossservice.losses.sigmoidfocal;

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
 * {@code POST /v1/losses/sigmoid-focal}: the sigmoid focal loss of RetinaNet exactly as
 * {@code torchvision.ops.sigmoid_focal_loss} computes it, on targets smoothed towards 0.5,
 * {@code t' = t (1 - eps) + eps / 2}, for logits of any shape (1 to 8 dimensions); the mean is over every element.
 */
@Component
public class SigmoidFocal implements LossDefinition {

    static final String LOGITS = "logits";
    static final String TARGETS = "targets";
    static final String ALPHA = "alpha";
    static final String GAMMA = "gamma";
    static final String EPSILON = "epsilon";
    static final String SMOOTHED_TARGETS = "smoothedTargets";
    static final String ELEMENT_LOSS = "elementLoss";
    static final String PROBABILITIES = "probabilities";
    static final String GRADIENT = "gradient";

    static final double DEFAULT_ALPHA = 0.25;
    static final double DEFAULT_GAMMA = 2.0;
    static final double DEFAULT_EPSILON = 0.0;

    /** The most dimensions logits may have. */
    static final int MAX_RANK = 8;

    private static final Signature SIGNATURE = Signature.builder()
            .input(InputSpec.real(LOGITS, true, Shapes.anyShape(MAX_RANK), null, """
                    Logits of any shape of 1 to 8 dimensions, none empty; rectangular, finite in the dtype."""))
            .input(InputSpec.real(TARGETS, true, Shapes.like(LOGITS, true), Range.between(0, 1).of("a target"), """
                    Targets of the logits' shape, each in [0, 1] (JSON 0 and 1 are fine; booleans are not)."""))
            .scalar(ScalarSpec.number(ALPHA, DEFAULT_ALPHA, Range.atMost(1), """
                    The weight of the positive term, <= 1: `alpha t' + (1 - alpha)(1 - t')` weighs each element; \
                    any negative value turns the weighting off (as torchvision's `alpha=-1`)."""))
            .scalar(ScalarSpec.number(GAMMA, DEFAULT_GAMMA, Range.atLeast(0), """
                    The focusing parameter, >= 0: each element's loss is scaled by `(1 - p_t)^gamma`."""))
            .scalar(ScalarSpec.number(EPSILON, DEFAULT_EPSILON, Range.between(0, 1), """
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
        return "sigmoid-focal";
    }

    @Override
    public String title() {
        return "Sigmoid focal loss (RetinaNet) with label smoothing";
    }

    @Override
    public String description() {
        return SigmoidFocalDocs.DESCRIPTION;
    }

    @Override
    public String reference() {
        return "torchvision.ops.sigmoid_focal_loss(logits, targets * (1 - epsilon) + epsilon / 2, alpha=alpha,"
                + " gamma=gamma, reduction=reduction)";
    }

    @Override
    public Signature signature() {
        return SIGNATURE;
    }

    @Override
    public List<Example> examples() {
        return SigmoidFocalDocs.EXAMPLES;
    }

    @Override
    public LossResult compute(LossCall call, Scratch scratch) {
        SigmoidFocalKernel.Computed computed = SigmoidFocalKernel.compute(new SigmoidFocalKernel.Inputs(
                call.input(LOGITS), call.input(TARGETS), call.number(ALPHA), call.number(GAMMA),
                call.number(EPSILON), call.reduction() == Reduction.MEAN, call.wants(SMOOTHED_TARGETS),
                call.wants(ELEMENT_LOSS), call.wants(PROBABILITIES), call.wants(GRADIENT)), scratch);
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
