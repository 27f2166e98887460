package lossservice.compute;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J arrays that a computation thread keeps from one request to the next.
 *
 * <p>Creating an ND4J array costs several JNI calls whatever its size, which dominates a small batch
 * (a 2 x 10 request needs about ten arrays). A thread asking again for the same role and shape gets the
 * array it had, uninitialised; larger arrays, where creation is negligible beside the work, come from
 * the current workspace instead and so do not stay resident.
 */
public final class ReusableArrays {

    /** Arrays up to this many elements (1 MiB of float32, 2 MiB of float64) are kept per thread and role. */
    static final long MAX_KEPT_ELEMENTS = 1 << 18;

    private static final ThreadLocal<Map<String, INDArray>> KEPT = ThreadLocal.withInitial(HashMap::new);
    private static final ThreadLocal<Map<String, INDArray>> KEPT_ONES = ThreadLocal.withInitial(HashMap::new);

    private ReusableArrays() {
    }

    /** An uninitialised array of this shape for the given role in the computation. */
    public static INDArray get(String role, DataType type, long... shape) {
        long elements = 1;
        for (long dimension : shape) {
            elements *= dimension;
        }
        if (elements > MAX_KEPT_ELEMENTS) {
            return Nd4j.createUninitialized(type, shape);
        }
        Map<String, INDArray> kept = KEPT.get();
        INDArray array = kept.get(role);
        if (array == null || array.dataType() != type || !Arrays.equals(array.shape(), shape)) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                array = Nd4j.createUninitialized(type, shape);
            }
            INDArray previous = kept.put(role, array);
            if (previous != null) {
                previous.close();
            }
        }
        return array;
    }

    /**
     * A column of {@code n} ones, for row sums and totals as matrix-vector and dot products. Kept per thread
     * already filled when small (filling costs as much as a whole ND4J operation); callers must not write it.
     */
    public static INDArray ones(String role, DataType type, long n) {
        Map<String, INDArray> kept = KEPT_ONES.get();
        INDArray ones = kept.get(role);
        if (ones != null && ones.dataType() == type && ones.length() == n) {
            return ones;
        }
        if (n > MAX_KEPT_ELEMENTS) {
            return Nd4j.ones(type, n, 1);
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            ones = Nd4j.ones(type, n, 1);
        }
        INDArray previous = kept.put(role, ones);
        if (previous != null) {
            previous.close();
        }
        return ones;
    }

    /** A float32 array of this shape holding a copy of {@code values}. */
    public static INDArray copyOf(String role, float[] values, long... shape) {
        INDArray array = get(role, DataType.FLOAT, shape);
        array.data().setData(values);
        return array;
    }

    /** A float64 array of this shape holding a copy of {@code values}. */
    public static INDArray copyOf(String role, double[] values, long... shape) {
        INDArray array = get(role, DataType.DOUBLE, shape);
        array.data().setData(values);
        return array;
    }

    /** An int32 array of this shape holding a copy of {@code values}. */
    public static INDArray copyOf(String role, int[] values, long... shape) {
        INDArray array = get(role, DataType.INT32, shape);
        array.data().setData(values);
        return array;
    }
}
