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
}
