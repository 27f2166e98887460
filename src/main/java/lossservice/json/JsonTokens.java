package lossservice.json;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/** Human names for JSON values, for error messages. */
public final class JsonTokens {

    private static final int MAX_QUOTED_STRING = 24;

    private JsonTokens() {
    }

    /** Describes the value at the parser's current token, e.g. {@code the string "NaN"} or {@code an array}. */
    public static String describe(JsonParser parser) {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "the string " + quote(parser.getString());
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + abbreviate(parser.getString());
            default -> "an unexpected token";
        };
    }

    private static String quote(String text) {
        return "\"" + abbreviate(text).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_QUOTED_STRING ? text : text.substring(0, MAX_QUOTED_STRING) + "...";
    }

    /** Skips the value at the current token, including everything inside it when it is an array or object. */
    public static void skipValue(JsonParser parser) {
        if (parser.currentToken() == JsonToken.START_ARRAY || parser.currentToken() == JsonToken.START_OBJECT) {
            parser.skipChildren();
        }
    }
}
