package lossservice.inference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.http.HttpStatus;

import lossservice.crossentropy.Reduction;
import lossservice.json.JsonPointers;
import lossservice.json.JsonRequestBodies;
import lossservice.json.JsonTokens;
import lossservice.json.NumberArray;
import lossservice.json.NumberArrayReader;
import lossservice.limits.LimitsProperties;
import lossservice.problem.MalformedRequestException;
import lossservice.problem.Violations;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;

/**
 * Reads an Open Inference Protocol inference request body: a JSON object, followed, when the
 * {@code Inference-Header-Content-Length} header is present, by the binary data of the inputs that carry a
 * {@code binary_data_size} parameter, in the order of {@code inputs} (the binary tensor data extension).
 *
 * <p>The JSON is streamed with Jackson's parser; a tensor's JSON {@code data}, nested or flat, goes through the
 * service's {@link NumberArrayReader}. Binary data is copied little-endian straight from the body into the
 * primitive array of the tensor's datatype, one chunk at a time, with no per-element work. Every tensor is
 * checked against its own declaration here (datatype, shape, element count, binary size); what the model makes
 * of the tensors is {@link CrossEntropyModel}'s business.
 */
final class InferenceRequestReader {

    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    /** Binary data accepted when the body's length is not known in advance (chunked or compressed). */
    static final long MAX_BINARY_BYTES_OF_UNKNOWN_LENGTH = 256L << 20;

    private static final int CHUNK_BYTES = 64 << 10;
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final String REQUEST_FIELDS = "id, inputs, outputs, parameters, model_name, model_version";
    private static final String PARAMETERS =
            "epsilon, label_smooth, reduction, ignore_index, num_classes, binary_data_output, priority, timeout";

    private final JsonRequestBodies jsonBodies;
    private final NumberArrayReader dataReader;
    private final long maxElements;

    /**
     * The JSON endpoints' limits: their parser setup, and {@code loss.limits.max-elements} for each tensor (so N x C
     * for the logits), checked against the declared shape before any binary data is read, and while JSON data is
     * read.
     */
    InferenceRequestReader(LimitsProperties limits) {
        this.jsonBodies = new JsonRequestBodies(limits);
        this.maxElements = limits.maxElements();
        this.dataReader = new NumberArrayReader(2, true, maxElements);
    }

    /**
     * @param body           the request body, already decompressed
     * @param contentLength  its length in bytes, or -1 when unknown
     * @param headerLength   the value of {@code Inference-Header-Content-Length}, or null when absent
     */
    InferenceRequest read(InputStream body, long contentLength, String headerLength) throws IOException {
        Long jsonLength = parseHeaderLength(headerLength, contentLength);
        InputStream json = jsonLength == null ? body : new LimitedInputStream(body, jsonLength);
        Violations violations = new Violations();
        Header header = parseJson(json, jsonLength, violations);
        violations.throwIfAny();

        long binaryBytes = 0;
        for (DeclaredInput input : header.inputs) {
            if (input.binaryDataSize != null) {
                binaryBytes += input.binaryDataSize;
            }
        }
        if (jsonLength == null && binaryBytes > 0) {
            throw InferenceException.badRequest("An input has a binary_data_size parameter but the request has no "
                    + HEADER_LENGTH + " header giving the length of its JSON part.");
        }
        if (jsonLength != null) {
            checkBinaryLength(binaryBytes, contentLength, jsonLength);
        }

        List<InputTensor> inputs = new ArrayList<>();
        byte[] chunk = binaryBytes > 0 ? new byte[(int) Math.min(CHUNK_BYTES, binaryBytes)] : null;
        for (DeclaredInput input : header.inputs) {
            TensorValues values = input.binaryDataSize != null
                    ? readBinary(body, input, chunk)
                    : fromJson(input, violations);
            inputs.add(new InputTensor(input.index, input.name, input.datatype, input.shape, values));
        }
        if (jsonLength != null && contentLength < 0 && body.read() >= 0) {
            throw InferenceException.badRequest("The body has more bytes after the binary data of the inputs than"
                    + " their binary_data_size parameters add up to (" + binaryBytes + ").");
        }
        violations.throwIfAny();
        return new InferenceRequest(header.id, inputs, header.outputs, header.epsilon, header.labelSmooth,
                header.reduction, header.ignoreIndex, header.numClasses, header.binaryDataOutput != null && header.binaryDataOutput);
    }

