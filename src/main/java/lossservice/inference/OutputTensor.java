package lossservice.inference;

import lossservice.loss.Tensor;

/**
 * An output tensor of a response, in the computation's precision.
 *
 * @param binary  whether it goes in the binary part of the body rather than in the JSON
 */
record OutputTensor(String name, Tensor values, boolean binary) {

    String datatype() {
        return values.dtype().protocolName();
    }

    long binarySize() {
        return values.byteSize();
    }
}
