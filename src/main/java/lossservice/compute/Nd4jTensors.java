package lossservice.compute;

import lossservice.loss.DType;
import lossservice.loss.Tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Element types between {@link Tensor}s and ND4J, and the element-wise copies for arrays not in host memory. */
public final class Nd4jTensors {

    private Nd4jTensors() {
    }

    public static DataType dataType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> DataType.FLOAT;
            case FLOAT64 -> DataType.DOUBLE;
            case INT64 -> DataType.LONG;
        };
    }

    public static DType dtype(DataType type) {
        return switch (type) {
            case FLOAT -> DType.FLOAT32;
            case DOUBLE -> DType.FLOAT64;
            case LONG -> DType.INT64;
            default -> throw new IllegalArgumentException("no tensor type for ND4J's " + type);
        };
    }

    /** Copies a tensor into an array of the same length through the backend's own copies (device memory). */
    static void setData(INDArray array, Tensor tensor) {
        if (array.dataType() == DataType.DOUBLE) {
            double[] values = new double[tensor.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = tensor.get(i);
            }
            array.data().setData(values);
        } else if (array.dataType() == DataType.FLOAT) {
            float[] values = new float[tensor.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = tensor.getFloat(i);
            }
            array.data().setData(values);
        } else {
            long[] values = new long[tensor.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = tensor.getLong(i);
            }
            array.data().setData(values);
        }
    }

    /** Copies an array into a tensor of the same length through the backend's own copies (device memory). */
    static void getData(INDArray array, Tensor tensor) {
        if (array.dataType() == DataType.LONG) {
            long[] values = array.data().asLong();
            for (int i = 0; i < values.length; i++) {
                tensor.setLong(i, values[i]);
            }
        } else {
            double[] values = array.data().asDouble();
            for (int i = 0; i < values.length; i++) {
                tensor.set(i, values[i]);
            }
        }
    }
}
