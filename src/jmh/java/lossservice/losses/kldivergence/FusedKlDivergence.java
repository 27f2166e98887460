package lossservice.losses.kldivergence;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import lossservice.bench.FusedLoss;
import lossservice.bench.ReferenceCheck;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.loss.Reduction;
import lossservice.loss.Tensor;

/**
 * The reference of the kl-divergence compute benchmark: {@code T^2 KL(softmax(t / T) || softmax(s / T))} (every
 * reduction, both probabilities, per-position losses, gradient) in plain Java on float32 logits [N, C, d1..dk],
 * fused so that each position is finished before the next starts: a max pass over both inputs' C logits, an
 * exponential pass that keeps {@code exp((x - max) / T)} of both in two buffers, and one pass that writes every
 * output of the position. In double, as the service computes (float32 in, float64 maths, each stored value a
 * float). No ND4J.
 *
 * <pre>
 *   KL = sum_c pt (zt - zs) + log(Ss / St),   z = (x - max x) / T,  S = sum_c exp(z),  p = exp(z) / S
 *   L  = T^2 KL,   dL/ds = T (ps - pt) / D   (D = N for batchmean, N C d1..dk for mean, else 1)
 * </pre>
 *
 * <p>{@code main} checks it against the ND4J path on the benchmark payloads, K-dimensional logits, +-1e4 logits and
 * every reduction.
 */
public final class FusedKlDivergence implements FusedLoss {

    /**
     * One computation.
     *
     * @param student  N x C x spatial, row-major
     * @param teacher  N x C x spatial, row-major
     */
    public record Positions(int n, int c, int spatial, float[] student, float[] teacher, double temperature,
                            double denominator, boolean wantTeacherProbabilities, boolean wantStudentProbabilities,
                            boolean wantPerSample, boolean wantGradient) {
    }

    /** The sum divided by the denominator, and each output asked for, else null. */
    public record Computed(double loss, float[] teacherProbabilities, float[] studentProbabilities,
                           float[] perSampleLoss, float[] gradient) {
    }

