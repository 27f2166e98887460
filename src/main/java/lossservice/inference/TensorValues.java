package lossservice.inference;

/**
 * The elements of an input tensor, row-major, in the primitive type of its datatype: binary data is copied
 * straight into these arrays, JSON data converted into them, so that everything after reading sees one form.
 */
sealed interface TensorValues {

    int length();

    /** Element {@code i} as a double, exact for every FP32, FP64 and INT32 value and for INT64 up to 2^53. */
    double get(int i);

    record Float32(float[] values) implements TensorValues {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public double get(int i) {
            return values[i];
        }
    }

    record Float64(double[] values) implements TensorValues {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public double get(int i) {
            return values[i];
        }
    }

    record Int32(int[] values) implements TensorValues {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public double get(int i) {
            return values[i];
        }
    }

    record Int64(long[] values) implements TensorValues {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public double get(int i) {
            return values[i];
        }
    }
}
