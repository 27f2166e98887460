package lossservice.inference.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import lossservice.grpc.v2.InferParameter;
import lossservice.grpc.v2.InferTensorContents;
import lossservice.grpc.v2.ModelInferRequest;
import lossservice.grpc.v2.ModelInferResponse;
import lossservice.inference.InferenceException;
import lossservice.inference.InferenceRequest;
import lossservice.inference.InputTensor;
import lossservice.inference.OutputTensor;
import lossservice.inference.RequestedOutput;
import lossservice.inference.TensorDatatype;
import lossservice.loss.DType;
import lossservice.loss.RawScalar;
import lossservice.loss.Tensor;
import lossservice.problem.Violations;

import org.springframework.http.HttpStatus;

/**
 * The gRPC messages of the Open Inference Protocol to and from the protocol's request and tensors, the same that the
 * HTTP form reads and writes: tensor data from {@code raw_input_contents} (little-endian bytes, one entry per input)
 * or from the typed {@code contents}, parameters from any of the five {@code InferParameter} choices (a number in a
 * {@code string_param} is read as the number).
 */
final class GrpcTensors {

    /** Scheduling hints of the protocol: accepted, and meaningless for a computation this short. */
    private static final List<String> PROTOCOL_PARAMETERS = List.of("binary_data_output", "priority", "timeout");

    private static final Pattern INTEGER_TEXT = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private static final Pattern NUMBER_TEXT = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

    private GrpcTensors() {
    }

