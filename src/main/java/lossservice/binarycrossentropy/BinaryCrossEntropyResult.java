package lossservice.binarycrossentropy;

import java.util.Set;

import lossservice.compute.Dtype;
import lossservice.crossentropy.Reduction;
import lossservice.json.NestedArrays;

/**
 * What a binary cross-entropy computation produced. Arrays are row-major with the logits' shape, float32 or
 * float64 as the request's dtype; an array that was not requested is null. {@code loss} is null for reduction
 * "none".
 */
public record BinaryCrossEntropyResult(
        Double loss,
        NestedArrays.Values elementLoss,
        NestedArrays.Values smoothedTargets,
        NestedArrays.Values probabilities,
        NestedArrays.Values gradient,
        int[] shape,
        double epsilon,
        Reduction reduction,
        Set<BinaryOutput> outputs,
        Dtype dtype,
        String backend) {
}
