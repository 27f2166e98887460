package lossservice.losses.nll;

import lossservice.compute.Scratch;
import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The negative log-likelihood, exactly as {@code torch.nn.functional.nll_loss}, on inputs [N, C, d1..dk] and class
 * indices [N, d1..dk]. For each element e (a position (n, d1..dk)) with target y_e, mask r_e (0 when ignored) and
 * target weight w_e = w[y_e]:
 * <pre>
 *   L_e        = - r_e w_e x[e, y_e]
 *   dL/dx[e,c] = - r_e w_e [c == y_e]      (mean: divided by D = sum_e r_e w_e)
 * </pre>
 *
 * <p>The loss reads one number per element and the gradient has one non-zero number per element, so nothing here is
 * dense over the classes: a one-hot formulation (a mask times the whole input, then row sums) would do C times the
 * work, and the gradient would take four passes over N * C numbers where a zero-filled tensor and N writes suffice.
 * One pass over the targets gathers the two per-element vectors, {@code x[e, y_e]} (read where it lies, without
 * moving the classes last) and {@code -r_e w_e}, and the denominator; ND4J takes the loss as their dot product
 * (always, so it is the same number whatever a request asks for), multiplies them into the per-element losses when
 * they are asked for and scales the gradient's values, which are then written at their places.
 *
 * <p>The vectors are float64 whatever the request's precision (a float32 input and weight multiply exactly in
 * float64, and the sum is taken in float64), so a float32 result is the float64 one rounded once. Ignored elements
 * and elements of weight 0 keep +0 in both vectors, so their loss and gradient are +0, never -0 (which
 * {@code -0 * x} would give).
 */
final class NegativeLogLikelihoodKernel {

    /** The class index of an element whose target equals {@code ignoreIndex}. */
    static final int IGNORED = -1;

    private static final Scratch.Slot PICKED = Scratch.slot("nll.picked");
    private static final Scratch.Slot NEGATED_WEIGHTS = Scratch.slot("nll.negatedWeights");
    private static final Scratch.Slot PER_SAMPLE = Scratch.slot("nll.perSample");
    private static final Scratch.Slot GRADIENT_VALUES = Scratch.slot("nll.gradientValues");

    /**
     * @param input         [N, C, d1..dk], in the precision of the request
     * @param classIndices  one per element, in row order ({@link #IGNORED} for an ignored one)
     * @param classWeights  C weights, or null for all ones
     * @param mean          whether the loss and gradient are divided by D
     */
    record Inputs(Tensor input, int[] classIndices, Tensor classWeights, boolean mean, boolean wantPerSample,
                  boolean wantGradient) {
    }

    /**
     * The sum, or the mean (null when D is 0), the per-element losses (flat, row order; null when not asked for) and
     * the gradient in the input's shape (null when not asked for or undefined), both in the precision of the
     * request.
     */
    record Computed(Double loss, Tensor perSample, Tensor gradient) {
    }

    private NegativeLogLikelihoodKernel() {
    }

    static Computed compute(Inputs in, Scratch scratch) {
        Tensor x = in.input();
        int[] shape = x.shape();
        int c = shape[1];
        int elements = in.classIndices().length;
        int spatial = elements / shape[0];
        DType precision = x.dtype();
        DataType type = DataType.DOUBLE;

        // x[e, y_e] and -r_e w_e, element e = n * spatial + s lying at (n * C + y_e) * spatial + s of the input.
        Tensor picked = Tensor.allocate(DType.FLOAT64, elements);
        Tensor negatedWeights = Tensor.allocate(DType.FLOAT64, elements);
        int[] places = in.wantGradient() ? new int[elements] : null;
        double denominator = 0;
        for (int e = 0; e < elements; e++) {
            int target = in.classIndices()[e];
            if (target == IGNORED) {
                continue;
            }
            double weight = in.classWeights() == null ? 1.0 : in.classWeights().get(target);
            denominator += weight;
            int place = ((e / spatial) * c + target) * spatial + e % spatial;
            if (places != null) {
                places[e] = place;
            }
            if (weight != 0) {
                picked.set(e, x.get(place));
                negatedWeights.set(e, -weight);
            }
        }
        if (!in.mean()) {
            denominator = 1.0;
        }
        boolean defined = denominator != 0;

        INDArray pickedArray = scratch.copyOf(PICKED, picked, type, elements, 1);
        INDArray weights = scratch.copyOf(NEGATED_WEIGHTS, negatedWeights, type, elements, 1);
        // sum_e L_e as one dot product of the two vectors, whatever else the request asks for
        Double loss = defined ? scratch.dot(elements, 1.0, weights, pickedArray) / denominator : null;

        Tensor gradient = null;
        if (in.wantGradient() && defined) {
            Tensor values = negatedWeights;
            if (denominator != 1.0) {
                INDArray scaled = scratch.array(GRADIENT_VALUES, type, elements, 1);
                scratch.copy(weights, scaled);
                scratch.scal(elements, 1.0 / denominator, scaled);
                values = Scratch.tensorOf(scaled, elements);
            }
            gradient = Tensor.allocate(precision, shape);
            for (int e = 0; e < elements; e++) {
                if (in.classIndices()[e] != IGNORED && negatedWeights.get(e) != 0) {
                    gradient.set(places[e], values.get(e));
                }
            }
        }
        Tensor perSampleLosses = null;
        if (in.wantPerSample()) {
            INDArray perSample = scratch.array(PER_SAMPLE, type, elements, 1);
            scratch.multiply(PER_SAMPLE, weights, pickedArray, perSample);
            perSampleLosses = Scratch.tensorOf(perSample, elements);
            if (precision != DType.FLOAT64) {
                Tensor rounded = Tensor.allocate(precision, elements);
                for (int e = 0; e < elements; e++) {
                    rounded.set(e, perSampleLosses.get(e));
                }
                perSampleLosses = rounded;
            }
        }
        return new Computed(loss, perSampleLosses, gradient);
    }
}
