package lossservice.bench;

import java.util.Set;

import lossservice.crossentropy.CrossEntropyRequest;
import lossservice.crossentropy.CrossEntropyResult;
import lossservice.crossentropy.OptionalOutput;
import lossservice.crossentropy.Reduction;
import lossservice.crossentropy.SmoothedTargets;

/**
 * The reference for the compute benchmark: the service's loss (SEMANTICS.md sections 0-3: max-shifted
 * log-softmax, label smoothing, class weights, ignored rows, reductions, gradient) in plain Java, float32
 * values, fused so that each row is finished before the next one starts (a max pass, an exp pass that
 * keeps exp(x - m) in the output row, and one pass that writes every output of the row). No ND4J.
 *
 * <p>Sums are accumulated in double; each stored value is a float. The mean's denominator is known
 * before the rows (it depends only on the targets and weights), so the gradient is scaled in the same
 * pass. Like the service, a result that is not finite is refused.
 */
public final class FusedCrossEntropy {

    private final String backend;

    public FusedCrossEntropy(String backend) {
        this.backend = backend;
    }

    public CrossEntropyResult compute(CrossEntropyRequest request) {
        int n = request.batchSize();
        int c = request.numClasses();
        float[] x = request.logits();
        int[] classes = request.classIndices();
        float[] soft = request.probabilities();
        float[] w = request.classWeights();
        boolean index = request.hasIndexTargets();
        Set<OptionalOutput> outputs = request.outputs();
        // Rounded to float from double, as the service does: 0.1f / 1000 would be 1.00000005E-4, not 1.0E-4.
        float on = (float) (1 - request.epsilon());
        float off = (float) (request.epsilon() / c);

        double weightSum = c;
        if (w != null) {
            weightSum = 0;
            for (float weight : w) {
                weightSum += weight;
            }
        }
        double denominator = 1.0;
        if (request.reduction() == Reduction.MEAN) {
            if (!index) {
                denominator = n;
            } else {
                denominator = 0;
                for (int y : classes) {
                    if (y != CrossEntropyRequest.IGNORED) {
                        denominator += w == null ? 1 : w[y];
                    }
                }
            }
        }
        boolean defined = denominator != 0;
        boolean wantGradient = outputs.contains(OptionalOutput.GRADIENT) && defined;
        float[] smoothed = outputs.contains(OptionalOutput.SMOOTHED_TARGETS) ? new float[n * c] : null;
        float[] probabilities = outputs.contains(OptionalOutput.PROBABILITIES) ? new float[n * c] : null;
        float[] gradient = wantGradient ? new float[n * c] : null;
        float[] perSample = outputs.contains(OptionalOutput.PER_SAMPLE_LOSS) ? new float[n] : null;
        // exp(x - m) of the current row lives in an output that is rewritten later in the same row.
        float[] scratch = gradient != null ? gradient : probabilities != null ? probabilities : new float[c];
        int scratchStride = gradient != null || probabilities != null ? c : 0;
        float gradientScale = (float) (1.0 / denominator);

        double total = 0;
        double check = 0; // NaN or infinity anywhere makes this non-finite
        for (int i = 0; i < n; i++) {
            int base = i * c;
            int s = i * scratchStride;
            float max = x[base];
            for (int j = 1; j < c; j++) {
                max = Math.max(max, x[base + j]);
            }
            double z = 0;
            double softWeighted = 0; // sum_c w_c t_c, probability targets only
            for (int j = 0; j < c; j++) {
                float e = (float) Math.exp(x[base + j] - max);
                scratch[s + j] = e;
                z += e;
                if (!index) {
                    softWeighted += (w == null ? 1 : w[j]) * soft[base + j];
                }
            }
            float logZ = (float) Math.log(z);
            float inverseZ = (float) (1.0 / z);
            int y = index ? classes[i] : -1;
            boolean ignored = index && y == CrossEntropyRequest.IGNORED;
            float rowOff = ignored ? 0 : off;
            // sum_c w_c q_ic: the factor of p in the gradient row
            float weightedQ = ignored ? 0
                    : index ? on * (w == null ? 1 : w[y]) + (float) (off * weightSum)
                    : (float) (on * softWeighted + off * weightSum);
            double rowLoss = 0;
            for (int j = 0; j < c; j++) {
                float q = index ? (j == y ? on + rowOff : rowOff) : on * soft[base + j] + off;
                float wj = w == null ? 1 : w[j];
                float logSoftmax = (x[base + j] - max) - logZ;
                rowLoss -= wj * q * logSoftmax;
                float p = scratch[s + j] * inverseZ;
                if (smoothed != null) {
                    smoothed[base + j] = q;
                }
                if (probabilities != null) {
                    probabilities[base + j] = p;
                    check += p;
                }
                if (gradient != null) {
                    float g = (weightedQ * p - wj * q) * gradientScale;
                    gradient[base + j] = g;
                    check += g;
                }
            }
            float rowLossFloat = (float) rowLoss + 0.0f; // -0.0 reads 0
            if (perSample != null) {
                perSample[i] = rowLossFloat;
            }
            total += rowLoss;
            check += rowLoss;
        }
        Float loss = request.reduction() == Reduction.NONE || !defined ? null : (float) (total / denominator);
        if (!Double.isFinite(check) || loss != null && !Float.isFinite(loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new CrossEntropyResult(loss, perSample, smoothed == null ? null : SmoothedTargets.dense(smoothed),
                probabilities, gradient, n, c,
                request.epsilon(), request.reduction(), outputs, backend);
    }
}
