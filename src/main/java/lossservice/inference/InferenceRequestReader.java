package lossservice.inference;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.http.HttpStatus;

import lossservice.json.JsonPointers;
import lossservice.json.JsonRequestBodies;
import lossservice.json.JsonTokens;
import lossservice.json.NumberArray;
import lossservice.json.NumberArrayLifter;
import lossservice.json.NumberArrayReader;
import lossservice.json.ShapeExpectation;
import lossservice.limits.LimitsProperties;
import lossservice.loss.RawScalar;
import lossservice.loss.Tensor;
import lossservice.problem.InvalidRequestException;
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
 * buffer of its {@link Tensor} in one read, with no per-element work (INT32 is widened to INT64). Every tensor is
 * checked against its own declaration here (datatype, shape, element count, binary size); what the loss makes of
 * the tensors is {@link ModelCalls}'s and the loss's signature's business.
 *
 * <p>Limits: at most {@code maxInputs} inputs (the loss's), and at most {@code loss.limits.max-elements} elements
 * in all of them together, known from the declared shapes before any binary data is read.
 */
final class InferenceRequestReader {

    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    /** Binary data accepted when the body's length is not known in advance (chunked or compressed). */
    static final long MAX_BINARY_BYTES_OF_UNKNOWN_LENGTH = 256L << 20;

    private static final int MAX_RANK = 8;
    private static final String REQUEST_FIELDS = "id, inputs, outputs, parameters, model_name, model_version";

    private final JsonRequestBodies jsonBodies;
    private final NumberArrayReader dataReader;
    /** The field of each input whose array is lifted out of the body, its integers recorded (INT64 data). */
    private static final Map<String, Boolean> LIFTED = Map.of("data", true);
    private final long maxElements;

    /**
     * The JSON endpoints' limits: their parser setup, and {@code loss.limits.max-elements} for the elements of all
     * the inputs together, checked against the declared shapes before any binary data is read, and while JSON data
     * is read.
     */
    InferenceRequestReader(LimitsProperties limits) {
        this.jsonBodies = new JsonRequestBodies(limits);
        this.maxElements = limits.maxElements();
        this.dataReader = new NumberArrayReader(MAX_RANK, true, maxElements);
    }

    /**
     * @param body           the request body, already decompressed
     * @param contentLength  its length in bytes, or -1 when unknown
     * @param headerLength   the value of {@code Inference-Header-Content-Length}, or null when absent
     * @param maxInputs      the most inputs the model takes
     * @param model          the model of the path, which a {@code model_name} in the body must name
     * @param version        the model's version, which a non-empty {@code model_version} in the body must be
     */
    InferenceRequest read(InputStream body, long contentLength, String headerLength, int maxInputs, String model,
            String version) throws IOException {
        Long jsonLength = parseHeaderLength(headerLength, contentLength);
        InputStream json = jsonLength == null ? body : new LimitedInputStream(body, jsonLength);
        Violations violations = new Violations();
        // The data of the inputs read from the bytes in one pass (a JSON part followed by binary data is read as it is).
        NumberArrayLifter lifter = jsonBodies.lifting(json, "inputs", LIFTED, maxElements);
        Header header = parseJson(lifter, jsonLength, violations, model, version);
        if (header.inputs.size() > maxInputs) {
            violations.add("/inputs", "has " + header.inputs.size() + " inputs; the model takes at most " + maxInputs);
        }
        checkTotalElements(header, violations);
        throwIfBroken(header, violations);

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
        for (DeclaredInput input : header.inputs) {
            Tensor values = input.binaryDataSize != null ? readBinary(body, input)
                    : fromJson(input, header.dataValues);
            inputs.add(new InputTensor(input.index, input.name, input.datatype, values));
        }
        if (jsonLength != null && contentLength < 0 && body.read() >= 0) {
            throw InferenceException.badRequest("The body has more bytes after the binary data of the inputs than"
                    + " their binary_data_size parameters add up to (" + binaryBytes + ").");
        }
        throwIfBroken(header, violations);
        return new InferenceRequest(header.id, inputs, header.outputs, header.parameters,
                header.binaryDataOutput != null && header.binaryDataOutput, header.dataValues);
    }

    /**
     * Stops at a request whose structure is broken (its tensors cannot be built), with every violation found so far.
     * Values of JSON data that break a rule do not stop it: they keep their place (as 0) and go on with the request,
     * to be listed with what the loss's rules find, as the JSON endpoints list them.
     */
    private static void throwIfBroken(Header header, Violations violations) {
        if (!violations.isEmpty() || header.raggedData) {
            violations.addAll(header.dataValues);
            violations.throwIfAny();
        }
    }

    /** The elements of all the inputs together, from their declared shapes, before any data is kept. */
    private void checkTotalElements(Header header, Violations violations) {
        long total = 0;
        for (DeclaredInput input : header.inputs) {
            total += input.elements;
        }
        if (total > maxElements) {
            violations.add("/inputs", "the inputs hold " + total + " elements together, more than the " + maxElements
                    + " this service accepts in one request");
        }
    }

    private static Long parseHeaderLength(String value, long contentLength) {
        if (value == null) {
            return null;
        }
        String digits = value.strip();
        long length;
        try {
            length = isDigits(digits, 18) ? Long.parseLong(digits) : -1;
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
        Map<String, RawScalar> parameters = new LinkedHashMap<>();
        Boolean binaryDataOutput;
        /** The numbers read from JSON data so far, for the limit on all inputs together. */
        long dataElements;
        /** What the values of JSON data break (and, when {@link #raggedData}, how the data is nested). */
        final Violations dataValues = new Violations();
        /** Whether some JSON data is not nested evenly: then its tensor cannot be built. */
        boolean raggedData;
        /** The body's JSON, with the data arrays of the inputs lifted out of it. */
        NumberArrayLifter lifter;
    }

    private Header parseJson(NumberArrayLifter json, Long jsonLength, Violations violations, String model,
            String version) {
        Header header = new Header();
        header.lifter = json;
        JsonParser parser = jsonBodies.createParser(json);
        try (parser) {
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
                if (repeated(seen, name, pointer, parser, violations)) {
                    continue;
                }
                switch (name) {
                    case "id" -> header.id = readString(parser, pointer, violations);
                    case "model_name" -> sameAsThePath(readString(parser, pointer, violations), model, "model",
                            pointer, violations);
                    case "model_version" -> {
                        String named = readString(parser, pointer, violations);
                        if (named != null && !named.isEmpty()) {
                            sameAsThePath(named, version, "version", pointer, violations);
                        }
                    }
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
            throw new InvalidRequestException(jsonBodies.parserLimitViolation(parser, e));
        } catch (UnexpectedEndOfInputException e) {
            throw new MalformedRequestException(jsonLength == null
                    ? "The body ends before the JSON inference request is complete."
                    : "The JSON inference request is not complete within the first " + jsonLength + " bytes of the"
                            + " body (" + HEADER_LENGTH + ").");
        } catch (StreamReadException e) {
            TokenStreamLocation location = e.getLocation();
            throw new MalformedRequestException("The inference request is not well-formed JSON"
                    + (location == null ? "" : " at line " + json.originalLine(location) + ", column "
                            + json.originalColumn(location))
                    + (jsonLength == null ? "" : " (its JSON part is the first " + jsonLength + " bytes of the body,"
                            + " as " + HEADER_LENGTH + " says)") + ".");
        } catch (JacksonException e) {
            throw new MalformedRequestException("The body could not be read.");
        }
        return header;
    }

    /**
     * A body may name the model (and version) its path names, as the protocol's gRPC form does; naming another one is
     * a mistake to report, not to answer with the path's model.
     */
    private static void sameAsThePath(String named, String expected, String what, String pointer,
            Violations violations) {
        if (named != null && !named.equals(expected)) {
            violations.add(pointer, "is \"" + abbreviate(named) + "\", but this is the " + what + " \"" + expected
                    + "\" (the path's)");
        }
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

    /**
     * The request's parameters: {@code binary_data_output} is the protocol's; {@code priority} and {@code timeout}
     * are scheduling hints of the protocol, accepted and meaningless for a computation this short; every other one
     * is kept as sent, for the loss's signature to judge.
     */
    private static void readRequestParameters(JsonParser parser, String pointer, Header header, Violations violations) {
        if (!expectObject(parser, pointer, violations)) {
            return;
        }
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            String at = JsonPointers.member(pointer, name);
            parser.nextToken();
            if (repeated(seen, name, at, parser, violations)) {
                continue;
            }
            switch (name) {
                case "binary_data_output" -> header.binaryDataOutput = readBoolean(parser, at, violations);
                case "priority", "timeout" -> readNumber(parser, at, violations);
                default -> header.parameters.put(name, readScalar(parser)); // null: the default, if the loss has it
            }
        }
    }

    /** A parameter's value as sent, whatever its type. */
    private static RawScalar readScalar(JsonParser parser) {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return RawScalar.NULL;
        }
        String description = JsonTokens.describe(parser);
        Object value = switch (parser.currentToken()) {
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (Object) parser.getDoubleValue() : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_STRING -> parser.getString();
            default -> null;
        };
        JsonTokens.skipValue(parser);
        return new RawScalar(value, description);
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
            DeclaredInput input = readInput(parser, at, header, violations);
            if (input != null) {
                input.index = index;
                header.inputs.add(input);
            }
            index++;
        }
    }

    private DeclaredInput readInput(JsonParser parser, String pointer, Header header, Violations violations) {
        if (!expectObject(parser, pointer, violations)) {
            return null;
        }
        DeclaredInput input = new DeclaredInput();
        input.pointer = pointer;
        String datatype = null;
        boolean valid = true;
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            String at = JsonPointers.member(pointer, name);
            parser.nextToken();
            if (repeated(seen, name, at, parser, violations)) {
                valid = false;
                continue;
            }
            switch (name) {
                case "name" -> input.name = readString(parser, at, violations);
                case "datatype" -> datatype = readString(parser, at, violations);
                case "shape" -> input.shape = readShape(parser, at, violations);
                case "parameters" -> valid &= readInputParameters(parser, at, input, violations);
                case "data" -> {
                    NumberArrayLifter.Lifted lifted = header.lifter.take(parser);
                    if (lifted != null || parser.currentToken() == JsonToken.START_ARRAY) {
                        String tooMany = "takes the request past " + maxElements
                                + " elements, the most this service accepts in the inputs of one request";
                        input.data = lifted != null
                                ? dataReader.read(lifted, at, header.dataValues, ShapeExpectation.NONE,
                                        maxElements - header.dataElements, tooMany)
                                : dataReader.read(parser, at, header.dataValues, ShapeExpectation.NONE,
                                        maxElements - header.dataElements, tooMany);
                        header.dataElements += input.data.length();
                        if (!input.data.rectangular()) {
                            header.raggedData = true;
                            valid = false;
                        }
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
            if (dimension > Integer.MAX_VALUE) {
                violations.add(pointer + "/shape", "has a dimension of " + dimension + ", more than a tensor may have");
                return input;
            }
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
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            String at = JsonPointers.member(pointer, name);
            parser.nextToken();
            if (repeated(seen, name, at, parser, violations)) {
                valid = false;
            } else if (name.equals("binary_data_size")) {
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
            Set<String> seen = new HashSet<>();
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = parser.currentName();
                String fieldAt = JsonPointers.member(at, field);
                parser.nextToken();
                if (repeated(seen, field, fieldAt, parser, violations)) {
                    continue;
                }
                if (field.equals("name")) {
                    name = readString(parser, fieldAt, violations);
                } else if (field.equals("parameters") && expectObject(parser, fieldAt, violations)) {
                    Set<String> seenParameters = new HashSet<>();
                    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                        String parameter = parser.currentName();
                        String parameterAt = JsonPointers.member(fieldAt, parameter);
                        parser.nextToken();
                        if (repeated(seenParameters, parameter, parameterAt, parser, violations)) {
                            continue;
                        }
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
            if (dimensions.size() > MAX_RANK) {
                violations.add(pointer, "has more than " + MAX_RANK + " dimensions");
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    JsonTokens.skipValue(parser);
                }
                return null;
            }
        }
        if (!valid) {
            return null;
        }
        long[] shape = new long[dimensions.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dimensions.get(i);
        }
        return shape;
    }

    /** Whether {@code text} is 1 to {@code maxDigits} ASCII digits. */
    private static boolean isDigits(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code name} was seen before in this object: then it is a violation at {@code pointer} (the protocol's
     * objects have no field that may repeat, and a parser that keeps the last value would hide the first) and its
     * value is skipped.
     */
    private static boolean repeated(Set<String> seen, String name, String pointer, JsonParser parser,
            Violations violations) {
        if (seen.add(name)) {
            return false;
        }
        violations.add(pointer, "appears more than once");
        JsonTokens.skipValue(parser);
        return true;
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

    /**
     * JSON numbers into a tensor of the datatype's element type (INT32 widened to INT64): integer datatypes take JSON
     * integers within their range only, FP32 numbers that fit float32 only. A value that breaks a rule is reported
     * and left 0 (a value that was not a number at all was reported as it was read, and kept its place as NaN).
     */
    private static Tensor fromJson(DeclaredInput input, Violations violations) {
        double[] values = input.data.values();
        boolean[] integral = input.data.integral();
        int n = input.elements;
        String at = input.pointer + "/data";
        Tensor tensor = Tensor.allocate(input.datatype.elementType(), dimensions(input.shape));
        switch (input.datatype) {
            case FP32, FP64 -> {
                for (int i = 0; i < n; i++) {
                    if (!Double.isFinite(values[i])) {
                        continue;
                    }
                    if (input.datatype == TensorDatatype.FP32 && Float.isInfinite((float) values[i])) {
                        violations.add(elementPointer(at, input, i), "does not fit FP32: " + values[i]
                                + " is beyond the float32 range; send FP64");
                        continue;
                    }
                    tensor.set(i, values[i]);
                }
            }
            case INT32, INT64 -> {
                double min = input.datatype == TensorDatatype.INT32 ? Integer.MIN_VALUE : -0x1p63;
                double max = input.datatype == TensorDatatype.INT32 ? Integer.MAX_VALUE : 0x1p63;
                for (int i = 0; i < n; i++) {
                    if (!Double.isFinite(values[i])) {
                        continue;
                    }
                    if (!integral[i]) {
                        violations.add(elementPointer(at, input, i), "an " + input.datatype
                                + " element must be a JSON integer, found " + values[i]);
                    } else if (values[i] < min || values[i] >= max && input.datatype == TensorDatatype.INT64
                            || values[i] > max) {
                        violations.add(elementPointer(at, input, i), "does not fit " + input.datatype + ": "
                                + values[i]);
                    } else {
                        tensor.setLong(i, (long) values[i]);
                    }
                }
            }
        }
        return tensor;
    }

    /** The pointer of flat element {@code i} in the data as it was written (flat or nested like the shape). */
    private static String elementPointer(String dataPointer, DeclaredInput input, int i) {
        if (input.data.depth() == 1) {
            return dataPointer + "/" + i;
        }
        return JsonPointers.ofElement(dataPointer, dimensions(input.shape), i);
    }

    /** Reads the input's little-endian bytes straight into its tensor (INT32 through a buffer, widened). */
    private static Tensor readBinary(InputStream body, DeclaredInput input) throws IOException {
        int[] shape = dimensions(input.shape);
        if (input.datatype == TensorDatatype.INT32) {
            byte[] int32 = new byte[input.elements * Integer.BYTES];
            readFully(body, int32, input);
            java.nio.IntBuffer ints = java.nio.ByteBuffer.wrap(int32).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .asIntBuffer();
            Tensor widened = Tensor.allocate(input.datatype.elementType(), shape);
            for (int i = 0; i < input.elements; i++) {
                widened.setLong(i, ints.get(i));
            }
            return widened;
        }
        Tensor tensor = Tensor.allocate(input.datatype.elementType(), shape);
        readFully(body, tensor.bytes(), input);
        return tensor;
    }

    private static void readFully(InputStream body, byte[] bytes, DeclaredInput input) throws IOException {
        if (body.readNBytes(bytes, 0, bytes.length) < bytes.length) {
            throw InferenceException.badRequest("The body ends inside the binary data of input \"" + input.name
                    + "\": it is shorter than the binary_data_size parameters say.");
        }
    }

    private static int[] dimensions(long[] shape) {
        int[] dimensions = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dimensions[i] = (int) shape[i];
        }
        return dimensions;
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
