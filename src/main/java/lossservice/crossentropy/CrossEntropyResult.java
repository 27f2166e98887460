package lossservice.crossentropy;

import java.util.Set;

import lossservice.compute.Dtype;

/**
 * What a cross-entropy computation produced. Arrays are row-major in the request's layout (one row of C
 * per element (n, d1..dk), see {@link CrossEntropyRequest}); an array that was not requested is null.
 * {@code loss} is null when the reduction is "none" or the mean is undefined (its denominator is 0),
 * and {@code gradient} is null when it was requested but the loss is undefined. A float32 computation fills
 * the float fields; a float64 one leaves them null and fills {@link #float64()} instead.
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
        String backend,
        int[] spatialShape,
        Dtype dtype,
        Float64Outputs float64) {

    /** The results of a float64 computation, with the same meaning as the float fields. */
    public record Float64Outputs(
            Double loss,
            double[] perSampleLoss,
            double[] smoothedTargets,
            double[] probabilities,
            double[] gradient) {
    }

    /** The result of a 2-D float32 computation. */
    public CrossEntropyResult(Float loss, float[] perSampleLoss, SmoothedTargets smoothedTargets, float[] probabilities,
            float[] gradient, int batchSize, int numClasses, double epsilon, Reduction reduction,
            Set<OptionalOutput> outputs, String backend) {
        this(loss, perSampleLoss, smoothedTargets, probabilities, gradient, batchSize, numClasses, epsilon, reduction,
                outputs, backend, new int[0], Dtype.FLOAT32, null);
    }
}
