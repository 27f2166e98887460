package lossservice.losses.kldivergence;

/**
 * The reference for the kl-divergence benchmark: {@code T^2 KL(softmax(t / T) || softmax(s / T))} on [N, C] float32
 * logits in plain Java, fused so that each row is finished before the next starts (a max pass over both rows, an
 * exponential pass that keeps {@code exp(z)} of both in two row buffers, and one pass that writes every output of
 * the row). In double, as the service computes (float32 in, float64 maths, each stored value a float). No ND4J.
 */
final class FusedKlDivergence {

    /** The loss (null for "none") and the arrays asked for, row-major. */
    record Result(Float loss, float[] teacherProbabilities, float[] studentProbabilities, float[] perSampleLoss,
                  float[] gradient) {
    }

    private FusedKlDivergence() {
    }

    static Result compute(float[] s, float[] t, int n, int c, double temperature, String reduction,
            boolean wantTeacherProbabilities, boolean wantStudentProbabilities, boolean wantPerSample,
            boolean wantGradient) {
        double denominator = switch (reduction) {
            case "batchmean" -> n;
            case "mean" -> (double) n * c;
            default -> 1.0;
        };
        float[] teacherProbabilities = wantTeacherProbabilities ? new float[n * c] : null;
        float[] studentProbabilities = wantStudentProbabilities ? new float[n * c] : null;
        float[] perSample = wantPerSample || reduction.equals("none") ? new float[n] : null;
        float[] gradient = wantGradient ? new float[n * c] : null;
        double[] studentExp = new double[c];
        double[] teacherExp = new double[c];
        double inverse = 1.0 / temperature;
        double squared = temperature * temperature;
        double gradientScale = temperature / denominator;
        double total = 0;
        for (int i = 0; i < n; i++) {
            int base = i * c;
            float studentMax = s[base];
            float teacherMax = t[base];
            for (int j = 1; j < c; j++) {
                studentMax = Math.max(studentMax, s[base + j]);
                teacherMax = Math.max(teacherMax, t[base + j]);
            }
            double studentSum = 0;
            double teacherSum = 0;
            for (int j = 0; j < c; j++) {
                double es = Math.exp((s[base + j] - studentMax) * inverse);
                double et = Math.exp((t[base + j] - teacherMax) * inverse);
                studentExp[j] = es;
                teacherExp[j] = et;
                studentSum += es;
                teacherSum += et;
            }
            double inverseStudentSum = 1.0 / studentSum;
            double inverseTeacherSum = 1.0 / teacherSum;
            double kl = 0;
            for (int j = 0; j < c; j++) {
                double pt = teacherExp[j] * inverseTeacherSum;
                double ps = studentExp[j] * inverseStudentSum;
                kl += pt * ((t[base + j] - teacherMax) - (s[base + j] - studentMax)) * inverse;
                if (teacherProbabilities != null) {
                    teacherProbabilities[base + j] = (float) pt;
                }
                if (studentProbabilities != null) {
                    studentProbabilities[base + j] = (float) ps;
                }
                if (gradient != null) {
                    gradient[base + j] = (float) (gradientScale * (ps - pt));
                }
            }
            double rowLoss = squared * (kl + Math.log(studentSum / teacherSum));
            if (perSample != null) {
                perSample[i] = (float) rowLoss;
            }
            total += rowLoss;
        }
        Float loss = reduction.equals("none") ? null : (float) (total / denominator);
        if (loss != null && !Float.isFinite(loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new Result(loss, teacherProbabilities, studentProbabilities, perSample, gradient);
    }
}
