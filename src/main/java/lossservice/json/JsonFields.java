package lossservice.json;

import lossservice.problem.Violations;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Readers for the scalar fields of a request body, at the parser's current token. Each returns the value,
 * or reports a violation at the field's pointer, skips the value and returns null.
 */
public final class JsonFields {

    private JsonFields() {
    }

    /** A finite number (1e400 overflows a double and is refused, like the strings "NaN" and "Infinity"). */
    public static Double readNumber(JsonParser parser, String pointer, Violations violations, String expected) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            double value = parser.getDoubleValue();
            if (Double.isFinite(value)) {
                return value;
            }
        }
        violations.add(pointer, "expected " + expected + ", found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    /** A string that names one of {@code names}; {@code lookup} turns it into the value (null if unknown). */
    public static <T> T readName(JsonParser parser, String pointer, Violations violations,
            java.util.function.Function<String, T> lookup, String names) {
        if (parser.currentToken() == JsonToken.VALUE_STRING) {
            T value = lookup.apply(parser.getString());
            if (value != null) {
                return value;
            }
        }
        violations.add(pointer, "expected " + names + ", found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    /** A nested array of numbers, read by {@code reader}; anything else is reported at the field. */
    public static NumberArray readArray(JsonParser parser, String pointer, NumberArrayReader reader,
            Violations violations, String expected, ShapeExpectation expectation) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            violations.add(pointer, "expected " + expected + ", found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
            return null;
        }
        return reader.read(parser, pointer, violations, expectation);
    }
}
