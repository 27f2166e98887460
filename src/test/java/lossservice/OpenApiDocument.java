package lossservice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

import tools.jackson.databind.json.JsonMapper;

/**
 * The committed contract, {@code openapi.yaml} at the root of the project, as plain maps and lists, and how
 * two OpenAPI documents are compared: by meaning (parsed trees, numbers by value, {@code required} as a set),
 * not by text.
 */
final class OpenApiDocument {

    static final String FILE_NAME = "openapi.yaml";
    static final List<String> HTTP_METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String HEADER = """
            # The HTTP contract of loss-service, in machine-readable form.
            # It is the document the service serves at /v3/api-docs; OpenApiContractTests fails when the two
            # differ. After changing the API's annotations, regenerate it with
            #   ./mvnw -o test -Dtest=OpenApiContractTests -Dopenapi.update=true
            # and review the diff.
            """;

    private OpenApiDocument() {
    }

    /** The committed document. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> committed() {
        try {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            return (Map<String, Object>) yaml.load(Files.readString(path()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A served document (JSON). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseServed(String json) {
        return (Map<String, Object>) JSON.readValue(json, Object.class);
    }

    /** Replaces the committed document with a served one. */
    static void write(Map<String, Object> document) throws IOException {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.AUTO);
        options.setIndent(2);
        options.setSplitLines(false);
        Files.writeString(path(), HEADER + new Yaml(new ReadableRepresenter(options), options).dump(document));
    }

    /**
     * Where {@code openapi.yaml} is: in the project directory, found as Maven's {@code basedir}, as the parent of
     * {@code target/test-classes}, or as the working directory, whichever holds the {@code pom.xml}.
     */
    static Path path() {
        List<Path> candidates = new ArrayList<>();
        String basedir = System.getProperty("basedir");
        if (basedir != null) {
            candidates.add(Path.of(basedir));
        }
        try {
            Path testClasses = Path.of(
                    OpenApiDocument.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (testClasses.getParent() != null && testClasses.getParent().getParent() != null) {
                candidates.add(testClasses.getParent().getParent());
            }
        } catch (URISyntaxException | RuntimeException e) {
            // the other candidates remain
        }
        candidates.add(Path.of("").toAbsolutePath());
        return candidates.stream()
                .filter(directory -> Files.isRegularFile(directory.resolve("pom.xml")))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No project directory (with a pom.xml) among "
                        + candidates))
                .resolve(FILE_NAME);
    }

    /** Every JSON path where {@code actual} says something other than {@code expected}, readably. */
    static List<String> differences(Object expected, Object actual) {
        List<String> differences = new ArrayList<>();
        compare("$", null, expected, actual, differences);
        return differences;
    }

    @SuppressWarnings("unchecked")
    private static void compare(String path, String key, Object expected, Object actual, List<String> differences) {
        if (expected instanceof Map<?, ?> expectedMap && actual instanceof Map<?, ?> actualMap) {
            Map<String, Object> e = stringKeys(expectedMap);
            Map<String, Object> a = stringKeys(actualMap);
            Set<String> keys = new LinkedHashSet<>(e.keySet());
            keys.addAll(a.keySet());
            for (String name : keys) {
                String child = path + member(name);
                if (!a.containsKey(name)) {
                    differences.add(child + ": only in " + FILE_NAME + ": " + show(e.get(name)));
                } else if (!e.containsKey(name)) {
                    differences.add(child + ": only in the served document: " + show(a.get(name)));
                } else {
                    compare(child, name, e.get(name), a.get(name), differences);
                }
            }
        } else if (expected instanceof List<?> e && actual instanceof List<?> a) {
            if ("required".equals(key)) {
                if (!new TreeSet<>((List<String>) e).equals(new TreeSet<>((List<String>) a))) {
                    differences.add(path + ": " + FILE_NAME + " has " + show(e) + ", the served document " + show(a));
                }
                return;
            }
            for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
                String child = path + "[" + i + "]";
                if (i >= a.size()) {
                    differences.add(child + ": only in " + FILE_NAME + ": " + show(e.get(i)));
                } else if (i >= e.size()) {
                    differences.add(child + ": only in the served document: " + show(a.get(i)));
                } else {
                    compare(child, null, e.get(i), a.get(i), differences);
                }
            }
        } else if (!sameValue(expected, actual)) {
            differences.add(path + ": " + FILE_NAME + " has " + show(expected) + ", the served document "
                    + show(actual));
        }
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        map.forEach((name, value) -> result.put(String.valueOf(name), value));
        return result;
    }

    private static boolean sameValue(Object expected, Object actual) {
        if (expected instanceof Number e && actual instanceof Number a) {
            return new BigDecimal(e.toString()).compareTo(new BigDecimal(a.toString())) == 0;
        }
        return expected == null ? actual == null : expected.equals(actual);
    }

    private static String member(String name) {
        return name.matches("[A-Za-z_$][A-Za-z0-9_$-]*") ? "." + name : "[\"" + name + "\"]";
    }

    private static String show(Object value) {
        String text = value instanceof String string ? "\"" + string + "\"" : JSON.writeValueAsString(value);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** The operations of a document: method, path and the operation object, in document order. */
    @SuppressWarnings("unchecked")
    static Stream<Operation> operations(Map<String, Object> document) {
        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        return paths.entrySet().stream().flatMap(path -> ((Map<String, Object>) path.getValue()).entrySet().stream()
                .filter(entry -> HTTP_METHODS.contains(entry.getKey()))
                .map(entry -> new Operation(entry.getKey(), path.getKey(), (Map<String, Object>) entry.getValue())));
    }

    record Operation(String method, String path, Map<String, Object> definition) {

        @SuppressWarnings("unchecked")
        Map<String, Object> requestExamples() {
            Object content = definition.get("requestBody") instanceof Map<?, ?> body ? body.get("content") : null;
            if (!(content instanceof Map<?, ?> mediaTypes) || mediaTypes.isEmpty()) {
                return Map.of();
            }
            Object json = ((Map<String, Object>) mediaTypes).get("application/json");
            Object examples = json instanceof Map<?, ?> mediaType ? mediaType.get("examples") : null;
            return examples instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        }

        /** The example of this name documented for a response status in JSON, or null. */
        @SuppressWarnings("unchecked")
        Object responseExample(String status, String name) {
            Object response = ((Map<String, Object>) definition.get("responses")).get(status);
            Object content = response instanceof Map<?, ?> map ? map.get("content") : null;
            Object json = content instanceof Map<?, ?> map ? map.get("application/json") : null;
            Object examples = json instanceof Map<?, ?> map ? map.get("examples") : null;
            Object example = examples instanceof Map<?, ?> map ? map.get(name) : null;
            return example instanceof Map<?, ?> map ? map.get("value") : null;
        }

        /**
         * The path with each path parameter replaced by a value its schema allows: the example's name when it is one
         * of them (the protocol's examples are named after their model), else the first.
         */
        @SuppressWarnings("unchecked")
        String concretePath(String exampleName) {
            String concrete = path;
            Object parameters = definition.get("parameters");
            if (parameters instanceof List<?> list) {
                for (Object parameter : list) {
                    Map<String, Object> declared = (Map<String, Object>) parameter;
                    if (!"path".equals(declared.get("in"))) {
                        continue;
                    }
                    List<Object> allowed = (List<Object>) ((Map<String, Object>) declared.get("schema")).get("enum");
                    String value = allowed.contains(exampleName) ? exampleName : String.valueOf(allowed.get(0));
                    concrete = concrete.replace("{" + declared.get("name") + "}", value);
                }
            }
            return concrete;
        }

        @SuppressWarnings("unchecked")
        Set<String> responseCodes() {
            return ((Map<String, Object>) definition.get("responses")).keySet().stream()
                    .map(String::valueOf)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }

        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    /**
     * Writes objects as blocks, lists of plain scalars (numbers, enums) on one line, and strings of several
     * lines as literal blocks, so that the document reads as text.
     */
    private static final class ReadableRepresenter extends Representer {

        ReadableRepresenter(DumperOptions options) {
            super(options);
        }

        @Override
        protected Node representMapping(Tag tag, Map<?, ?> mapping, DumperOptions.FlowStyle flowStyle) {
            return super.representMapping(tag, mapping, DumperOptions.FlowStyle.BLOCK);
        }

        @Override
        protected Node representScalar(Tag tag, String value, DumperOptions.ScalarStyle style) {
            return super.representScalar(tag, value, value.contains("\n") ? DumperOptions.ScalarStyle.LITERAL : style);
        }
    }
}
