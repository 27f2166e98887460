package lossservice.apidocs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders for the parts of the OpenAPI document written as plain maps and lists. */
final class Maps {

    private Maps() {
    }

    /** An ordered map from alternating keys and values; null values are left out. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                map.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return map;
    }

    static List<Object> list(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    static Map<String, Object> ref(String schema) {
        return map("$ref", "#/components/schemas/" + schema);
    }

    static Map<String, Object> responseRef(String response) {
        return map("$ref", "#/components/responses/" + response);
    }

    /** The schema, or null: for an optional field a client may send as null to mean its default. */
    static Map<String, Object> orNull(Map<String, Object> schema) {
        return map("anyOf", list(schema, map("type", "null")));
    }
}
