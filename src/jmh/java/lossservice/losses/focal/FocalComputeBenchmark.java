package lossservice.losses.focal;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import lossservice.bench.ComputeBenchmark;
import lossservice.bench.FusedLoss;
import lossservice.bench.Payloads;
import lossservice.loss.LossDefinition;

/**
 * The focal loss's maths alone at 2x10, 32x1000, 256x1000 and 4096x1000 (N x C logits): ND4J against
 * {@link FusedFocal}, on {@link #indexTargets} payloads (the default gamma 2).
 */
public class FocalComputeBenchmark extends ComputeBenchmark {

    @Override
    protected LossDefinition definition() {
        return new Focal();
    }

    @Override
    protected byte[] payload(String size) {
        return indexTargets(size);
    }

    @Override
    protected FusedLoss fused() {
        return new FusedFocal();
    }

    /**
     * A request of size "NxC": logits [N, C] from N(0, 2^2) ({@link Payloads#appendLogits}), class indices with
     * even odds, gamma 2 (the default), epsilon 0.1, {@code include: ["smoothedTargets", "gradient"]}; seed
     * {@link Payloads#SEED}.
     */
    public static byte[] indexTargets(String size) {
        int[] shape = Payloads.shape(size);
        int n = shape[0];
        int c = shape[1];
        Random random = new Random(Payloads.SEED);
        StringBuilder json = new StringBuilder(n * c * 12 + 256);
        json.append("{\"logits\":");
        Payloads.appendLogits(json, random, n, c);
        json.append(",\"targets\":[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(random.nextInt(c));
        }
        json.append("],\"epsilon\":0.1,\"include\":[\"smoothedTargets\",\"gradient\"]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