    private static Long parseHeaderLength(String value, long contentLength) {
        if (value == null) {
            return null;
        }
        String digits = value.strip();
        long length;
        try {
            length = digits.matches("[0-9]{1,18}") ? Long.parseLong(digits) : -1;
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length <= 0) {
            throw InferenceException.badRequest(HEADER_LENGTH + " must be a positive integer, the length in bytes of"
                    + " the JSON at the start of the body; found \"" + abbreviate(value) + "\".");
        }
        if (contentLength >= 0 && length > contentLength) {
            throw InferenceException.badRequest(HEADER_LENGTH + " (" + length + ") is larger than the body ("
                    + contentLength + " bytes).");
        }
        return length;
    }

    private static void checkBinaryLength(long binaryBytes, long contentLength, long jsonLength) {
        if (contentLength >= 0) {
            long remaining = contentLength - jsonLength;
            if (remaining != binaryBytes) {
                throw InferenceException.badRequest("The body has " + remaining + " bytes after its JSON part ("
                        + HEADER_LENGTH + ": " + jsonLength + "), but the binary_data_size parameters of the inputs"
                        + " add up to " + binaryBytes + ".");
            }
        } else if (binaryBytes > MAX_BINARY_BYTES_OF_UNKNOWN_LENGTH) {
            throw new InferenceException(HttpStatus.CONTENT_TOO_LARGE, "A body of unknown length (chunked or"
                    + " compressed) may carry at most " + MAX_BINARY_BYTES_OF_UNKNOWN_LENGTH + " bytes of binary"
                    + " data; send a Content-Length for larger tensors.");
        }
    }

    // ---- the JSON part ----------------------------------------------------------------------------------

    /** An input as the JSON declares it, before its binary data is read. */
    private static final class DeclaredInput {
        int index;
        String name;
        TensorDatatype datatype;
        long[] shape;
        int elements;
        Long binaryDataSize;
        NumberArray data;
        String pointer;
    }

    private static final class Header {
        String id;
        List<DeclaredInput> inputs = new ArrayList<>();
        List<RequestedOutput> outputs;
        Double epsilon;
        Boolean labelSmooth;
        Reduction reduction;
        Long ignoreIndex;
        Long numClasses;
        Boolean binaryDataOutput;
    }

