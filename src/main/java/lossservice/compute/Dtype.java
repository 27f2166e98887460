package lossservice.compute;

import org.nd4j.linalg.api.buffer.DataType;

/** The precision a request is computed in, named as on the wire ({@code "dtype"}). */
public enum Dtype {
    FLOAT32("float32", DataType.FLOAT),
    FLOAT64("float64", DataType.DOUBLE);

    private final String wireName;
    private final DataType dataType;

    Dtype(String wireName, DataType dataType) {
        this.wireName = wireName;
        this.dataType = dataType;
    }

    public String wireName() {
        return wireName;
    }

    /** The ND4J data type every array of the computation has. */
    public DataType dataType() {
        return dataType;
    }

    /** The dtype with this wire name, or null. Names are case-sensitive ("FLOAT64" is not one). */
    public static Dtype fromWireName(String name) {
        for (Dtype dtype : values()) {
            if (dtype.wireName.equals(name)) {
                return dtype;
            }
        }
        return null;
    }
}