    public static Computed compute(Positions in) {
        int c = in.c();
        int spatial = in.spatial();
        int size = in.student().length;
        float[] s = in.student();
        float[] t = in.teacher();
        float[] teacherProbabilities = in.wantTeacherProbabilities() ? new float[size] : null;
        float[] studentProbabilities = in.wantStudentProbabilities() ? new float[size] : null;
        float[] perSample = in.wantPerSample() ? new float[in.n() * spatial] : null;
        float[] gradient = in.wantGradient() ? new float[size] : null;
        double[] studentExp = new double[c];
        double[] teacherExp = new double[c];
        double inverse = 1.0 / in.temperature();
        double squared = in.temperature() * in.temperature();
        double gradientScale = in.temperature() / in.denominator();
        double total = 0;
        for (int sample = 0; sample < in.n(); sample++) {
            for (int e = 0; e < spatial; e++) {
                int base = sample * c * spatial + e;
                float studentMax = s[base];
                float teacherMax = t[base];
                for (int j = 1, at = base + spatial; j < c; j++, at += spatial) {
                    studentMax = Math.max(studentMax, s[at]);
                    teacherMax = Math.max(teacherMax, t[at]);
                }
                double studentSum = 0;
                double teacherSum = 0;
                for (int j = 0, at = base; j < c; j++, at += spatial) {
                    double es = Math.exp((s[at] - (double) studentMax) * inverse);
                    double et = Math.exp((t[at] - (double) teacherMax) * inverse);
                    studentExp[j] = es;
                    teacherExp[j] = et;
                    studentSum += es;
                    teacherSum += et;
                }
                double inverseStudentSum = 1.0 / studentSum;
                double inverseTeacherSum = 1.0 / teacherSum;
                double kl = 0;
                for (int j = 0, at = base; j < c; j++, at += spatial) {
                    double pt = teacherExp[j] * inverseTeacherSum;
                    double ps = studentExp[j] * inverseStudentSum;
                    kl += pt * ((t[at] - (double) teacherMax) - (s[at] - (double) studentMax)) * inverse;
                    if (teacherProbabilities != null) {
                        teacherProbabilities[at] = (float) pt;
                    }
                    if (studentProbabilities != null) {
                        studentProbabilities[at] = (float) ps;
                    }
                    if (gradient != null) {
                        gradient[at] = (float) (gradientScale * (ps - pt));
                    }
                }
                double loss = squared * (kl + Math.log(studentSum / teacherSum));
                if (perSample != null) {
                    perSample[sample * spatial + e] = (float) loss;
                }
                total += loss;
            }
        }
        double loss = total / in.denominator();
        if (!Float.isFinite((float) loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new Computed(loss, teacherProbabilities, studentProbabilities, perSample, gradient);
    }

    @Override
    public LossResult compute(LossCall call) {
        Tensor student = call.input(KlDivergence.STUDENT_LOGITS);
        int[] shape = student.shape();
        int spatial = student.size() / (shape[0] * shape[1]);
        double denominator = switch (call.reduction()) {
            case BATCH_MEAN -> shape[0];
            case MEAN -> student.size();
            default -> 1.0;
        };
        Computed computed = compute(new Positions(shape[0], shape[1], spatial, FusedLoss.floats(student),
                FusedLoss.floats(call.input(KlDivergence.TEACHER_LOGITS)), call.number(KlDivergence.TEMPERATURE),
                denominator, call.wants(KlDivergence.TEACHER_PROBABILITIES),
                call.wants(KlDivergence.STUDENT_PROBABILITIES), call.wants(KlDivergence.PER_SAMPLE_LOSS),
                call.wants(KlDivergence.GRADIENT)));
        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(KlDivergence.TEACHER_PROBABILITIES)) {
            result.output(KlDivergence.TEACHER_PROBABILITIES, FusedLoss.tensor(computed.teacherProbabilities(),
                    shape));
        }
        if (call.wants(KlDivergence.STUDENT_PROBABILITIES)) {
            result.output(KlDivergence.STUDENT_PROBABILITIES, FusedLoss.tensor(computed.studentProbabilities(),
                    shape));
        }
        if (call.wants(KlDivergence.PER_SAMPLE_LOSS)) {
            int[] positions = new int[shape.length - 1];
            positions[0] = shape[0];
            System.arraycopy(shape, 2, positions, 1, shape.length - 2);
            result.output(KlDivergence.PER_SAMPLE_LOSS, FusedLoss.tensor(computed.perSampleLoss(), positions));
        }
        if (call.wants(KlDivergence.GRADIENT)) {
            result.output(KlDivergence.GRADIENT, FusedLoss.tensor(computed.gradient(), shape));
        }
        return result;
    }

    /** Checks this reference against the ND4J path ({@link ReferenceCheck#check}). */
    public static void main(String[] args) {
        String all = ",\"include\":[\"teacherProbabilities\",\"studentProbabilities\",\"perSampleLoss\",\"gradient\"]}";
        Map<String, String> requests = new LinkedHashMap<>();
        for (String size : new String[] {"2x10", "32x1000", "256x1000"}) {
            requests.put("benchmark payload " + size, new String(KlDivergenceComputeBenchmark.distillation(size),
                    StandardCharsets.UTF_8));
        }
        requests.put("+-1e4 logits, temperature 1, sum",
                "{\"studentLogits\":[[1e4,-1e4,0],[-1e4,1e4,5]],\"teacherLogits\":[[-1e4,1e4,0],[0,1e4,-1e4]],"
                + "\"reduction\":\"sum\"" + all);
        requests.put("segmentation 2x3x2x2, temperature 3, mean",
                "{\"studentLogits\":[[[[1,2],[0.5,-3]],[[0.1,4],[-2,0.2]],[[3,-0.3],[1.5,1]]],"
                + "[[[0.7,-1.1],[2.5,0.9]],[[-1.3,0.6],[0.4,2.2]],[[2.1,-1.7],[0.8,-1.9]]]],"
                + "\"teacherLogits\":[[[[0,1],[1.5,-2]],[[1.1,3],[-1,1.2]],[[2,-1.3],[0.5,2]]],"
                + "[[[1.7,-0.1],[1.5,1.9]],[[-0.3,1.6],[1.4,1.2]],[[1.1,-0.7],[1.8,-0.9]]]],"
                + "\"temperature\":3,\"reduction\":\"mean\"" + all);
        requests.put("sequence 2x4x3, temperature 0.5, none",
                "{\"studentLogits\":[[[1,2,3],[0,1,0],[2,2,2],[-1,0,1]],[[3,2,1],[1,1,1],[0,0,5],[2,-2,0]]],"
                + "\"teacherLogits\":[[[0,2,1],[1,1,0],[2,0,2],[1,0,-1]],[[1,2,3],[0,1,1],[5,0,0],[0,-2,2]]],"
                + "\"temperature\":0.5,\"reduction\":\"none\"" + all);
        ReferenceCheck.check(new KlDivergence(), new FusedKlDivergence(), requests);
    }
}
