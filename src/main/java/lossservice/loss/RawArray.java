package lossservice.loss;

/**
 * An input array as a transport read it, before the loss's rules: its shape and its numbers, either as JSON
 * numbers (doubles, with whether each was written as an integer) or as a tensor of the protocol's datatype.
 *
 * @param pointer  where it is in the JSON form of the request ({@code /targets})
 * @param usable      false when reading it found its shape broken (reported by the transport); a JSON number that
 *                    was not a finite number (reported too) keeps its place as NaN or an infinity, so that the
 *                    shape still serves the other inputs and every other rule is still checked
 * @param notAnArray  what was sent instead of an array, in words, or null
 */
public record RawArray(String pointer, int[] shape, double[] values, boolean[] integral, Tensor tensor,
                       boolean usable, String notAnArray) {

    /** JSON numbers, row-major; {@code integral} may be null when no input needs to know. */
    public static RawArray ofJson(String pointer, int[] shape, double[] values, boolean[] integral, boolean usable) {
        return new RawArray(pointer, shape, values, integral, null, usable, null);
    }

    /** A field sent with something else than an array ({@code found} describes it: "the number 2"). */
    public static RawArray notAnArray(String pointer, String found) {
        return new RawArray(pointer, new int[0], null, null, null, false, found);
    }

    /** A tensor as the protocol sent it (FP32, FP64 or INT64; INT32 is widened by the transport). */
    public static RawArray ofTensor(String pointer, Tensor tensor) {
        return new RawArray(pointer, tensor.shape(), null, null, tensor, true, null);
    }

    public int size() {
        return Tensor.sizeOf(shape);
    }

    public double value(int i) {
        return tensor != null ? tensor.get(i) : values[i];
    }

    /** Whether the number is an integer by type: a JSON integer, or an element of an integer tensor. */
    public boolean integral(int i) {
        return tensor != null ? tensor.dtype() == DType.INT64 : integral != null && integral[i];
    }
}
