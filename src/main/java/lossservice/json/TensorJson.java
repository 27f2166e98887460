package lossservice.json;

import lossservice.loss.DType;
import lossservice.loss.Tensor;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.NumberOutput;

/**
 * Writes tensors as nested JSON arrays of their shape with Jackson's streaming generator, each number in the
 * shortest form that reads back as the same float32 or float64 value (or as an integer for int64).
 *
 * <p>Consecutive equal numbers, common in results (smoothed targets are two values per row, gradients of ignored
 * rows are zeros), reuse the text of the first instead of formatting each again. One writer per response.
 */
public final class TensorJson {

    private final JsonGenerator json;
    private boolean hasFloat;
    private int floatBits;
    private String floatText;
    private boolean hasDouble;
    private long doubleBits;
    private String doubleText;

    public TensorJson(JsonGenerator json) {
        this.json = json;
    }

    /** The tensor nested as its shape (a bare number for a tensor without dimensions), or null. */
    public void write(Tensor tensor) {
        if (tensor == null) {
            json.writeNull();
            return;
        }
        int[] shape = tensor.shape();
        if (shape.length == 0) {
            writeElement(tensor, 0);
            return;
        }
        writeLevel(tensor, shape, 0, 0);
    }

    /** The elements of a tensor as one flat array (the protocol's {@code data}). */
    public void writeFlat(Tensor tensor) {
        json.writeStartArray();
        int size = tensor.size();
        for (int i = 0; i < size; i++) {
            writeElement(tensor, i);
        }
        json.writeEndArray();
    }

    /** One number in the precision: float32 values are written as floats, never widened to their double digits. */
    public void writeNumber(double value, DType precision) {
        if (precision == DType.FLOAT32) {
            writeFloat((float) value);
        } else {
            writeDouble(value);
        }
    }

    private int writeLevel(Tensor tensor, int[] shape, int level, int at) {
        json.writeStartArray();
        if (level == shape.length - 1) {
            int end = at + shape[level];
            for (int i = at; i < end; i++) {
                writeElement(tensor, i);
            }
            at = end;
        } else {
            for (int i = 0; i < shape[level]; i++) {
                at = writeLevel(tensor, shape, level + 1, at);
            }
        }
        json.writeEndArray();
        return at;
    }

    private void writeElement(Tensor tensor, int i) {
        switch (tensor.dtype()) {
            case FLOAT32 -> writeFloat(tensor.getFloat(i));
            case FLOAT64 -> writeDouble(tensor.get(i));
            case INT64 -> json.writeNumber(tensor.getLong(i));
        }
    }

    private void writeFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (hasFloat && bits == floatBits) {
            if (floatText == null) {
                floatText = NumberOutput.toString(value, true);
            }
            json.writeNumber(floatText);
            return;
        }
        hasFloat = true;
        floatBits = bits;
        floatText = null;
        json.writeNumber(value);
    }

    private void writeDouble(double value) {
        long bits = Double.doubleToRawLongBits(value);
        if (hasDouble && bits == doubleBits) {
            if (doubleText == null) {
                doubleText = NumberOutput.toString(value, true);
            }
            json.writeNumber(doubleText);
            return;
        }
        hasDouble = true;
        doubleBits = bits;
        doubleText = null;
        json.writeNumber(value);
    }
}
