package lossservice.backend;

/** An ND4J backend this service can compute with. */
public enum BackendKind {
    CPU("cpu"),
    CUDA("cuda");

    private final String wireName;

    BackendKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in responses, logs and the {@code loss.backend} property. */
    public String wireName() {
        return wireName;
    }
}
