package lossservice.inference;

import lossservice.loss.Tensor;

/**
 * An input tensor of an inference request, read and checked against its own declaration (datatype, shape,
 * element count), not yet against the model.
 *
 * @param index     its position in the request's {@code inputs}, for error messages
 * @param datatype  the datatype it was sent as (its values are in {@link TensorDatatype#elementType()})
 */
public record InputTensor(int index, String name, TensorDatatype datatype, Tensor values) {
}
