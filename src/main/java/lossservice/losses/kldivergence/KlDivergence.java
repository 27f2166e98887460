package lossservice.losses.kldivergence;

import java.util.List;

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

import org.springframework.stereotype.Component;

/**
 * {@code POST /v1/losses/kl-divergence}: knowledge distillation, the KL divergence of the student's tempered
 * softmax from the teacher's times T^2 (Hinton et al.), exactly
 * {@code F.kl_div(F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), reduction, log_target=True) * T**2}, on logits
 * [N, C, d1..dk] (k <= 3) with {@code batchmean} by default.
 */
@Component
public class KlDivergence implements LossDefinition {

    static final String STUDENT_LOGITS = "studentLogits";
    static final String TEACHER_LOGITS = "teacherLogits";
    static final String TEMPERATURE = "temperature";
    static final String TEACHER_PROBABILITIES = "teacherProbabilities";
    static final String STUDENT_PROBABILITIES = "studentProbabilities";
    static final String PER_SAMPLE_LOSS = "perSampleLoss";
    static final String GRADIENT = "gradient";

    private static final Signature SIGNATURE = Signature.builder()
            .input(InputSpec.real(STUDENT_LOGITS, true, Shapes.classScores(3), null, """
                    The student's logits, N x C (N >= 1 rows of C >= 2 numbers) or N x C x d1 .. x dk with k <= 3 \
                    and no empty dimension; rectangular, finite in the dtype. The gradient is taken with respect \
                    to them."""))
            .input(InputSpec.real(TEACHER_LOGITS, true, Shapes.like(STUDENT_LOGITS, false), null, """
                    The teacher's logits, exactly the student's shape; finite in the dtype."""))
            .scalar(ScalarSpec.number(TEMPERATURE, 1.0, Range.above(0), """
                    The distillation temperature T > 0: both softmaxes are taken of the logits divided by T, and \
                    the divergence is multiplied by T^2 (so the gradient scales with T)."""))
            .reductions(Reduction.BATCH_MEAN, Reduction.MEAN, Reduction.SUM, Reduction.NONE)
            .output(OutputSpec.byDefault(TEACHER_PROBABILITIES, Shapes.like(STUDENT_LOGITS, true), """
                    `softmax(teacherLogits / T)` along dimension 1, the logits' shape."""))
            .output(OutputSpec.optional(STUDENT_PROBABILITIES, Shapes.like(STUDENT_LOGITS, true), """
                    `softmax(studentLogits / T)` along dimension 1, the logits' shape."""))
            .output(OutputSpec.unreduced(PER_SAMPLE_LOSS, Shapes.withoutClasses(STUDENT_LOGITS), """
                    T^2 times the KL divergence of each position, summed over the classes: shape [N, d1..dk]; \
                    always returned for reduction "none"."""))
            .output(OutputSpec.optional(GRADIENT, Shapes.like(STUDENT_LOGITS, true), """
                    d loss / d studentLogits for the requested reduction (for "none", of the sum of the \
                    per-sample losses): `T (softmax(s / T) - softmax(t / T))`, divided by N for "batchmean" and \
                    by the element count for "mean"."""))
            .build();

    @Override
    public String name() {
        return "kl-divergence";
    }

    @Override
    public String title() {
        return "KL divergence for knowledge distillation, with temperature";
    }

    @Override
    public String description() {
        return KlDivergenceDocs.DESCRIPTION;
    }

    @Override
    public String reference() {
        return "torch.nn.functional.kl_div(torch.nn.functional.log_softmax(studentLogits / temperature, 1),"
                + " torch.nn.functional.log_softmax(teacherLogits / temperature, 1), reduction=reduction,"
                + " log_target=True) * temperature ** 2";
    }

    @Override
    public Signature signature() {
        return SIGNATURE;
    }

    @Override
    public List<Example> examples() {
        return KlDivergenceDocs.EXAMPLES;
    }

    @Override
    public LossResult compute(LossCall call, Scratch scratch) {
        Tensor student = call.input(STUDENT_LOGITS);
        int[] shape = student.shape();
        double denominator = switch (call.reduction()) {
            case BATCH_MEAN -> shape[0];
            case MEAN -> student.size();
            default -> 1.0;
        };
        KlDivergenceKernel.Computed computed = KlDivergenceKernel.compute(new KlDivergenceKernel.Rows(
                ClassRows.toRows(student), ClassRows.toRows(call.input(TEACHER_LOGITS)), call.number(TEMPERATURE),
                denominator, call.wants(TEACHER_PROBABILITIES), call.wants(STUDENT_PROBABILITIES),
                call.wants(PER_SAMPLE_LOSS), call.wants(GRADIENT)), scratch);

        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(TEACHER_PROBABILITIES)) {
            result.output(TEACHER_PROBABILITIES, ClassRows.fromRows(computed.teacherProbabilities(), shape));
        }
        if (call.wants(STUDENT_PROBABILITIES)) {
            result.output(STUDENT_PROBABILITIES, ClassRows.fromRows(computed.studentProbabilities(), shape));
        }
        if (call.wants(PER_SAMPLE_LOSS)) {
            result.output(PER_SAMPLE_LOSS, computed.perSample().reshape(ClassRows.positions(shape)));
        }
        if (call.wants(GRADIENT)) {
            result.output(GRADIENT, ClassRows.fromRows(computed.gradient(), shape));
        }
        return result;
    }
}
