package lossservice.loss;

/**
 * One scalar parameter of a loss: a JSON field, and a request parameter of the same name in snake_case on the
 * Open Inference Protocol.
 *
 * @param defaultValue  the value when it is absent or null ({@code Double}, {@code Long} or {@code Boolean}), or
 *                      null when absence has a meaning of its own
 * @param range         the numbers allowed (NUMBER and INTEGER), or null for any
 * @param echoed        whether the response repeats the value used
 */
public record ScalarSpec(String name, Type type, Object defaultValue, Range range, boolean echoed,
                         String description) {

    public enum Type {
        /** A JSON number, finite, and within float32 in a float32 computation. */
        NUMBER,
        /** A JSON integer (64-bit). */
        INTEGER,
        BOOLEAN
    }

    public static ScalarSpec number(String name, double defaultValue, Range range, String description) {
        return new ScalarSpec(name, Type.NUMBER, defaultValue, range, true, description);
    }

    public static ScalarSpec integer(String name, Long defaultValue, String description) {
        return new ScalarSpec(name, Type.INTEGER, defaultValue, null, true, description);
    }

    public static ScalarSpec flag(String name, boolean defaultValue, String description) {
        return new ScalarSpec(name, Type.BOOLEAN, defaultValue, null, true, description);
    }

    /** The same parameter, not repeated in the response. */
    public ScalarSpec notEchoed() {
        return new ScalarSpec(name, type, defaultValue, range, false, description);
    }

    public String parameterName() {
        return Names.snakeCase(name);
    }

    /** "a number in [0, 1]", "a JSON integer", "true or false", for messages. */
    public String expected() {
        return switch (type) {
            case NUMBER -> "a number" + (range == null ? "" : " " + range.describe());
            case INTEGER -> "a JSON integer (64-bit)";
            case BOOLEAN -> "true or false";
        };
    }
}
