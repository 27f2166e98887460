package lossservice.rest;

import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import lossservice.json.JsonPointers;
import lossservice.json.JsonRequestBodies;
import lossservice.json.JsonTokens;
import lossservice.json.NumberArray;
import lossservice.json.NumberArrayLifter;
import lossservice.json.NumberArrayReader;
import lossservice.json.ShapeExpectation;
import lossservice.limits.LimitsProperties;
import lossservice.loss.CallBinder;
import lossservice.loss.DType;
import lossservice.loss.InputSpec;
import lossservice.loss.LossDefinition;
import lossservice.loss.RawArray;
import lossservice.loss.RawRequest;
import lossservice.loss.RawScalar;
import lossservice.loss.ScalarSpec;
import lossservice.loss.Signature;
import lossservice.problem.Violations;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads the JSON body of {@code POST /v1/losses/{name}} for any loss, by its signature: one streaming pass with
 * Jackson's parser, arrays straight into primitive buffers (each read against the shape the inputs read before
 * it imply, so that a wrong length is reported where it is), every problem of the JSON itself reported at its
 * pointer. The loss's rules are {@link CallBinder}'s.
 *
 * <p>Fields may come in any order; {@code null} means the default; unknown and repeated fields are violations.
 * The numbers of all arrays together are bounded by {@code loss.limits.max-elements}: reading stops at the first
 * number past it, before any buffer grows further.
 */
final class JsonCallReader {

    private final JsonRequestBodies jsonBodies;
    private final long maxElements;
    /** For each loss, its inputs and whether the integers of each are recorded: the arrays a body's reading lifts. */
    private final Map<LossDefinition, Map<String, Boolean>> liftedFields = new ConcurrentHashMap<>();

    JsonCallReader(LimitsProperties limits) {
        this.jsonBodies = new JsonRequestBodies(limits);
        this.maxElements = limits.maxElements();
    }

    RawRequest read(LossDefinition definition, InputStream body, Violations violations) {
        RawRequest raw = new RawRequest();
        NumberArrayLifter lifter = jsonBodies.lifting(body,
                liftedFields.computeIfAbsent(definition, loss -> liftedFields(loss.signature())), maxElements);
        jsonBodies.readObject(lifter, violations, (parser, found) -> readFields(definition.signature(), parser,
                lifter, raw, found));
        return raw;
    }

    /** The inputs, each with whether its integers are recorded (class indices are). */
    private static Map<String, Boolean> liftedFields(Signature signature) {
        Map<String, Boolean> fields = new HashMap<>();
        for (InputSpec input : signature.inputs()) {
            fields.put(input.name(), input.accepts(InputSpec.Kind.INDEX));
        }
        return fields;
    }

    private void readFields(Signature signature, JsonParser parser, NumberArrayLifter lifter, RawRequest raw,
            Violations violations) {
        Set<String> seen = new HashSet<>();
        Map<String, int[]> known = new HashMap<>();
        long elements = 0;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            String pointer = JsonPointers.member("", name);
            parser.nextToken();
            if (!seen.add(name)) {
                violations.add(pointer, "the field appears more than once");
                JsonTokens.skipValue(parser);
                continue;
            }
            InputSpec input = signature.input(name);
            ScalarSpec scalar = input == null ? signature.scalar(name) : null;
            if (parser.currentToken() == JsonToken.VALUE_NULL
                    && (input != null || scalar != null || Signature.COMMON_FIELDS.contains(name))) {
                continue; // the default, or "is required" for an input that has none
            }
            if (input != null) {
                RawArray array = readArray(input, parser, lifter, pointer, known, elements, violations);
                if (array != null) {
                    elements += array.notAnArray() == null ? array.size() : 0;
                    raw.arrays.put(name, array);
                    if (array.usable() && CallBinder.usableShape(input, array.shape(), known)) {
                        known.put(name, array.shape());
                    }
                }
            } else if (scalar != null) {
                raw.scalars.put(name, readScalar(parser));
            } else {
                switch (name) {
                    case Signature.REDUCTION -> raw.reduction = readScalar(parser);
                    case Signature.INCLUDE -> raw.outputs = readOutputs(signature, parser, pointer, violations);
                    case Signature.DTYPE -> raw.dtype = readDtype(parser, pointer, violations);
                    default -> {
                        violations.add(pointer, "unknown field; the fields are "
                                + String.join(", ", signature.fieldNames()));
                        JsonTokens.skipValue(parser);
                    }
                }
            }
        }
    }

    private RawArray readArray(InputSpec input, JsonParser parser, NumberArrayLifter lifter, String pointer,
            Map<String, int[]> known, long elementsSoFar, Violations violations) {
        NumberArrayLifter.Lifted lifted = lifter.take(parser);
        if (lifted == null && parser.currentToken() != JsonToken.START_ARRAY) {
            String found = JsonTokens.describe(parser);
            JsonTokens.skipValue(parser);
            return RawArray.notAnArray(pointer, found); // reported by the binder, which knows the other inputs
        }
        NumberArrayReader reader = new NumberArrayReader(input.maxReadDepth(), input.accepts(InputSpec.Kind.INDEX));
        ShapeExpectation expectation = new ShapeExpectation(CallBinder.readingShape(input, known),
                "the " + referenceOf(input));
        String tooMany = "takes the request past " + maxElements
                + " numbers, the most this service accepts in the arrays of one request";
        NumberArray array = lifted != null
                ? reader.read(lifted, pointer, violations, expectation, maxElements - elementsSoFar, tooMany)
                : reader.read(parser, pointer, violations, expectation, maxElements - elementsSoFar, tooMany);
        return RawArray.ofJson(pointer, array.shape(), array.values(), array.integral(), array.rectangular());
    }

    /** The input a shape rule refers to, for messages ("the shape of the logits"). */
    private static String referenceOf(InputSpec input) {
        Set<String> references = input.references();
        return references.isEmpty() ? "" : references.iterator().next();
    }

    /** A scalar value at the parser's current token, whatever its type; the binder checks it against the spec. */
    static RawScalar readScalar(JsonParser parser) {
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

    /**
     * The outputs asked for. An unknown name is reported twice: at the entry, and at {@code /include}, the field as a
     * whole being a set of names.
     */
    private static Set<String> readOutputs(Signature signature, JsonParser parser, String pointer,
            Violations violations) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            violations.add(pointer, "expected an array of output names, found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
            return null;
        }
        Set<String> outputs = new LinkedHashSet<>();
        int index = 0;
        boolean unknown = false;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String name = parser.currentToken() == JsonToken.VALUE_STRING ? parser.getString() : null;
            if (name == null || signature.output(name) == null) {
                violations.add(JsonPointers.element(pointer, index), "expected one of "
                        + CallBinder.quoted(signature.outputNames()) + ", found " + JsonTokens.describe(parser));
                JsonTokens.skipValue(parser);
                unknown = true;
            } else {
                outputs.add(name);
            }
            index++;
        }
        if (unknown) {
            violations.add(pointer, "names an output this loss does not have; its outputs are "
                    + CallBinder.quoted(signature.outputNames()));
        }
        return outputs;
    }

    private static DType readDtype(JsonParser parser, String pointer, Violations violations) {
        DType dtype = parser.currentToken() == JsonToken.VALUE_STRING ? DType.precision(parser.getString()) : null;
        if (dtype == null) {
            violations.add(pointer, "expected \"float32\" or \"float64\", found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
        }
        return dtype;
    }
}
