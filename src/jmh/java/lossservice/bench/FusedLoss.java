package lossservice.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import lossservice.loss.DType;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.loss.Tensor;

/**
 * The plain-Java reference of one loss, the yardstick of its compute benchmark: the same bound call in, the same
 * {@link LossResult} out (the loss, and each output the call wants under its name, in its declared shape), so that
 * {@link ReferenceCheck} can compare it with the definition's ND4J result number by number. No ND4J; float32.
 *
 * <p>A reference keeps its maths on plain arrays and converts at the edges with {@link #floats} and
 * {@link #tensor}: bulk copies, the counterpart of the copies into and out of ND4J that the service's path pays.
 */
public interface FusedLoss {

    LossResult compute(LossCall call);

    /** The elements of a float32 tensor, row-major, copied into a new array; null for null. */
    static float[] floats(Tensor tensor) {
        if (tensor == null) {
            return null;
        }
        if (tensor.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("the fused references compute in float32, not " + tensor.dtype());
        }
        float[] values = new float[tensor.size()];
        ByteBuffer.wrap(tensor.bytes(), 0, tensor.byteSize()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .get(values);
        return values;
    }

    /** A float32 tensor of this shape holding {@code values} (copied); null for null. */
    static Tensor tensor(float[] values, int... shape) {
        if (values == null) {
            return null;
        }
        Tensor tensor = Tensor.allocate(DType.FLOAT32, shape);
        if (tensor.size() != values.length) {
            throw new IllegalArgumentException(values.length + " values for " + tensor);
        }
        ByteBuffer.wrap(tensor.bytes()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        return tensor;
    }
}
