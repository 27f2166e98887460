package lossservice.losses.nll;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import lossservice.bench.ComputeBenchmark;
import lossservice.bench.FusedLoss;
import lossservice.bench.Payloads;
import lossservice.loss.LossDefinition;

/**
 * nll's maths alone at 2x10, 32x1000, 256x1000 and 4096x1000: ND4J against {@link FusedNegativeLogLikelihood}, on
 * {@link #logSoftmaxTargets} payloads.
 */
public class NegativeLogLikelihoodComputeBenchmark extends ComputeBenchmark {

    @Override
    protected LossDefinition definition() {
        return new NegativeLogLikelihood();
    }

    @Override
    protected byte[] payload(String size) {
        return logSoftmaxTargets(size);
    }

    @Override
    protected FusedLoss fused() {
        return new FusedNegativeLogLikelihood();
    }

    /**
     * A request of size "NxC": log-probabilities [N, C], the log-softmax (in double, then rounded to float32) of
     * logits from N(0, 2^2), class-index targets, the mean, {@code include: ["gradient"]} (a request without
     * {@code include} gets the loss alone); seed {@link Payloads#SEED}.
     */
    public static byte[] logSoftmaxTargets(String size) {
        int[] shape = Payloads.shape(size);
        int n = shape[0];
        int c = shape[1];
        Random random = new Random(Payloads.SEED);
        StringBuilder json = new StringBuilder(n * c * 14 + 256);
        json.append("{\"logProbabilities\":[");
        double[] row = new double[c];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                row[j] = (float) (2 * random.nextGaussian());
                max = Math.max(max, row[j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(row[j] - max);
            }
            double logSum = Math.log(sum);
            json.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < c; j++) {
                json.append(j == 0 ? "" : ",").append((float) (row[j] - max - logSum));
            }
            json.append(']');
        }
        json.append("],\"targets\":[");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append(random.nextInt(c));
        }
        json.append("],\"include\":[\"gradient\"]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
