package lossservice.losses.sigmoidfocal;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import lossservice.bench.ComputeBenchmark;
import lossservice.bench.FusedLoss;
import lossservice.bench.Payloads;
import lossservice.loss.LossDefinition;

/**
 * The sigmoid focal loss's maths alone at 2x10, 32x1000, 256x1000 and 4096x1000 (N x C multi-label logits): ND4J
 * against {@link FusedSigmoidFocal}, on {@link #multiLabelTargets} payloads (the default alpha 0.25 and gamma 2).
 */
public class SigmoidFocalComputeBenchmark extends ComputeBenchmark {

    @Override
    protected LossDefinition definition() {
        return new SigmoidFocal();
    }

    @Override
    protected byte[] payload(String size) {
        return multiLabelTargets(size);
    }

    @Override
    protected FusedLoss fused() {
        return new FusedSigmoidFocal();
    }

    /**
     * A multi-label request of size "NxC": logits [N, C] from N(0, 2^2) ({@link Payloads#appendLogits}), targets
     * 0 or 1 with even odds, alpha 0.25 and gamma 2 (the defaults), epsilon 0.1,
     * {@code include: ["smoothedTargets", "gradient"]}; seed {@link Payloads#SEED}.
     */
    public static byte[] multiLabelTargets(String size) {
        int[] shape = Payloads.shape(size);
        int n = shape[0];
        int c = shape[1];
        Random random = new Random(Payloads.SEED);
        StringBuilder json = new StringBuilder(n * c * 14 + 256);
        json.append("{\"logits\":");
        Payloads.appendLogits(json, random, n, c);
        json.append(",\"targets\":[");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < c; j++) {
                if (j > 0) {
                    json.append(',');
                }
                json.append(random.nextInt(2));
            }
            json.append(']');
        }
        json.append("],\"epsilon\":0.1,\"include\":[\"smoothedTargets\",\"gradient\"]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
