package lossservice.json;

import tools.jackson.core.JsonGenerator;

/**
 * Writes flat arrays of results as nested JSON arrays of a given shape, with Jackson's streaming generator.
 * Numbers are written as float32 or float64 values, each in its shortest round-trip form.
 */
public final class NestedArrays {

    private NestedArrays() {
    }

    /** A flat array of float32 or float64 numbers, or an undefined one (written as null). */
    public interface Values {
        boolean isNull();

        /** Whether every number is finite (true for an undefined array). */
        boolean allFinite();

        void write(JsonGenerator json, int index);
    }

    public static Values of(float[] values) {
        return new Values() {
            @Override
            public boolean isNull() {
                return values == null;
            }

            @Override
            public boolean allFinite() {
                if (values != null) {
                    for (float value : values) {
                        if (!Float.isFinite(value)) {
                            return false;
                        }
                    }
                }
                return true;
            }

            @Override
            public void write(JsonGenerator json, int index) {
                json.writeNumber(values[index]);
            }
        };
    }

    public static Values of(double[] values) {
        return new Values() {
            @Override
            public boolean isNull() {
                return values == null;
            }

            @Override
            public boolean allFinite() {
                if (values != null) {
                    for (double value : values) {
                        if (!Double.isFinite(value)) {
                            return false;
                        }
                    }
                }
                return true;
            }

            @Override
            public void write(JsonGenerator json, int index) {
                json.writeNumber(values[index]);
            }
        };
    }

    /** Values in row-major order written with the shape [n, spatial...]. */
    public static void writePerElement(JsonGenerator json, Values values, int n, int[] spatial) {
        if (values.isNull()) {
            json.writeNull();
            return;
        }
        int spatialSize = size(spatial);
        json.writeStartArray();
        for (int sample = 0; sample < n; sample++) {
            writeSpatial(json, values, spatial, 0, sample * spatialSize, 1, 0);
        }
        json.writeEndArray();
    }

    /**
     * Rows of {@code classes} values, one row per element (sample, spatial...) in that order, written with the
     * shape [n, classes, spatial...]: the class axis goes back to dimension 1.
     */
    public static void writePerClass(JsonGenerator json, Values values, int n, int classes, int[] spatial) {
        if (values.isNull()) {
            json.writeNull();
            return;
        }
        int spatialSize = size(spatial);
        json.writeStartArray();
        for (int sample = 0; sample < n; sample++) {
            json.writeStartArray();
            for (int cls = 0; cls < classes; cls++) {
                writeSpatial(json, values, spatial, 0, sample * spatialSize, classes, cls);
            }
            json.writeEndArray();
        }
        json.writeEndArray();
    }

    /** Values in row-major order written with exactly this shape (at least one dimension). */
    public static void writeRowMajor(JsonGenerator json, Values values, int[] shape) {
        if (values.isNull()) {
            json.writeNull();
            return;
        }
        writeSpatial(json, values, shape, 0, 0, 1, 0);
    }

    /**
     * Writes the spatial dimensions from {@code level} on, for the element block starting at {@code element};
     * element e's value is at {@code e * stride + offset}.
     */
    private static void writeSpatial(JsonGenerator json, Values values, int[] spatial, int level, int element,
            int stride, int offset) {
        if (level == spatial.length) {
            values.write(json, element * stride + offset);
            return;
        }
        int inner = 1;
        for (int i = level + 1; i < spatial.length; i++) {
            inner *= spatial[i];
        }
        json.writeStartArray();
        for (int i = 0; i < spatial[level]; i++) {
            writeSpatial(json, values, spatial, level + 1, element + i * inner, stride, offset);
        }
        json.writeEndArray();
    }

    public static int size(int[] shape) {
        int size = 1;
        for (int dimension : shape) {
            size *= dimension;
        }
        return size;
    }
}
