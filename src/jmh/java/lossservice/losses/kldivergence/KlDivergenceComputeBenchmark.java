package lossservice.losses.kldivergence;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import lossservice.bench.ComputeBenchmark;
import lossservice.bench.FusedLoss;
import lossservice.bench.Payloads;
import lossservice.loss.LossDefinition;

/**
 * kl-divergence's maths alone at 2x10, 32x1000, 256x1000 and 4096x1000: ND4J against {@link FusedKlDivergence}, on
 * {@link #distillation} payloads.
 */
public class KlDivergenceComputeBenchmark extends ComputeBenchmark {

    @Override
    protected LossDefinition definition() {
        return new KlDivergence();
    }

    @Override
    protected byte[] payload(String size) {
        return distillation(size);
    }

    @Override
    protected FusedLoss fused() {
        return new FusedKlDivergence();
    }

    /**
     * A distillation request of size "NxC": student and teacher logits [N, C] from N(0, 2^2)
     * ({@link Payloads#appendLogits}), temperature 2, batchmean, {@code include: ["teacherProbabilities",
     * "gradient"]} (the default output and the gradient); seed {@link Payloads#SEED}.
     */
    public static byte[] distillation(String size) {
        int[] shape = Payloads.shape(size);
        Random random = new Random(Payloads.SEED);
        StringBuilder json = new StringBuilder(shape[0] * shape[1] * 28 + 256);
        json.append("{\"studentLogits\":");
        Payloads.appendLogits(json, random, shape[0], shape[1]);
        json.append(",\"teacherLogits\":");
        Payloads.appendLogits(json, random, shape[0], shape[1]);
        json.append(",\"temperature\":2.0,\"include\":[\"teacherProbabilities\",\"gradient\"]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
