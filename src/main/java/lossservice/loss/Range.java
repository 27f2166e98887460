package lossservice.loss;

/**
 * The interval a number must lie in, each bound inclusive or exclusive, or absent (an infinite bound).
 *
 * @param noun  what one value is called in messages about an element ("a weight"), or null for a scalar field
 */
public record Range(Double min, boolean minInclusive, Double max, boolean maxInclusive, String noun) {

    public static Range between(double min, double max) {
        return new Range(min, true, max, true, null);
    }

    public static Range atLeast(double min) {
        return new Range(min, true, null, false, null);
    }

    public static Range above(double min) {
        return new Range(min, false, null, false, null);
    }

    public static Range atMost(double max) {
        return new Range(null, false, max, true, null);
    }

    /** The same range, with messages about one element called {@code noun}. */
    public Range of(String noun) {
        return new Range(min, minInclusive, max, maxInclusive, noun);
    }

    public boolean contains(double value) {
        boolean aboveMin = min == null || (minInclusive ? value >= min : value > min);
        boolean belowMax = max == null || (maxInclusive ? value <= max : value < max);
        return aboveMin && belowMax;
    }

    /** Null when the value is in the range, else the message to report ("must be in [0, 1], found 1.5"). */
    public String violation(double value) {
        if (contains(value)) {
            return null;
        }
        return (noun == null ? "" : noun + " ") + "must be " + describe() + ", found " + value;
    }

    /** "in [0, 1]", ">= 0", "> 0", "<= 1". */
    public String describe() {
        if (min != null && max != null) {
            return "in " + (minInclusive ? "[" : "(") + number(min) + ", " + number(max) + (maxInclusive ? "]" : ")");
        }
        if (min != null) {
            return (minInclusive ? ">= " : "> ") + number(min);
        }
        return max == null ? "finite" : (maxInclusive ? "<= " : "< ") + number(max);
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
