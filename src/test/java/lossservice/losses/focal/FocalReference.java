package lossservice.losses.focal;

/**
 * The focal loss of SEMANTICS.md section 16 in plain double precision, written from the formulas independently of
 * the kernel, for 2-D logits: each class's complementary mass {@code 1 - p_c} is the sum of the other classes'
 * exponentials, each surprisal {@code -log p_c = log1p(o_c / e_c)} (or the log-sum-exp form where {@code e_c}
 * underflows), so that it stays exact where the service's precision does not.
 */
final class FocalReference {

    /** What the loss is: the reduced loss (null when undefined or for none) and the arrays, rows of C. */
    record Result(Double loss, double[] perSample, double[][] smoothedTargets, double[][] probabilities,
                  double[][] gradient) {
    }

    private FocalReference() {
    }

    /**
     * @param indices  class indices, or null for {@code soft}
     * @param weights  class weights, or null
     */
    static Result compute(double[][] logits, int[] indices, double[][] soft, double[] weights, double gamma,
            double epsilon, long ignoreIndex, String reduction) {
        int n = logits.length;
        int c = logits[0].length;
        double[] perSample = new double[n];
        double[][] q = new double[n][c];
        double[][] p = new double[n][c];
        double[][] h = new double[n][c];
        double denominator = 0;
        for (int i = 0; i < n; i++) {
            boolean ignored = indices != null && indices[i] == ignoreIndex;
            for (int k = 0; k < c; k++) {
                q[i][k] = ignored ? 0 : indices != null ? (1 - epsilon) * (indices[i] == k ? 1 : 0) + epsilon / c
                        : (1 - epsilon) * soft[i][k] + epsilon / c;
            }
            if (indices == null) {
                denominator += 1;
            } else if (!ignored) {
                denominator += weights == null ? 1 : weights[indices[i]];
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double x : logits[i]) {
                max = Math.max(max, x);
            }
            double[] e = new double[c];
            double s = 0;
            for (int k = 0; k < c; k++) {
                e[k] = Math.exp(logits[i][k] - max);
                s += e[k];
            }
            double logS = Math.log(s);
            for (int k = 0; k < c; k++) {
                double others = 0;
                for (int j = 0; j < c; j++) {
                    others += j == k ? 0 : e[j];
                }
                double surprisal = e[k] > 0 ? Math.log1p(others / e[k]) : max - logits[i][k] + logS;
                double complement = others / s;
                double factor = gamma == 0 ? 1 : Math.pow(complement, gamma);
                double wq = (weights == null ? 1 : weights[k]) * q[i][k];
                perSample[i] += wq * factor * surprisal;
                p[i][k] = e[k] / s;
                // h = wq [f - gamma p u^(gamma - 1) log p]; p / u = e / o; the term's limit at u = 0 is 0
                double focusing = gamma == 0 || others == 0 ? 0 : gamma * factor * surprisal * e[k] / others;
                h[i][k] = wq * (factor + focusing);
            }
        }
        boolean mean = reduction.equals("mean");
        double sum = 0;
        for (double loss : perSample) {
            sum += loss;
        }
        boolean defined = !mean || denominator != 0;
        Double loss = reduction.equals("none") || !defined ? null : mean ? sum / denominator : sum;
        double[][] gradient = null;
        if (defined) {
            double scale = mean ? 1 / denominator : 1;
            gradient = new double[n][c];
            for (int i = 0; i < n; i++) {
                double total = 0;
                for (double term : h[i]) {
                    total += term;
                }
                for (int k = 0; k < c; k++) {
                    gradient[i][k] = (p[i][k] * total - h[i][k]) * scale;
                }
            }
        }
        return new Result(loss, perSample, q, p, gradient);
    }
}
