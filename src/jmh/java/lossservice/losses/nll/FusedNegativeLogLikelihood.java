package lossservice.losses.nll;

/**
 * The reference for the nll benchmark: {@code F.nll_loss} on [N, C] float32 log-probabilities in plain Java, one
 * pass over the rows after the denominator (which depends only on the targets and weights), products and sums in
 * double as the service computes them, each stored value a float. No ND4J.
 */
final class FusedNegativeLogLikelihood {

    /** The loss (null for "none" and for an undefined mean) and the arrays asked for. */
    record Result(Float loss, float[] perSampleLoss, float[] gradient) {
    }

    private FusedNegativeLogLikelihood() {
    }

    /**
     * @param x        N x C, row-major
     * @param targets  N class indices
     * @param weights  C class weights, or null
     */
    static Result compute(float[] x, int n, int c, long[] targets, float[] weights, long ignoreIndex, String reduction,
            boolean wantPerSample, boolean wantGradient) {
        double denominator = 1.0;
        if (reduction.equals("mean")) {
            denominator = 0;
            for (long target : targets) {
                if (target != ignoreIndex) {
                    denominator += weights == null ? 1.0 : weights[(int) target];
                }
            }
        }
        boolean defined = denominator != 0;
        float[] perSample = wantPerSample || reduction.equals("none") ? new float[n] : null;
        float[] gradient = wantGradient && defined ? new float[n * c] : null;
        double total = 0;
        for (int i = 0; i < n; i++) {
            long target = targets[i];
            if (target == ignoreIndex) {
                continue;
            }
            int y = (int) target;
            double weight = weights == null ? 1.0 : weights[y];
            if (weight == 0) {
                continue;
            }
            double loss = -weight * x[i * c + y];
            total += loss;
            if (perSample != null) {
                perSample[i] = (float) loss;
            }
            if (gradient != null) {
                gradient[i * c + y] = (float) (-weight / denominator);
            }
        }
        Float loss = reduction.equals("none") || !defined ? null : (float) (total / denominator);
        if (loss != null && !Float.isFinite(loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new Result(loss, perSample, gradient);
    }
}
