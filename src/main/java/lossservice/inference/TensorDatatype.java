package lossservice.inference;

/** The Open Inference Protocol tensor datatypes this service reads and writes, with their sizes in bytes. */
enum TensorDatatype {
    FP32(4),
    FP64(8),
    INT32(4),
    INT64(8);

    private final int bytes;

    TensorDatatype(int bytes) {
        this.bytes = bytes;
    }

    int bytes() {
        return bytes;
    }

    boolean isFloatingPoint() {
        return this == FP32 || this == FP64;
    }

    /** The datatype with this protocol name (case-sensitive, as in the protocol), or null. */
    static TensorDatatype fromWireName(String name) {
        for (TensorDatatype datatype : values()) {
            if (datatype.name().equals(name)) {
                return datatype;
            }
        }
        return null;
    }
}
