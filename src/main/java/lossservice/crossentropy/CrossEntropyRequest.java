package lossservice.crossentropy;

import java.util.Set;

import lossservice.compute.Dtype;

/**
 * A validated cross-entropy request: every rule of the contract holds, so the maths can trust it.
 *
 * <p>Logits of shape [N, C, d1..dk] are held as {@link #rows()} = N * d1 * .. * dk rows of C numbers, one
 * row per element (n, d1..dk) in that order: the class axis is moved last when the JSON is decoded, so the
 * maths only ever sees a matrix and 2-D requests (k = 0) are simply the case without spatial dimensions.
 * The numbers are in the float32 arrays for {@link Dtype#FLOAT32} and in the float64 ones for
 * {@link Dtype#FLOAT64}; the others are null.
 *
 * @param batchSize        N
 * @param numClasses       C
 * @param logits           float32: rows() x C, row-major, or null
 * @param classIndices     index targets (rows() entries, {@link #IGNORED} for ignored elements), or null
 * @param probabilities    float32 probability targets (rows() x C, row-major), or null
 * @param epsilon          the effective label-smoothing factor (0 when label smoothing is off)
 * @param reduction        how per-sample losses are reduced
 * @param classWeights     float32: C class weights, or null for all ones
 * @param outputs          the optional arrays to return
 * @param spatialShape     d1..dk (empty for 2-D logits)
 * @param dtype            the precision of the computation
 * @param logits64         float64: rows() x C, row-major, or null
 * @param probabilities64  float64 probability targets (rows() x C), or null
 * @param classWeights64   float64: C class weights, or null
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
        Set<OptionalOutput> outputs,
        int[] spatialShape,
        Dtype dtype,
        double[] logits64,
        double[] probabilities64,
        double[] classWeights64) {

    /** The class index of a row whose target equals {@code ignoreIndex}. */
    public static final int IGNORED = -1;

    private static final int[] NO_SPATIAL_DIMENSIONS = {};

    /** A 2-D float32 request: N x C logits. */
    public CrossEntropyRequest(int batchSize, int numClasses, float[] logits, int[] classIndices, float[] probabilities,
            double epsilon, Reduction reduction, float[] classWeights, Set<OptionalOutput> outputs) {
        this(batchSize, numClasses, logits, classIndices, probabilities, epsilon, reduction, classWeights, outputs,
                NO_SPATIAL_DIMENSIONS, Dtype.FLOAT32, null, null, null);
    }

    public boolean hasIndexTargets() {
        return classIndices != null;
    }

    public boolean hasClassWeights() {
        return classWeights != null || classWeights64 != null;
    }

    /** The rows the maths works on: N times the spatial size. */
    public int rows() {
        int rows = batchSize;
        for (int dimension : spatialShape) {
            rows *= dimension;
        }
        return rows;
    }

    /** The logits' shape as the client sent it: [N, C, d1..dk]. */
    public int[] shape() {
        int[] shape = new int[2 + spatialShape.length];
        shape[0] = batchSize;
        shape[1] = numClasses;
        System.arraycopy(spatialShape, 0, shape, 2, spatialShape.length);
        return shape;
    }

    /** The weight of class c, whatever the precision (1 without weights). */
    public double classWeight(int c) {
        return classWeights64 != null ? classWeights64[c] : classWeights != null ? classWeights[c] : 1.0;
    }
}
