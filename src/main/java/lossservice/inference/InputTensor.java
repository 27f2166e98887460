package lossservice.inference;

/**
 * An input tensor of an inference request, read and checked against its own declaration (datatype, shape,
 * element count), not yet against the model.
 *
 * @param index  its position in the request's {@code inputs}, for error messages
 */
record InputTensor(int index, String name, TensorDatatype datatype, long[] shape, TensorValues values) {
}
