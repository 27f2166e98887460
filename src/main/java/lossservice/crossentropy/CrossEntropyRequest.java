package lossservice.crossentropy;

import java.util.Set;

/**
 * A validated cross-entropy request: every rule of the contract holds, so the maths can trust it.
 *
 * @param batchSize        N
 * @param numClasses       C
 * @param logits           N x C, row-major
 * @param classIndices     index targets (N entries, {@link #IGNORED} for ignored rows), or null
 * @param probabilities    probability targets (N x C, row-major), or null
 * @param epsilon          the effective label-smoothing factor (0 when label smoothing is off)
 * @param reduction        how per-sample losses are reduced
 * @param classWeights     C class weights, or null for all ones
 * @param outputs          the optional arrays to return
 */
public record CrossEntropyRequest(
        int batchSize,
        int numClasses,
        float[] logits,
        int[] classIndices,
        float[] probabilities,
        double epsilon,
        Reduction reduction,
        float[] classWeights,
        Set<OptionalOutput> outputs) {

    /** The class index of a row whose target equals {@code ignoreIndex}. */
    public static final int IGNORED = -1;

    public boolean hasIndexTargets() {
        return classIndices != null;
    }
}
