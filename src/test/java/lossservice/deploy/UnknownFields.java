package lossservice.deploy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Fields of a parsed manifest that fabric8's Kubernetes model does not know. The model does not reject
 * them: Jackson puts them into each object's additionalProperties, so this walks the object tree and
 * lists them as dotted paths (spec.containers[0].livenessProbe.periodSecond).
 */
final class UnknownFields {

    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private UnknownFields() {
    }

    static List<String> in(Object resource) {
        List<String> unknown = new ArrayList<>();
        walk(resource, "", unknown);
        return unknown;
    }

    private static void walk(Object value, String path, List<String> unknown) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", unknown);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((key, entry) -> walk(entry, join(path, String.valueOf(key)), unknown));
        } else if (value != null && value.getClass().getPackageName().startsWith(MODEL_PACKAGE)) {
            for (Method getter : getters(value.getClass())) {
                Object property = invoke(getter, value);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (property instanceof Map<?, ?> extra) {
                        extra.keySet().forEach(key -> unknown.add(join(path, String.valueOf(key))));
                    }
                } else {
                    walk(property, join(path, propertyName(getter)), unknown);
                }
            }
        }
    }

    private static List<Method> getters(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(method -> method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers()))
                .filter(method -> method.getName().startsWith("get") && !method.getName().equals("getClass"))
                .filter(method -> method.getDeclaringClass().getPackageName().startsWith(MODEL_PACKAGE))
                .sorted(Comparator.comparing(Method::getName))
                .toList();
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + getter, e);
        }
    }

    private static String propertyName(Method getter) {
        String name = getter.getName().substring(3);
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
