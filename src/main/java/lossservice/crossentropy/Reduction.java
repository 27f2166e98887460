package lossservice.crossentropy;

/** How per-sample losses are combined, as in PyTorch's {@code reduction}. */
public enum Reduction {
    MEAN("mean"),
    SUM("sum"),
    NONE("none");

    private final String wireName;

    Reduction(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The reduction with this wire name, or null. Names are case-sensitive. */
    public static Reduction fromWireName(String name) {
        for (Reduction reduction : values()) {
            if (reduction.wireName.equals(name)) {
                return reduction;
            }
        }
        return null;
    }
}
