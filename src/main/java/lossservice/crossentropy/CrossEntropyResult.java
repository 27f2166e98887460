package lossservice.crossentropy;

import java.util.Set;

/**
 * What a cross-entropy computation produced. Arrays are row-major; an array that was not requested is
 * null. {@code loss} is null when the reduction is "none" or the mean is undefined (its denominator is 0),
 * and {@code gradient} is null when it was requested but the loss is undefined.
 */
public record CrossEntropyResult(
        Float loss,
        float[] perSampleLoss,
        SmoothedTargets smoothedTargets,
        float[] probabilities,
        float[] gradient,
        int batchSize,
        int numClasses,
        double epsilon,
        Reduction reduction,
        Set<OptionalOutput> outputs,
        String backend) {
}
