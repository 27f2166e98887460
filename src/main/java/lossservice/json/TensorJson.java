package lossservice.json;

import lossservice.loss.DType;
import lossservice.loss.Tensor;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.NumberOutput;

/**
 * Writes tensors as nested JSON arrays of their shape with Jackson's streaming generator, each number in the
 * shortest form that reads back as the same float32 or float64 value (or as an integer for int64).
 *
 * <p>Numbers that come back, common in results (smoothed targets take two or three values, in any order when the
 * targets are multi-label; gradients of ignored rows are zeros), reuse the text of their first occurrence instead of
 * being formatted again: a small cache keyed by the value's bits, {@value #CACHED} entries, direct-mapped, so a
 * value that never comes back costs one comparison. One writer per response.
 */
public final class TensorJson {

    /** Entries of each cache of number texts (a power of two). */
    static final int CACHED = 16;

    private final JsonGenerator json;
    private final int[] floatBits = new int[CACHED];
    private final String[] floatTexts = new String[CACHED];
    private final long[] doubleBits = new long[CACHED];
    private final String[] doubleTexts = new String[CACHED];

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
        int slot = (bits ^ (bits >>> 16)) & (CACHED - 1);
        String text = floatTexts[slot];
        if (text == null || floatBits[slot] != bits) {
            // The generator's own text for a float (USE_FAST_DOUBLE_WRITER: the shortest that reads back the same).
            text = NumberOutput.toString(value, true);
            floatBits[slot] = bits;
            floatTexts[slot] = text;
        }
        json.writeNumber(text);
    }

    private void writeDouble(double value) {
        long bits = Double.doubleToRawLongBits(value);
        int mixed = (int) (bits ^ (bits >>> 32));
        int slot = (mixed ^ (mixed >>> 16)) & (CACHED - 1);
        String text = doubleTexts[slot];
        if (text == null || doubleBits[slot] != bits) {
            text = NumberOutput.toString(value, true);
            doubleBits[slot] = bits;
            doubleTexts[slot] = text;
        }
        json.writeNumber(text);
    }
}
