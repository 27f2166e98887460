package lossservice.losses.nll;

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
 * The reference of the nll compute benchmark: {@code F.nll_loss} (class weights, ignored elements, reductions,
 * gradient) in plain Java on float32 log-probabilities [N, C, d1..dk]: the denominator first (it depends only on the
 * targets and weights), then one pass over the elements that reads each one's target entry and writes its loss and
 * its one non-zero gradient entry into a zero-filled array. Products and sums in double, each stored value a float.
 * No ND4J.
 *
 * <p>{@code main} checks it against the ND4J path on the benchmark payloads, weights, ignored elements, K-dimensional
 * inputs, every reduction and an undefined mean.
 */
public final class FusedNegativeLogLikelihood implements FusedLoss {

    /**
     * One computation.
     *
     * @param x        N x C x spatial, row-major
     * @param targets  one class index per element (N x spatial)
     * @param weights  C class weights, or null for all ones
     */
    public record Elements(int n, int c, int spatial, float[] x, long[] targets, float[] weights, long ignoreIndex,
                           boolean mean, boolean wantPerSample, boolean wantGradient) {
    }

    /** The sum or the mean (null when undefined), and each output asked for, else null. */
    public record Computed(Double loss, float[] perSampleLoss, float[] gradient) {
    }

    public static Computed compute(Elements in) {
        int c = in.c();
        int spatial = in.spatial();
        long[] targets = in.targets();
        float[] weights = in.weights();
        double denominator = 1.0;
        if (in.mean()) {
            denominator = 0;
            for (long target : targets) {
                if (target != in.ignoreIndex()) {
                    denominator += weights == null ? 1.0 : weights[(int) target];
                }
            }
        }
        boolean defined = denominator != 0;
        float[] perSample = in.wantPerSample() ? new float[targets.length] : null;
        float[] gradient = in.wantGradient() && defined ? new float[in.x().length] : null;
        double total = 0;
        for (int e = 0; e < targets.length; e++) {
            if (targets[e] == in.ignoreIndex()) {
                continue;
            }
            int y = (int) targets[e];
            double weight = weights == null ? 1.0 : weights[y];
            int place = ((e / spatial) * c + y) * spatial + e % spatial;
            double loss = weight == 0 ? 0 : -weight * in.x()[place];
            total += loss;
            if (perSample != null) {
                perSample[e] = (float) loss;
            }
            if (gradient != null && weight != 0) {
                gradient[place] = (float) (-weight / denominator);
            }
        }
        Double loss = defined ? total / denominator : null;
        if (loss != null && !Float.isFinite((float) (double) loss)) {
            throw new ArithmeticException("The result overflows float32.");
        }
        return new Computed(loss, perSample, gradient);
    }

    @Override
    public LossResult compute(LossCall call) {
        Tensor input = call.input(NegativeLogLikelihood.LOG_PROBABILITIES);
        int[] shape = input.shape();
        Tensor targetTensor = call.input(NegativeLogLikelihood.TARGETS);
        long[] targets = new long[targetTensor.size()];
        for (int e = 0; e < targets.length; e++) {
            targets[e] = targetTensor.getLong(e);
        }
        Computed computed = compute(new Elements(shape[0], shape[1], targets.length / shape[0],
                FusedLoss.floats(input), targets, FusedLoss.floats(call.input(NegativeLogLikelihood.CLASS_WEIGHTS)),
                call.integer(NegativeLogLikelihood.IGNORE_INDEX), call.reduction() == Reduction.MEAN,
                call.wants(NegativeLogLikelihood.PER_SAMPLE_LOSS), call.wants(NegativeLogLikelihood.GRADIENT)));
        LossResult result = new LossResult(call.reduction() == Reduction.NONE ? null : computed.loss());
        if (call.wants(NegativeLogLikelihood.PER_SAMPLE_LOSS)) {
            result.output(NegativeLogLikelihood.PER_SAMPLE_LOSS, FusedLoss.tensor(computed.perSampleLoss(),
                    targetTensor.shape()));
        }
        if (call.wants(NegativeLogLikelihood.GRADIENT)) {
            result.output(NegativeLogLikelihood.GRADIENT, FusedLoss.tensor(computed.gradient(), shape));
        }
        return result;
    }

    /** Checks this reference against the ND4J path ({@link ReferenceCheck#check}). */
    public static void main(String[] args) {
        Map<String, String> requests = new LinkedHashMap<>();
        for (String size : new String[] {"2x10", "32x1000", "256x1000"}) {
            requests.put("benchmark payload " + size, new String(
                    NegativeLogLikelihoodComputeBenchmark.logSoftmaxTargets(size), StandardCharsets.UTF_8));
        }
        requests.put("weights, an ignored row, sum",
                "{\"logProbabilities\":[[-1.5,-2,-0.25,-3],[0,0,0,0],[1e4,0,-1e4,2]],\"targets\":[3,-100,0],"
                + "\"classWeights\":[1,2,0.5,1.5],\"reduction\":\"sum\",\"include\":[\"perSampleLoss\",\"gradient\"]}");
        requests.put("weights with a zero, mean",
                "{\"logProbabilities\":[[-1.5,-2,-0.25],[-0.5,-1,-3]],\"targets\":[0,2],\"classWeights\":[0,3,0.5],"
                + "\"include\":[\"perSampleLoss\",\"gradient\"]}");
        requests.put("segmentation 2x3x2x2, ignoreIndex 255, none",
                "{\"logProbabilities\":[[[[-1,-2],[-0.5,-3]],[[-0.1,-4],[-2,-0.2]],[[-3,-0.3],[-1.5,-1]]],"
                + "[[[-0.7,-1.1],[-2.5,-0.9]],[[-1.3,-0.6],[-0.4,-2.2]],[[-2.1,-1.7],[-0.8,-1.9]]]],"
                + "\"targets\":[[[0,2],[255,1]],[[2,2],[0,255]]],\"ignoreIndex\":255,\"reduction\":\"none\","
                + "\"include\":[\"gradient\"]}");
        requests.put("every row ignored (undefined mean)",
                "{\"logProbabilities\":[[-1,-2],[-3,-4]],\"targets\":[-100,-100],\"include\":[\"gradient\"]}");
        ReferenceCheck.check(new NegativeLogLikelihood(), new FusedNegativeLogLikelihood(), requests);
    }
}
