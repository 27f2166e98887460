package lossservice.json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import lossservice.loss.DType;
import lossservice.loss.Tensor;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;

/**
 * Writes tensors as nested JSON arrays of their shape with Jackson's streaming generator, each number in the
 * shortest form that reads back as the same float32 or float64 value (or as an integer for int64).
 *
 * <p>Numbers that come back, common in results (smoothed targets take two or three values, in any order when the
 * targets are multi-label; gradients of ignored rows are zeros), reuse the text of their first occurrence instead of
 * being formatted again: a small cache keyed by the value's bits, {@value #CACHED} entries, direct-mapped, so a
 * value that never comes back costs one comparison. One writer per response.
 *
 * <p>Numbers are written as raw JSON, each text made in place by {@link DecimalText}, a run of them (the innermost
 * level of a tensor, or all of a flat one) in chunks of a few hundred bytes: the generator's own float path makes a
 * String and a formatter object per number and copies its chars, half the time of a large answer. The text is the
 * generator's, byte for byte.
 */
public final class TensorJson {

    /** Entries of each cache of number texts (a power of two). */
    static final int CACHED = 16;

    /** Bytes of raw JSON handed to the generator at once. */
    private static final int CHUNK = 512;

    private final JsonGenerator json;
    private final RawJson raw = new RawJson(CHUNK);
    private final NumberTexts floatTexts = new NumberTexts();
    private final NumberTexts doubleTexts = new NumberTexts();

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
        if (tensor.dtype() != DType.INT64) {
            writeReals(tensor, 0, tensor.size());
            return;
        }
        json.writeStartArray();
        int size = tensor.size();
        for (int i = 0; i < size; i++) {
            writeElement(tensor, i);
        }
        json.writeEndArray();
    }

    /** One number in the precision: float32 values are written as floats, never widened to their double digits. */
    public void writeNumber(double value, DType precision) {
        raw.length = append(value, precision == DType.FLOAT32, raw.bytes, 0);
        json.writeRawValue(raw);
    }

    private int writeLevel(Tensor tensor, int[] shape, int level, int at) {
        if (level == shape.length - 1 && tensor.dtype() != DType.INT64) {
            writeReals(tensor, at, at + shape[level]);
            return at + shape[level];
        }
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
            case FLOAT32 -> writeNumber(tensor.getFloat(i), DType.FLOAT32);
            case FLOAT64 -> writeNumber(tensor.get(i), DType.FLOAT64);
            case INT64 -> json.writeNumber(tensor.getLong(i));
        }
    }

    /** Elements [from, to) of a float32 or float64 tensor as one JSON array. */
    private void writeReals(Tensor tensor, int from, int to) {
        boolean float32 = tensor.dtype() == DType.FLOAT32;
        RawJson run = raw;
        byte[] bytes = run.bytes;
        int length = 0;
        boolean first = true;
        bytes[length++] = '[';
        for (int i = from; i < to; i++) {
            if (length > CHUNK - DecimalText.MAX_LENGTH - 2) {
                run.length = length;
                hand(run, first);
                first = false;
                length = 0;
            }
            if (i > from) {
                bytes[length++] = ',';
            }
            length = append(tensor.get(i), float32, bytes, length);
        }
        bytes[length++] = ']';
        run.length = length;
        hand(run, first);
    }

    /** The array is one value to the generator: its first chunk goes as a value (with the comma before it), the rest raw. */
    private void hand(RawJson run, boolean first) {
        if (first) {
            json.writeRawValue(run);
        } else {
            json.writeRaw(run);
        }
    }

    /**
     * Writes the text of a number at {@code at} (a float32's when {@code float32}: the value is one, widened exactly),
     * from the cache of its precision when it came lately, and returns its end. A value's text is kept the second time
     * it comes in a row to its slot: a value that never comes back (most of a gradient) costs a comparison and the
     * store of its bits.
     */
    private int append(double value, boolean float32, byte[] bytes, int at) {
        NumberTexts cache = float32 ? floatTexts : doubleTexts;
        long bits = float32 ? Float.floatToRawIntBits((float) value) : Double.doubleToRawLongBits(value);
        int mixed = (int) (bits ^ (bits >>> 32));
        int slot = (mixed ^ (mixed >>> 16)) & (CACHED - 1);
        if (cache.bits[slot] != bits) {
            cache.bits[slot] = bits;
            cache.lengths[slot] = 0;
            return format(value, float32, bytes, at);
        }
        int length = cache.lengths[slot];
        if (length != 0) {
            System.arraycopy(cache.texts, slot * DecimalText.MAX_LENGTH, bytes, at, length);
            return at + length;
        }
        int end = format(value, float32, bytes, at);
        cache.lengths[slot] = (byte) (end - at);
        System.arraycopy(bytes, at, cache.texts, slot * DecimalText.MAX_LENGTH, end - at);
        return end;
    }

    private static int format(double value, boolean float32, byte[] bytes, int at) {
        return float32 ? DecimalText.write((float) value, bytes, at) : DecimalText.write(value, bytes, at);
    }

    /**
     * The texts of the numbers of one precision lately written: per slot, the bits of the last value seen, and its
     * text at slot * DecimalText.MAX_LENGTH once it came twice (its length; 0: not kept).
     */
    private static final class NumberTexts {
        final long[] bits = new long[CACHED];
        final byte[] lengths = new byte[CACHED];
        final byte[] texts = new byte[CACHED * DecimalText.MAX_LENGTH];
    }

    /**
     * Bytes of JSON handed to the generator as they are (numbers, commas and brackets only: ASCII that needs no
     * escaping, so its quoted and unquoted forms are the same).
     */
    private static final class RawJson implements SerializableString {

        final byte[] bytes;
        int length;

        RawJson(int capacity) {
            bytes = new byte[capacity];
        }

        @Override
        public String getValue() {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }

        @Override
        public int charLength() {
            return length;
        }

        @Override
        public char[] asQuotedChars() {
            return getValue().toCharArray();
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return Arrays.copyOf(bytes, length);
        }

        @Override
        public byte[] asQuotedUTF8() {
            return asUnquotedUTF8();
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            return appendUnquotedUTF8(buffer, offset);
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            return appendUnquoted(buffer, offset);
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + length > buffer.length) {
                return -1;
            }
            System.arraycopy(bytes, 0, buffer, offset, length);
            return length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            if (offset + length > buffer.length) {
                return -1;
            }
            for (int i = 0; i < length; i++) {
                buffer[offset + i] = (char) bytes[i];
            }
            return length;
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) throws IOException {
            return writeUnquotedUTF8(out);
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(bytes, 0, length);
            return length;
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            return putUnquotedUTF8(buffer);
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            if (length > buffer.remaining()) {
                return -1;
            }
            buffer.put(bytes, 0, length);
            return length;
        }
    }
}
