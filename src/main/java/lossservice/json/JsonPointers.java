package lossservice.json;

/** RFC 6901 JSON pointers. */
public final class JsonPointers {

    private JsonPointers() {
    }

    /** The pointer to member {@code name} of the object at {@code parent}. */
    public static String member(String parent, String name) {
        return parent + "/" + name.replace("~", "~0").replace("/", "~1");
    }

    /** The pointer to element {@code index} of the array at {@code parent}. */
    public static String element(String parent, int index) {
        return parent + "/" + index;
    }

    /** The pointer to the element at row-major position {@code flat} of a nested array of this shape. */
    public static String ofElement(String base, int[] shape, int flat) {
        String[] indices = new String[shape.length];
        int rest = flat;
        for (int level = shape.length - 1; level >= 0; level--) {
            indices[level] = Integer.toString(rest % shape[level]);
            rest /= shape[level];
        }
        return indices.length == 0 ? base : base + "/" + String.join("/", indices);
    }
}