    /**
     * @param maxInputs    the most inputs the model takes
     * @param maxElements  the most elements all inputs may hold together (more is RESOURCE_EXHAUSTED)
     */
    static InferenceRequest request(ModelInferRequest request, int maxInputs, long maxElements) {
        if (request.getInputsCount() > maxInputs) {
            throw InferenceException.badRequest("The request has " + request.getInputsCount() + " inputs; the model"
                    + " takes at most " + maxInputs + ".");
        }
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw InferenceException.badRequest("raw_input_contents has " + request.getRawInputContentsCount()
                    + " entries for " + request.getInputsCount() + " inputs: give one per input, or none and the"
                    + " typed contents.");
        }
        long total = 0;
        List<int[]> shapes = new ArrayList<>();
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor input = request.getInputs(i);
            int[] shape = shape(input, i);
            shapes.add(shape);
            total += Tensor.sizeOf(shape);
        }
        if (total > maxElements) {
            throw new InferenceException(HttpStatus.CONTENT_TOO_LARGE, "The inputs hold " + total + " elements"
                    + " together, more than the " + maxElements + " this service accepts in one request.");
        }
        List<InputTensor> inputs = new ArrayList<>();
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor input = request.getInputs(i);
            TensorDatatype datatype = TensorDatatype.fromWireName(input.getDatatype());
            if (datatype == null) {
                throw InferenceException.badRequest("inputs[" + i + "] (" + input.getName() + "): datatype \""
                        + input.getDatatype() + "\" is not supported; the supported datatypes are FP32, FP64, INT32"
                        + " and INT64.");
            }
            if (raw && input.getContents().getSerializedSize() > 0) {
                // The protocol: with raw_input_contents, no input may have typed contents.
                throw InferenceException.badRequest("inputs[" + i + "] (" + input.getName() + ") has typed contents"
                        + " beside raw_input_contents: give every input in raw_input_contents, or every input in its"
                        + " contents.");
            }
            Tensor values = raw ? fromBytes(request.getRawInputContents(i), datatype, shapes.get(i), input)
                    : fromContents(input.getContents(), datatype, shapes.get(i), input);
            inputs.add(new InputTensor(i, input.getName(), datatype, values));
        }
        Violations violations = new Violations();
        for (int i = 0; i < request.getInputsCount(); i++) {
            String at = "/inputs/" + i + "/parameters/";
            request.getInputs(i).getParametersMap().forEach((name, parameter) -> violations.add(
                    at + name, name.startsWith("shared_memory_")
                            ? "shared memory is not supported; send the data in the message"
                            : "unknown parameter; an input takes no parameters over gRPC (its data is in"
                                    + " raw_input_contents or its contents)"));
        }
        List<RequestedOutput> outputs = new ArrayList<>();
        for (int i = 0; i < request.getOutputsCount(); i++) {
            ModelInferRequest.InferRequestedOutputTensor output = request.getOutputs(i);
            String at = "/outputs/" + i + "/parameters/";
            output.getParametersMap().forEach((name, parameter) -> {
                // The HTTP form's rules: binary_data is the one parameter of an output; over gRPC it changes nothing
                // (raw requests are answered raw), so it is only checked.
                if (name.equals("binary_data")) {
                    if (parameter.getParameterChoiceCase() != InferParameter.ParameterChoiceCase.BOOL_PARAM) {
                        violations.add(at + name, "expected a boolean, found " + scalar(parameter).description());
                    }
                } else if (name.equals("classification")) {
                    violations.add(at + name, "the classification extension is not supported");
                } else if (name.startsWith("shared_memory_")) {
                    violations.add(at + name, "shared memory is not supported; the outputs are in the answer");
                } else {
                    violations.add(at + name, "unknown parameter; an output's parameter is binary_data");
                }
            });
            outputs.add(new RequestedOutput(output.getName(), raw));
        }
        Map<String, RawScalar> parameters = new LinkedHashMap<>();
        request.getParametersMap().forEach((name, parameter) -> {
            if (!PROTOCOL_PARAMETERS.contains(name)) {
                parameters.put(name, scalar(parameter));
            }
        });
        return new InferenceRequest(request.getId().isEmpty() ? null : request.getId(), inputs,
                outputs.isEmpty() ? null : outputs, parameters, raw, violations);
    }

    /** The response: raw bytes in {@code raw_output_contents} when the request sent raw inputs, else typed contents. */
    static ModelInferResponse response(String model, String version, String id, List<OutputTensor> outputs) {
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder().setModelName(model)
                .setModelVersion(version);
        if (id != null) {
            response.setId(id);
        }
        for (OutputTensor output : outputs) {
            Tensor values = output.values();
            ModelInferResponse.InferOutputTensor.Builder tensor = ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(output.name()).setDatatype(output.datatype());
            for (int dimension : values.shape()) {
                tensor.addShape(dimension);
            }
            if (output.binary()) {
                response.addRawOutputContents(UnsafeByteOperations.unsafeWrap(values.bytes(), values.offset(),
                        values.byteSize()));
            } else {
                InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                for (int i = 0; i < values.size(); i++) {
                    if (values.dtype() == DType.FLOAT64) {
                        contents.addFp64Contents(values.get(i));
                    } else {
                        contents.addFp32Contents(values.getFloat(i));
                    }
                }
                tensor.setContents(contents);
            }
            response.addOutputs(tensor);
        }
        return response.build();
    }

    private static int[] shape(ModelInferRequest.InferInputTensor input, int index) {
        int[] shape = new int[input.getShapeCount()];
        if (shape.length > 8) {
            throw InferenceException.badRequest("inputs[" + index + "] (" + input.getName() + "): the shape has more"
                    + " than 8 dimensions.");
        }
        long elements = 1;
        for (int d = 0; d < shape.length; d++) {
            long dimension = input.getShape(d);
            if (dimension < 0 || dimension > Integer.MAX_VALUE) {
                throw InferenceException.badRequest("inputs[" + index + "] (" + input.getName() + "): dimension "
                        + d + " of the shape is " + dimension + "; a dimension is in [0, " + Integer.MAX_VALUE + "].");
            }
            shape[d] = (int) dimension;
            elements = Math.min(elements * Math.max(dimension, 1), Long.MAX_VALUE / 2);
        }
        if (elements > Integer.MAX_VALUE / 8) {
            throw new InferenceException(HttpStatus.CONTENT_TOO_LARGE, "inputs[" + index + "] (" + input.getName()
                    + "): the shape holds more elements than a tensor may have.");
        }
        return shape;
    }

    private static Tensor fromBytes(ByteString bytes, TensorDatatype datatype, int[] shape,
            ModelInferRequest.InferInputTensor input) {
        int size = Tensor.sizeOf(shape);
        long expected = (long) size * datatype.bytes();
        if (bytes.size() != expected) {
            throw InferenceException.badRequest("raw_input_contents of input \"" + input.getName() + "\" has "
                    + bytes.size() + " bytes, but " + size + " " + datatype + " elements take " + expected + ".");
        }
        if (datatype == TensorDatatype.INT32) {
            ByteBuffer ints = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            Tensor widened = Tensor.allocate(DType.INT64, shape);
            for (int i = 0; i < size; i++) {
                widened.setLong(i, ints.getInt(i * Integer.BYTES));
            }
            return widened;
        }
        return inOnePiece(bytes, datatype.elementType(), shape);
    }

    /**
     * A tensor over the bytes where they are when they are one piece of an array that does not change (the message's
     * own array, which the parser aliases, or one it copied them into: nothing writes into an input tensor, and the
     * message is dropped once read), else over a copy.
     */
    private static Tensor inOnePiece(ByteString bytes, DType dtype, int[] shape) {
        OnePiece piece = new OnePiece(bytes.size());
        try {
            UnsafeByteOperations.unsafeWriteTo(bytes, piece);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return piece.array != null ? Tensor.wrap(dtype, shape, piece.array, piece.offset, piece.length)
                : Tensor.wrap(dtype, shape, bytes.toByteArray());
    }

    /** Receives where a ByteString's bytes are when they are one piece of an array that will not change. */
    private static final class OnePiece extends ByteOutput {
        private final int length;
        private byte[] array;
        private int offset;
        private boolean pieces;

        OnePiece(int length) {
            this.length = length;
        }

        @Override
        public void writeLazy(byte[] value, int offset, int count) {
            if (!pieces && array == null && count == length) {
                array = value;
                this.offset = offset;
            } else {
                inPieces();
            }
        }

        /** Bytes that may change after the call, or a string in pieces: copied instead. */
        private void inPieces() {
            array = null;
            pieces = true;
        }

        @Override
        public void write(byte[] value, int offset, int count) {
            inPieces();
        }

        @Override
        public void write(byte value) {
            inPieces();
        }

        @Override
        public void write(ByteBuffer value) {
            inPieces();
        }

        @Override
        public void writeLazy(ByteBuffer value) {
            inPieces();
        }
    }

    private static Tensor fromContents(InferTensorContents contents, TensorDatatype datatype, int[] shape,
            ModelInferRequest.InferInputTensor input) {
        int size = Tensor.sizeOf(shape);
        int given = switch (datatype) {
            case FP32 -> contents.getFp32ContentsCount();
            case FP64 -> contents.getFp64ContentsCount();
            case INT32 -> contents.getIntContentsCount();
            case INT64 -> contents.getInt64ContentsCount();
        };
        if (given != size) {
            throw InferenceException.badRequest("input \"" + input.getName() + "\" has " + given + " "
                    + datatype + " contents, but its shape holds " + size + " elements (typed contents go in the field"
                    + " of the datatype: fp32_contents, fp64_contents, int_contents or int64_contents).");
        }
        // Contents in another field as well leave the tensor ambiguous, as typed contents beside raw ones do.
        List<String> others = new ArrayList<>();
        addIfGiven(others, "bool_contents", contents.getBoolContentsCount());
        addIfGiven(others, "int_contents", datatype == TensorDatatype.INT32 ? 0 : contents.getIntContentsCount());
        addIfGiven(others, "int64_contents", datatype == TensorDatatype.INT64 ? 0 : contents.getInt64ContentsCount());
        addIfGiven(others, "uint_contents", contents.getUintContentsCount());
        addIfGiven(others, "uint64_contents", contents.getUint64ContentsCount());
        addIfGiven(others, "fp32_contents", datatype == TensorDatatype.FP32 ? 0 : contents.getFp32ContentsCount());
        addIfGiven(others, "fp64_contents", datatype == TensorDatatype.FP64 ? 0 : contents.getFp64ContentsCount());
        addIfGiven(others, "bytes_contents", contents.getBytesContentsCount());
        if (!others.isEmpty()) {
            throw InferenceException.badRequest("input \"" + input.getName() + "\" (" + datatype + ") also has "
                    + String.join(" and ", others) + ": give its contents in one field, the datatype's.");
        }
        Tensor tensor = Tensor.allocate(datatype.elementType(), shape);
        for (int i = 0; i < size; i++) {
            switch (datatype) {
                case FP32 -> tensor.setFloat(i, contents.getFp32Contents(i));
                case FP64 -> tensor.set(i, contents.getFp64Contents(i));
                case INT32 -> tensor.setLong(i, contents.getIntContents(i));
                case INT64 -> tensor.setLong(i, contents.getInt64Contents(i));
            }
        }
        return tensor;
    }

    private static void addIfGiven(List<String> fields, String field, int count) {
        if (count > 0) {
            fields.add(field);
        }
    }

    /** A parameter as the loss's signature judges it; a number sent as a string is the number. */
    static RawScalar scalar(InferParameter parameter) {
        return switch (parameter.getParameterChoiceCase()) {
            case BOOL_PARAM -> new RawScalar(parameter.getBoolParam(), "the boolean " + parameter.getBoolParam());
            case INT64_PARAM -> new RawScalar(parameter.getInt64Param(), "the integer " + parameter.getInt64Param());
            case DOUBLE_PARAM -> new RawScalar(parameter.getDoubleParam(), "the number " + parameter.getDoubleParam());
            case UINT64_PARAM -> {
                long value = parameter.getUint64Param();
                yield value >= 0 ? new RawScalar(value, "the integer " + value)
                        : new RawScalar(Double.parseDouble(Long.toUnsignedString(value)),
                                "the integer " + Long.toUnsignedString(value));
            }
            case STRING_PARAM -> fromString(parameter.getStringParam());
            case PARAMETERCHOICE_NOT_SET -> new RawScalar(null, "an empty parameter");
        };
    }

    private static RawScalar fromString(String text) {
        String description = "the string \"" + (text.length() > 24 ? text.substring(0, 24) + "..." : text) + "\"";
        // A number written as JSON writes one, nothing around it: "0.1", "-100", "1e-3"; not " 0.1", "+1", "01", ".5".
        if (INTEGER_TEXT.matcher(text).matches()) {
            return new RawScalar(Long.parseLong(text), description);
        }
        if (NUMBER_TEXT.matcher(text).matches()) {
            return new RawScalar(Double.parseDouble(text), description);
        }
        return new RawScalar(text, description);
    }
}
