package lossservice.crossentropy;

import java.util.EnumSet;
import java.util.Set;

/** The arrays a client may ask for with {@code include}. */
public enum OptionalOutput {
    SMOOTHED_TARGETS("smoothedTargets"),
    PER_SAMPLE_LOSS("perSampleLoss"),
    PROBABILITIES("probabilities"),
    GRADIENT("gradient");

    /** What a request without {@code include} gets. */
    public static final Set<OptionalOutput> DEFAULT = EnumSet.of(SMOOTHED_TARGETS);

    private final String wireName;

    OptionalOutput(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The output with this wire name, or null. Names are case-sensitive. */
    public static OptionalOutput fromWireName(String name) {
        for (OptionalOutput output : values()) {
            if (output.wireName.equals(name)) {
                return output;
            }
        }
        return null;
    }
}
