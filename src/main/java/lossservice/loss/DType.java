package lossservice.loss;

/**
 * The element types of {@link Tensor}s: the two precisions a loss is computed in, and 64-bit integers for class
 * indices. Each has its name on the JSON endpoints ({@code "dtype"}) and on the Open Inference Protocol.
 */
public enum DType {
    FLOAT32("float32", "FP32", 4),
    FLOAT64("float64", "FP64", 8),
    INT64("int64", "INT64", 8);

    private final String wireName;
    private final String protocolName;
    private final int bytes;

    DType(String wireName, String protocolName, int bytes) {
        this.wireName = wireName;
        this.protocolName = protocolName;
        this.bytes = bytes;
    }

    /** The name in a JSON request's {@code dtype} and in responses. */
    public String wireName() {
        return wireName;
    }

    /** The Open Inference Protocol datatype. */
    public String protocolName() {
        return protocolName;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloatingPoint() {
        return this != INT64;
    }

    /** The compute precision with this wire name ("float32" or "float64"), or null. Names are case-sensitive. */
    public static DType precision(String wireName) {
        if (FLOAT32.wireName.equals(wireName)) {
            return FLOAT32;
        }
        return FLOAT64.wireName.equals(wireName) ? FLOAT64 : null;
    }
}
