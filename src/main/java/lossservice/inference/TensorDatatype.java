package lossservice.inference;

import lossservice.loss.DType;

/** The Open Inference Protocol tensor datatypes this service reads and writes, with their sizes in bytes. */
public enum TensorDatatype {
    FP32(4),
    FP64(8),
    INT32(4),
    INT64(8);

    private final int bytes;

    TensorDatatype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The element type of the tensor its data is read into: INT32 is widened to INT64. */
    public DType elementType() {
        return switch (this) {
            case FP32 -> DType.FLOAT32;
            case FP64 -> DType.FLOAT64;
            case INT32, INT64 -> DType.INT64;
        };
    }

    public boolean isFloatingPoint() {
        return this == FP32 || this == FP64;
    }

    /** The datatype with this protocol name (case-sensitive, as in the protocol), or null. */
    public static TensorDatatype fromWireName(String name) {
        for (TensorDatatype datatype : values()) {
            if (datatype.name().equals(name)) {
                return datatype;
            }
        }
        return null;
    }
}
