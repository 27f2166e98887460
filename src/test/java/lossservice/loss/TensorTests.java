package lossservice.loss;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whether every element is finite, for every size and every place of a NaN or an infinity, also of a tensor over
 * part of a larger array.
 */
class TensorTests {

    private static final double[] FINITE = {0, -0.0, 1.5, -2.25, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.MIN_VALUE, -Float.MIN_NORMAL, 1e-45, 3e38};

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 7, 8, 9, 10})
    void finiteFloat32ElementsAreFiniteWhateverTheirSignsAndSizes(int size) {
        Tensor tensor = Tensor.allocate(DType.FLOAT32, size);
        for (int i = 0; i < size; i++) {
            tensor.set(i, FINITE[i % FINITE.length]);
        }
        assertThat(tensor.allFinite()).isTrue();
        for (int i = 0; i < size; i++) {
            tensor.set(i, -Float.MAX_VALUE); // negative: the sign bit set everywhere, the last odd one included
        }
        assertThat(tensor.allFinite()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 7, 8, 9, 10})
    void aNaNOrAnInfinityAnywhereIsFound(int size) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                for (int at = 0; at < size; at++) {
                    Tensor tensor = Tensor.allocate(dtype, size);
                    for (int i = 0; i < size; i++) {
                        tensor.set(i, -FINITE[(i + 3) % FINITE.length]);
                    }
                    tensor.set(at, bad);
                    assertThat(tensor.allFinite()).as("%s %s at %d of %d", dtype, bad, at, size).isFalse();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 5})
    void finiteFloat64ElementsAreFiniteUpToTheLargest(int size) {
        Tensor tensor = Tensor.allocate(DType.FLOAT64, size);
        double[] extremes = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -0.0, 1e300};
        for (int i = 0; i < size; i++) {
            tensor.set(i, extremes[i]);
        }
        assertThat(tensor.allFinite()).isTrue();
        assertThat(Tensor.of(DType.INT64, new int[] {2}, -1, 5).allFinite()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 5, 7})
    void aTensorOverPartOfAnArraySeesOnlyItsOwnBytes(int offset) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            int size = 9;
            int length = size * dtype.bytes();
            // Every byte around the tensor's is 0xff: NaN, wherever it were read from.
            byte[] array = new byte[offset + length + 11];
            java.util.Arrays.fill(array, (byte) 0xff);
            java.util.Arrays.fill(array, offset, offset + length, (byte) 0);
            Tensor tensor = Tensor.wrap(dtype, new int[] {3, 3}, array, offset, length);
            assertThat(tensor.offset()).isEqualTo(offset);
            assertThat(tensor.bytes()).isSameAs(array);
            for (int i = 0; i < size; i++) {
                tensor.set(i, -FINITE[i % FINITE.length]);
            }
            assertThat(tensor.allFinite()).as("%s at %d", dtype, offset).isTrue();
            assertThat(array[offset + length]).as("the byte after the tensor").isEqualTo((byte) 0xff);
            for (int at = 0; at < size; at++) {
                double kept = tensor.get(at);
                tensor.set(at, Double.POSITIVE_INFINITY);
                assertThat(tensor.allFinite()).as("%s at %d, infinity at %d", dtype, offset, at).isFalse();
                tensor.set(at, kept);
            }
        }
    }
}
