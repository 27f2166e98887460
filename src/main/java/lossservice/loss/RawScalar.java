package lossservice.loss;

/**
 * A scalar as a transport read it, before the loss's rules.
 *
 * @param value        a {@code Boolean}, a {@code Long} (an integer within 64 bits), a {@code Double} (any other
 *                     number, possibly infinite when it overflowed), a {@code String}, or null for anything else
 * @param description  the value in words for messages ({@code the string "2"}, {@code an array})
 */
public record RawScalar(Object value, String description) {

    /** JSON's {@code null}: the default of a scalar the loss has. */
    public static final RawScalar NULL = new RawScalar(null, "null");

    /** Whether this is JSON's {@code null} (rather than a value of another type, such as an array). */
    public boolean isNull() {
        return equals(NULL);
    }
}
