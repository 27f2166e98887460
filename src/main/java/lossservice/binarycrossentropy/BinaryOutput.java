package lossservice.binarycrossentropy;

import java.util.EnumSet;
import java.util.Set;

/** The arrays a binary cross-entropy client may ask for with {@code include}. */
public enum BinaryOutput {
    SMOOTHED_TARGETS("smoothedTargets"),
    ELEMENT_LOSS("elementLoss"),
    PROBABILITIES("probabilities"),
    GRADIENT("gradient");

    /** What a request without {@code include} gets. */
    public static final Set<BinaryOutput> DEFAULT = EnumSet.of(SMOOTHED_TARGETS);

    private final String wireName;

    BinaryOutput(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The output with this wire name, or null. Names are case-sensitive. */
    public static BinaryOutput fromWireName(String name) {
        for (BinaryOutput output : values()) {
            if (output.wireName.equals(name)) {
                return output;
            }
        }
        return null;
    }
}
