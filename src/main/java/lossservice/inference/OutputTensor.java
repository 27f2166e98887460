package lossservice.inference;

/**
 * An output tensor of a response: FP32, row-major.
 *
 * @param binary  whether it goes in the binary part of the body rather than in the JSON
 */
record OutputTensor(String name, long[] shape, float[] values, boolean binary) {

    static final String DATATYPE = "FP32";

    long binarySize() {
        return (long) values.length * Float.BYTES;
    }
}
