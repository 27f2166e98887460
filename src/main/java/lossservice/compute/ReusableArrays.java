package lossservice.compute;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
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
    private static final ThreadLocal<Map<String, INDArray[]>> KEPT_TRANSPOSED = ThreadLocal.withInitial(HashMap::new);

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

    /**
     * The transpose of {@code matrix} as a view, kept per thread and role for as long as the thread is given the
     * same matrix (ND4J builds a view's shape information natively, about 9 us a time).
     */
    public static INDArray transposed(String role, INDArray matrix) {
        Map<String, INDArray[]> kept = KEPT_TRANSPOSED.get();
        INDArray[] matrixAndView = kept.get(role);
        if (matrixAndView == null || matrixAndView[0] != matrix) {
            matrixAndView = new INDArray[] {matrix, matrix.transpose()};
            kept.put(role, matrixAndView);
        }
        return matrixAndView[1];
    }

    /** A float32 array of this shape holding a copy of {@code values}. */
    public static INDArray copyOf(String role, float[] values, long... shape) {
        INDArray array = get(role, DataType.FLOAT, shape);
        if (onHost()) {
            new FloatPointer(array.data().addressPointer()).put(values, 0, values.length);
        } else {
            array.data().setData(values);
        }
        return array;
    }

    /** A float64 array of this shape holding a copy of {@code values}. */
    public static INDArray copyOf(String role, double[] values, long... shape) {
        INDArray array = get(role, DataType.DOUBLE, shape);
        if (onHost()) {
            new DoublePointer(array.data().addressPointer()).put(values, 0, values.length);
        } else {
            array.data().setData(values);
        }
        return array;
    }

    /** An array of this shape and type (float32 or float64) holding {@code values}, rounded to float32 if need be. */
    public static INDArray copyOf(String role, double[] values, DataType type, long... shape) {
        if (type == DataType.DOUBLE) {
            return copyOf(role, values, shape);
        }
        float[] rounded = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            rounded[i] = (float) values[i];
        }
        return copyOf(role, rounded, shape);
    }

    /** An int32 array of this shape holding a copy of {@code values}. */
    public static INDArray copyOf(String role, int[] values, long... shape) {
        INDArray array = get(role, DataType.INT32, shape);
        if (onHost()) {
            new IntPointer(array.data().addressPointer()).put(values, 0, values.length);
        } else {
            array.data().setData(values);
        }
        return array;
    }

    /** A float32 array's values, row-major, copied out of ND4J's memory (null stays null). */
    public static float[] floatsOf(INDArray array) {
        if (array == null) {
            return null;
        }
        INDArray contiguous = contiguous(array);
        if (!onHost()) {
            return contiguous.data().asFloat();
        }
        float[] values = new float[Math.toIntExact(contiguous.length())];
        new FloatPointer(contiguous.data().addressPointer()).get(values, 0, values.length);
        return values;
    }

    /** A float64 array's values, row-major, copied out of ND4J's memory (null stays null). */
    public static double[] doublesOf(INDArray array) {
        if (array == null) {
            return null;
        }
        INDArray contiguous = contiguous(array);
        if (!onHost()) {
            return contiguous.data().asDouble();
        }
        double[] values = new double[Math.toIntExact(contiguous.length())];
        new DoublePointer(contiguous.data().addressPointer()).get(values, 0, values.length);
        return values;
    }

    private static INDArray contiguous(INDArray array) {
        return array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
    }

    /**
     * Whether arrays live in host memory (the CPU backend), where one bulk copy replaces {@code DataBuffer}'s
     * element-by-element {@code setData} and {@code asFloat} (5 ns per element: 1.6 ms for 256 x 1000 floats,
     * against 40 us). Elsewhere the backend's own copies keep host and device in step.
     */
    private static boolean onHost() {
        return Nd4j.getExecutioner().type() == OpExecutioner.ExecutionerType.NATIVE_CPU;
    }
}
