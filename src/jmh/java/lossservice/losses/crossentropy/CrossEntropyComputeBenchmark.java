package lossservice.losses.crossentropy;

import lossservice.bench.ComputeBenchmark;
import lossservice.bench.FusedLoss;
import lossservice.bench.Payloads;
import lossservice.loss.LossDefinition;

/**
 * Cross-entropy's maths alone at 2x10, 32x1000, 256x1000 and 4096x1000: ND4J against {@link FusedCrossEntropy},
 * on the load script's payloads ({@link Payloads#indexTargets}: class indices, epsilon 0.1, smoothed targets and
 * gradient).
 */
public class CrossEntropyComputeBenchmark extends ComputeBenchmark {

    @Override
    protected LossDefinition definition() {
        return new CrossEntropy();
    }

    @Override
    protected byte[] payload(String size) {
        return Payloads.indexTargets(size);
    }

    @Override
    protected FusedLoss fused() {
        return new FusedCrossEntropy();
    }
}
