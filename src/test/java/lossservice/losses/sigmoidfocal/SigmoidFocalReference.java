package lossservice.losses.sigmoidfocal;

/**
 * The sigmoid focal loss of SEMANTICS.md section 17 ({@code torchvision.ops.sigmoid_focal_loss} on smoothed
 * targets) element by element in plain double precision, written from the formulas independently of the kernel,
 * with {@code 1 - p_t} from both sigmoids and the softplus form of the cross-entropy.
 */
final class SigmoidFocalReference {

    /** The reduced loss (null for none) and the arrays, flat. */
    record Result(Double loss, double[] elementLoss, double[] smoothedTargets, double[] probabilities,
                  double[] gradient) {
    }

    private SigmoidFocalReference() {
    }

    static Result compute(double[] logits, double[] targets, double alpha, double gamma, double epsilon,
            String reduction) {
        int size = logits.length;
        double[] loss = new double[size];
        double[] smoothed = new double[size];
        double[] sigmoid = new double[size];
        double[] gradient = new double[size];
        double scale = reduction.equals("mean") ? 1.0 / size : 1.0;
        double sum = 0;
        for (int i = 0; i < size; i++) {
            double x = logits[i];
            double t = targets[i] * (1 - epsilon) + epsilon / 2;
            double s = 1 / (1 + Math.exp(-x));
            double sn = 1 / (1 + Math.exp(x));
            double ce = t * softplus(-x) + (1 - t) * softplus(x);
            double u = t * sn + (1 - t) * s;
            double factor = gamma == 0 ? 1 : Math.pow(u, gamma);
            double a = alpha >= 0 ? alpha * t + (1 - alpha) * (1 - t) : 1;
            loss[i] = a * ce * factor;
            sum += loss[i];
            smoothed[i] = t;
            sigmoid[i] = s;
            // the second term's limit where u is 0 is 0 for gamma > 0
            double focusing = gamma == 0 || u == 0 ? 0 : gamma * ce * factor * (1 - 2 * t) * s * sn / u;
            gradient[i] = a * (((1 - t) * s - t * sn) * factor + focusing) * scale;
        }
        Double reduced = reduction.equals("none") ? null : sum * scale;
        return new Result(reduced, loss, smoothed, sigmoid, gradient);
    }

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
}
