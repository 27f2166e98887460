package lossservice.inference;

import lossservice.loss.Tensor;

/**
 * An output tensor of a response, in the computation's precision.
 *
 * @param binary  whether it goes in the binary part of the body rather than in the JSON
 */
public record OutputTensor(String name, Tensor values, boolean binary) {

    public String datatype() {
        return values.dtype().protocolName();
    }

    public long binarySize() {
        return values.byteSize();
    }
}