    private Header parseJson(InputStream json, Long jsonLength, Violations violations) {
        Header header = new Header();
        try (JsonParser parser = jsonBodies.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MalformedRequestException("The body is empty; expected a JSON inference request.");
            }
            if (first != JsonToken.START_OBJECT) {
                throw InferenceException.badRequest("The inference request must be a JSON object, found "
                        + JsonTokens.describe(parser) + ".");
            }
            boolean sawInputs = false;
            Set<String> seen = new HashSet<>();
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                String pointer = JsonPointers.member("", name);
                parser.nextToken();
                if (!seen.add(name)) {
                    violations.add(pointer, "the field appears more than once");
                    JsonTokens.skipValue(parser);
                    continue;
                }
                switch (name) {
                    case "id" -> header.id = readString(parser, pointer, violations);
                    case "model_name", "model_version" -> readString(parser, pointer, violations);
                    case "parameters" -> readRequestParameters(parser, pointer, header, violations);
                    case "inputs" -> {
                        sawInputs = true;
                        readInputs(parser, pointer, header, violations);
                    }
                    case "outputs" -> header.outputs = readOutputs(parser, pointer, violations);
                    default -> {
                        violations.add(pointer, "unknown field; the fields are " + REQUEST_FIELDS);
                        JsonTokens.skipValue(parser);
                    }
                }
            }
            requireEnd(parser, jsonLength);
            if (!sawInputs) {
                violations.add("/inputs", "is required: the input tensors");
            }
        } catch (StreamConstraintsException e) {
            throw new MalformedRequestException(jsonBodies.parserLimitMessage());
        } catch (UnexpectedEndOfInputException e) {
            throw new MalformedRequestException(jsonLength == null
                    ? "The body ends before the JSON inference request is complete."
                    : "The JSON inference request is not complete within the first " + jsonLength + " bytes of the"
                            + " body (" + HEADER_LENGTH + ").");
        } catch (StreamReadException e) {
            TokenStreamLocation location = e.getLocation();
            throw new MalformedRequestException("The inference request is not well-formed JSON"
                    + (location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr())
                    + (jsonLength == null ? "" : " (its JSON part is the first " + jsonLength + " bytes of the body,"
                            + " as " + HEADER_LENGTH + " says)") + ".");
        } catch (JacksonException e) {
            throw new MalformedRequestException("The body could not be read.");
        }
        return header;
    }

    /** Nothing may follow the JSON object within its part of the body. */
    private static void requireEnd(JsonParser parser, Long jsonLength) {
        boolean trailing;
        try {
            trailing = parser.nextToken() != null;
        } catch (StreamReadException e) {
            trailing = true;
        }
        if (trailing) {
            throw new MalformedRequestException(jsonLength == null
                    ? "Unexpected content after the JSON inference request; binary tensor data must be announced"
                            + " with the " + HEADER_LENGTH + " header (the length of the JSON part)."
                    : "Unexpected content after the JSON inference request within the first " + jsonLength
                            + " bytes of the body (" + HEADER_LENGTH + ").");
        }
    }

    private static void readRequestParameters(JsonParser parser, String pointer, Header header, Violations violations) {
        if (!expectObject(parser, pointer, violations)) {
            return;
        }
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            String at = JsonPointers.member(pointer, name);
            parser.nextToken();
            switch (name) {
                case "epsilon" -> header.epsilon = readNumber(parser, at, violations);
                case "label_smooth" -> header.labelSmooth = readBoolean(parser, at, violations);
                case "binary_data_output" -> header.binaryDataOutput = readBoolean(parser, at, violations);
                case "ignore_index" -> header.ignoreIndex = readInteger(parser, at, violations);
                case "num_classes" -> header.numClasses = readInteger(parser, at, violations);
                case "reduction" -> {
                    String text = readString(parser, at, violations);
                    header.reduction = text == null ? null : Reduction.fromWireName(text);
                    if (text != null && header.reduction == null) {
                        violations.add(at, "expected \"mean\", \"sum\" or \"none\", found \"" + abbreviate(text) + "\"");
                    }
                }
                // Scheduling hints of the protocol: accepted, and meaningless for a computation this short.
                case "priority", "timeout" -> readNumber(parser, at, violations);
                default -> {
                    violations.add(at, "unknown parameter; the parameters are " + PARAMETERS);
                    JsonTokens.skipValue(parser);
                }
            }
        }
    }

    private void readInputs(JsonParser parser, String pointer, Header header, Violations violations) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            violations.add(pointer, "expected an array of input tensors, found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
            return;
        }
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String at = JsonPointers.element(pointer, index);
            DeclaredInput input = readInput(parser, at, violations);
            if (input != null) {
                input.index = index;
                header.inputs.add(input);
            }
            index++;
        }
    }

    private DeclaredInput readInput(JsonParser parser, String pointer, Violations violations) {
        if (!expectObject(parser, pointer, violations)) {
            return null;
        }
        DeclaredInput input = new DeclaredInput();
        input.pointer = pointer;
        String datatype = null;
        boolean valid = true;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            String at = JsonPointers.member(pointer, name);
            parser.nextToken();
            switch (name) {
                case "name" -> input.name = readString(parser, at, violations);
                case "datatype" -> datatype = readString(parser, at, violations);
                case "shape" -> input.shape = readShape(parser, at, violations);
                case "parameters" -> valid &= readInputParameters(parser, at, input, violations);
                case "data" -> {
                    if (parser.currentToken() == JsonToken.START_ARRAY) {
                        input.data = dataReader.read(parser, at, violations);
                        valid &= !violations.hasAtOrBelow(at);
                    } else {
                        violations.add(at, "expected an array of numbers, found " + JsonTokens.describe(parser));
                        JsonTokens.skipValue(parser);
                        valid = false;
                    }
                }
                default -> {
                    violations.add(at, "unknown field; the fields of an input are name, shape, datatype,"
                            + " parameters, data");
                    JsonTokens.skipValue(parser);
                }
            }
        }
        if (input.name == null) {
            violations.add(pointer + "/name", "is required");
            valid = false;
        }
        if (datatype == null) {
            violations.add(pointer + "/datatype", "is required");
            valid = false;
        } else {
            input.datatype = TensorDatatype.fromWireName(datatype);
            if (input.datatype == null) {
                violations.add(pointer + "/datatype", "datatype \"" + abbreviate(datatype)
                        + "\" is not supported; the supported datatypes are FP32, FP64, INT32 and INT64");
                valid = false;
            }
        }
        if (input.shape == null) {
            if (!violations.hasAtOrBelow(pointer + "/shape")) {
                violations.add(pointer + "/shape", "is required");
            }
            valid = false;
        }
        if (input.data != null && input.binaryDataSize != null) {
            violations.add(pointer, "has both data and a binary_data_size parameter; give one of them");
            valid = false;
        } else if (input.data == null && input.binaryDataSize == null && valid) {
            violations.add(pointer, "has no data: give data, or binary_data_size and the bytes after the JSON");
            valid = false;
        }
        if (!valid) {
            return input;
        }
        long elements = 1;
        for (long dimension : input.shape) {
            elements = dimension != 0 && elements > Long.MAX_VALUE / dimension ? Long.MAX_VALUE : elements * dimension;
        }
        if (elements > MAX_ELEMENTS) {
            violations.add(pointer + "/shape", "has " + elements + " elements, more than a tensor may have ("
                    + MAX_ELEMENTS + ")");
            return input;
        }
        if (elements > maxElements) {
            violations.add(pointer + "/shape", "has " + elements + " elements, more than the " + maxElements
                    + " this service accepts");
            return input;
        }
        input.elements = (int) elements;
        if (input.binaryDataSize != null && input.binaryDataSize != elements * input.datatype.bytes()) {
            violations.add(pointer + "/parameters/binary_data_size", "is " + input.binaryDataSize + " bytes, but "
                    + elements + " " + input.datatype + " elements (shape " + shapeText(input.shape) + ") take "
                    + elements * input.datatype.bytes() + " bytes");
        }
        if (input.data != null) {
            checkDataShape(input, violations);
        }
        return input;
    }

    /** Flat data must hold the shape's element count; nested data must have the shape itself. */
    private static void checkDataShape(DeclaredInput input, Violations violations) {
        int[] dataShape = input.data.shape();
        String at = input.pointer + "/data";
        if (dataShape.length == 1 || input.data.length() == 0) {
            if (input.data.length() != input.elements) {
                violations.add(at, "has " + input.data.length() + " elements, but shape " + shapeText(input.shape)
                        + " has " + input.elements);
            }
            return;
        }
        boolean same = dataShape.length == input.shape.length;
        for (int i = 0; same && i < dataShape.length; i++) {
            same = dataShape[i] == input.shape[i];
        }
        if (!same) {
            StringBuilder nested = new StringBuilder("[");
            for (int i = 0; i < dataShape.length; i++) {
                nested.append(i == 0 ? "" : ", ").append(dataShape[i]);
            }
            violations.add(at, "is nested as " + nested.append(']') + ", but the shape is " + shapeText(input.shape)
                    + "; nest it as the shape says or give it flat");
        }
    }

    private static boolean readInputParameters(JsonParser parser, String pointer, DeclaredInput input,
            Violations violations) {
        if (!expectObject(parser, pointer, violations)) {
            return false;
        }
        boolean valid = true;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            String at = JsonPointers.member(pointer, name);
            parser.nextToken();
            if (name.equals("binary_data_size")) {
                Long size = readInteger(parser, at, violations);
                if (size != null && size < 0) {
                    violations.add(at, "must be >= 0, found " + size);
                    size = null;
                }
                input.binaryDataSize = size;
                valid &= size != null;
            } else if (name.startsWith("shared_memory_")) {
                violations.add(at, "shared memory is not supported; send the data in the body");
                JsonTokens.skipValue(parser);
                valid = false;
            } else {
                violations.add(at, "unknown parameter; an input's parameter is binary_data_size");
                JsonTokens.skipValue(parser);
            }
        }
        return valid;
    }

    private static List<RequestedOutput> readOutputs(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            violations.add(pointer, "expected an array of requested outputs, found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
            return null;
        }
        List<RequestedOutput> outputs = new ArrayList<>();
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String at = JsonPointers.element(pointer, index++);
            if (!expectObject(parser, at, violations)) {
                continue;
            }
            String name = null;
            Boolean binaryData = null;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = parser.currentName();
                String fieldAt = JsonPointers.member(at, field);
                parser.nextToken();
                if (field.equals("name")) {
                    name = readString(parser, fieldAt, violations);
                } else if (field.equals("parameters") && expectObject(parser, fieldAt, violations)) {
                    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                        String parameter = parser.currentName();
                        String parameterAt = JsonPointers.member(fieldAt, parameter);
                        parser.nextToken();
                        if (parameter.equals("binary_data")) {
                            binaryData = readBoolean(parser, parameterAt, violations);
                        } else if (parameter.equals("classification")) {
                            violations.add(parameterAt, "the classification extension is not supported");
                            JsonTokens.skipValue(parser);
                        } else {
                            violations.add(parameterAt, "unknown parameter; an output's parameter is binary_data");
                            JsonTokens.skipValue(parser);
                        }
                    }
                } else if (!field.equals("parameters")) {
                    violations.add(fieldAt, "unknown field; the fields of an output are name, parameters");
                    JsonTokens.skipValue(parser);
                }
            }
            if (name == null) {
                violations.add(at + "/name", "is required");
            } else {
                outputs.add(new RequestedOutput(name, binaryData));
            }
        }
        return outputs;
    }

    private static long[] readShape(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            violations.add(pointer, "expected an array of dimensions, found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
            return null;
        }
        List<Long> dimensions = new ArrayList<>();
        boolean valid = true;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String at = JsonPointers.element(pointer, dimensions.size());
            Long dimension = readInteger(parser, at, violations);
            if (dimension != null && dimension < 0) {
                violations.add(at, "a dimension must be >= 0, found " + dimension);
            }
            valid &= dimension != null && dimension >= 0;
            dimensions.add(dimension);
            if (dimensions.size() > 8) {
                violations.add(pointer, "has more than 8 dimensions");
                parser.skipChildren();
                return null;
            }
        }
        if (!valid) {
            return null;
        }
        return dimensions.stream().mapToLong(Long::longValue).toArray();
    }

    private static boolean expectObject(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() == JsonToken.START_OBJECT) {
            return true;
        }
        violations.add(pointer, "expected an object, found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return false;
    }

    private static String readString(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() == JsonToken.VALUE_STRING) {
            return parser.getString();
        }
        violations.add(pointer, "expected a string, found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    private static Double readNumber(JsonParser parser, String pointer, Violations violations) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            double value = parser.getDoubleValue();
            if (Double.isFinite(value)) {
                return value;
            }
        }
        violations.add(pointer, "expected a finite number, found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    private static Boolean readBoolean(JsonParser parser, String pointer, Violations violations) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
            return token == JsonToken.VALUE_TRUE;
        }
        violations.add(pointer, "expected true or false, found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    private static Long readInteger(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT
                && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return parser.getLongValue();
        }
        violations.add(pointer, "expected a JSON integer (64-bit), found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    // ---- tensor data ------------------------------------------------------------------------------------

    /** JSON numbers into the datatype's array; integer datatypes take JSON integers only. */
    private static TensorValues fromJson(DeclaredInput input, Violations violations) {
        double[] values = input.data.values();
        boolean[] integral = input.data.integral();
        int n = input.elements;
        String at = input.pointer + "/data";
        switch (input.datatype) {
            case FP32 -> {
                float[] floats = new float[n];
                for (int i = 0; i < n; i++) {
                    floats[i] = (float) values[i];
                }
                return new TensorValues.Float32(floats);
            }
            case FP64 -> {
                return new TensorValues.Float64(java.util.Arrays.copyOf(values, n));
            }
            case INT32, INT64 -> {
                long min = input.datatype == TensorDatatype.INT32 ? Integer.MIN_VALUE : Long.MIN_VALUE;
                long max = input.datatype == TensorDatatype.INT32 ? Integer.MAX_VALUE : Long.MAX_VALUE;
                long[] longs = new long[n];
                for (int i = 0; i < n; i++) {
                    if (!integral[i]) {
                        violations.add(elementPointer(at, input, i), "an " + input.datatype
                                + " element must be a JSON integer, found " + values[i]);
                    } else if (values[i] < min || values[i] > max) {
                        violations.add(elementPointer(at, input, i), "does not fit " + input.datatype + ": "
                                + values[i]);
                    }
                    longs[i] = (long) values[i];
                }
                if (input.datatype == TensorDatatype.INT64) {
                    return new TensorValues.Int64(longs);
                }
                int[] ints = new int[n];
                for (int i = 0; i < n; i++) {
                    ints[i] = (int) longs[i];
                }
                return new TensorValues.Int32(ints);
            }
            default -> throw new IllegalStateException("unhandled datatype " + input.datatype);
        }
    }

    /** The pointer of flat element {@code i} in the data as it was written (flat or nested like the shape). */
    private static String elementPointer(String dataPointer, DeclaredInput input, int i) {
        if (input.data.depth() == 1 || input.shape.length < 2) {
            return dataPointer + "/" + i;
        }
        long columns = input.shape[1];
        return dataPointer + "/" + i / columns + "/" + i % columns;
    }

    /** Copies the input's bytes little-endian into the datatype's array, one chunk at a time. */
    private static TensorValues readBinary(InputStream body, DeclaredInput input, byte[] chunk) throws IOException {
        int n = input.elements;
        int elementBytes = input.datatype.bytes();
        int perChunk = chunk == null ? 0 : chunk.length / elementBytes;
        ByteBuffer bytes = chunk == null ? null : ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        TensorValues values = switch (input.datatype) {
            case FP32 -> new TensorValues.Float32(new float[n]);
            case FP64 -> new TensorValues.Float64(new double[n]);
            case INT32 -> new TensorValues.Int32(new int[n]);
            case INT64 -> new TensorValues.Int64(new long[n]);
        };
        for (int offset = 0; offset < n; offset += perChunk) {
            int count = Math.min(perChunk, n - offset);
            int length = count * elementBytes;
            if (body.readNBytes(chunk, 0, length) < length) {
                throw InferenceException.badRequest("The body ends inside the binary data of input \"" + input.name
                        + "\": it is shorter than the binary_data_size parameters say.");
            }
            bytes.clear();
            if (values instanceof TensorValues.Float32 floats) {
                bytes.asFloatBuffer().get(floats.values(), offset, count);
            } else if (values instanceof TensorValues.Float64 doubles) {
                bytes.asDoubleBuffer().get(doubles.values(), offset, count);
            } else if (values instanceof TensorValues.Int32 ints) {
                bytes.asIntBuffer().get(ints.values(), offset, count);
            } else if (values instanceof TensorValues.Int64 longs) {
                bytes.asLongBuffer().get(longs.values(), offset, count);
            }
        }
        return values;
    }

    static String shapeText(long[] shape) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(']').toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 24 ? text : text.substring(0, 24) + "...";
    }

    /** The first {@code limit} bytes of a stream: the parser must not read into the binary data after the JSON. */
    private static final class LimitedInputStream extends InputStream {

        private final InputStream in;
        private long remaining;

        LimitedInputStream(InputStream in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int read = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (read > 0) {
                remaining -= read;
            }
            return read;
        }

        @Override
        public void close() {
            // The body goes on after the JSON: closing the parser must not close it.
        }
    }
}
