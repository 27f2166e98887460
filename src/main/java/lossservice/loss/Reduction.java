package lossservice.loss;

/** How the losses of the elements are combined into one, with PyTorch's names; each loss accepts some of them. */
public enum Reduction {
    MEAN("mean"),
    SUM("sum"),
    NONE("none"),
    /** The sum divided by the batch size N ({@code torch.nn.functional.kl_div}'s {@code batchmean}). */
    BATCH_MEAN("batchmean");

    private final String wireName;

    Reduction(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The reduction with this name, or null. Names are case-sensitive. */
    public static Reduction fromWireName(String name) {
        for (Reduction reduction : values()) {
            if (reduction.wireName.equals(name)) {
                return reduction;
            }
        }
        return null;
    }
}
