package lossservice.binarycrossentropy;

import java.util.Set;

import lossservice.compute.Dtype;
import lossservice.crossentropy.Reduction;

/**
 * A validated binary cross-entropy request: every rule of the contract holds, so the maths can trust it.
 * The numbers are held as decoded (doubles); the maths rounds them to the request's dtype.
 *
 * @param shape         the logits' shape (and the targets'), at least one dimension, no empty one
 * @param logits        every logit, row-major
 * @param targets       every target in [0, 1], row-major, before smoothing
 * @param epsilon       label smoothing towards 0.5, in [0, 1]
 * @param posWeight     the weight of the positive term per position of the last dimension, or null
 * @param classWeights  the weight of the whole loss per position of the last dimension, or null
 * @param reduction     how the element losses are reduced
 * @param outputs       the optional arrays to return
 * @param dtype         the precision of the computation
 */
public record BinaryCrossEntropyRequest(
        int[] shape,
        double[] logits,
        double[] targets,
        double epsilon,
        double[] posWeight,
        double[] classWeights,
        Reduction reduction,
        Set<BinaryOutput> outputs,
        Dtype dtype) {

    /** The number of elements. */
    public int size() {
        int size = 1;
        for (int dimension : shape) {
            size *= dimension;
        }
        return size;
    }

    /** The length of the last dimension, along which the weights run. */
    public int lastDimension() {
        return shape[shape.length - 1];
    }
}
