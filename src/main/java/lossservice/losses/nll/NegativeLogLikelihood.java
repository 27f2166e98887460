package lossservice.losses.nll;

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
 * {@code POST /v1/losses/nll}: exactly {@code torch.nn.functional.nll_loss} with class weights, {@code ignore_index}
 * and the three reductions, on inputs [N, C, d1..dk] (k <= 3) taken as they are (nothing checks that they are
 * log-probabilities) and class-index targets [N, d1..dk].
 */
@Component
public class NegativeLogLikelihood implements LossDefinition {

    static final String LOG_PROBABILITIES = "logProbabilities";
    static final String TARGETS = "targets";
    static final String CLASS_WEIGHTS = "classWeights";
    static final String IGNORE_INDEX = "ignoreIndex";
    static final String PER_SAMPLE_LOSS = "perSampleLoss";
    static final String GRADIENT = "gradient";

    static final long DEFAULT_IGNORE_INDEX = -100;

    private static final Signature SIGNATURE = Signature.builder()
            .input(InputSpec.real(LOG_PROBABILITIES, true, Shapes.classScores(3), null, """
                    N x C log-probabilities (N >= 1 rows of C >= 2 numbers), or N x C x d1 .. x dk with k <= 3 and \
                    no empty dimension; rectangular. Any finite numbers in the dtype: they are used as given \
                    (usually `log_softmax` of logits)."""))
            .input(InputSpec.indices(TARGETS, Shapes.withoutClasses(LOG_PROBABILITIES), """
                    Class indices of shape [N, d1..dk]: JSON integers in [0, C), or equal to `ignoreIndex` (2.0 is \
                    rejected). Probabilities are not accepted."""))
            .input(InputSpec.real(CLASS_WEIGHTS, false, Shapes.alongAxis(LOG_PROBABILITIES, 1,
                    "one per class, dimension 1 of the log-probabilities"), Range.atLeast(0).of("a weight"), """
                    C class weights (PyTorch's `weight`, along dimension 1), finite and >= 0. Absent means every \
                    weight is 1."""))
            .scalar(ScalarSpec.integer(IGNORE_INDEX, DEFAULT_IGNORE_INDEX, """
                    Elements whose target equals it contribute nothing (PyTorch's `ignore_index`). Any integer: \
                    negative, a real class (its elements are dropped) or >= C."""))
            .output(OutputSpec.unreduced(PER_SAMPLE_LOSS, Shapes.withoutClasses(LOG_PROBABILITIES), """
                    The loss of every element before reduction, `-w[y] x[y]`, shape [N, d1..dk] (0 for ignored \
                    elements); always returned for reduction "none"."""))
            .output(OutputSpec.optional(GRADIENT, Shapes.like(LOG_PROBABILITIES, true), """
                    d loss / d logProbabilities for the requested reduction (for "none", of the sum of the \
                    per-sample losses): `-w[y]` (divided by the mean's denominator) at each element's target \
                    class, 0 elsewhere; `null` when the loss is undefined."""))
            .build();

    @Override
    public String name() {
        return "nll";
    }

    @Override
    public String title() {
        return "Negative log-likelihood loss";
    }

    @Override
    public String description() {
        return NegativeLogLikelihoodDocs.DESCRIPTION;
    }

    @Override
    public String reference() {
        return "torch.nn.functional.nll_loss(logProbabilities, targets, weight=classWeights,"
                + " ignore_index=ignoreIndex, reduction=reduction)";
    }

    @Override
    public Signature signature() {
        return SIGNATURE;
    }

    @Override
    public List<Example> examples() {
        return NegativeLogLikelihoodDocs.EXAMPLES;
    }

    /** Every target is a class of the input or the ignore index. */
    @Override
    public void validate(LossCall call, Violations violations) {
        int c = call.input(LOG_PROBABILITIES).dimension(1);
        long ignoreIndex = call.integer(IGNORE_INDEX);
        Tensor targets = call.input(TARGETS);
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
        Tensor input = call.input(LOG_PROBABILITIES);
        Tensor targets = call.input(TARGETS);
        long ignoreIndex = call.integer(IGNORE_INDEX);
        int[] classIndices = new int[targets.size()];
        for (int i = 0; i < classIndices.length; i++) {
            long target = targets.getLong(i);
            classIndices[i] = target == ignoreIndex ? NegativeLogLikelihoodKernel.IGNORED : (int) target;
        }
        NegativeLogLikelihoodKernel.Computed computed = NegativeLogLikelihoodKernel.compute(
                new NegativeLogLikelihoodKernel.Inputs(input, classIndices, call.input(CLASS_WEIGHTS),
                        call.reduction() == Reduction.MEAN, call.wants(PER_SAMPLE_LOSS), call.wants(GRADIENT)),
                scratch);

        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(PER_SAMPLE_LOSS)) {
            result.output(PER_SAMPLE_LOSS, computed.perSample().reshape(ClassRows.positions(input.shape())));
        }
        if (call.wants(GRADIENT)) {
            result.output(GRADIENT, computed.gradient());
        }
        return result;
    }
}
