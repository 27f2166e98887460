package lossservice.robustness;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mutates valid request bodies at the level of JSON tokens (delete, duplicate, swap, retype, resize) and of
 * bytes (truncate, insert), with hostile numbers among the replacements. Deterministic for a given random.
 */
final class BodyMutator {

    /** Values a number, string or array may be replaced with. */
    static final List<String> HOSTILE_VALUES = List.of(
            "1e400", "-1e400", "1e39", "-3.5e38", "3.4028235e38", "1e-400", "-0", "0.0", "NaN", "Infinity",
            "-Infinity", "\"NaN\"", "\"Infinity\"", "\"1.5\"", "123456789012345678901234567890",
            "-9223372036854775809", "9223372036854775807", "2147483648", "-2147483649", "1." + "0".repeat(80) + "1",
            "9".repeat(120), "null", "true", "false", "[]", "{}", "[[]]", "[null]", "\"\"", "\"\\u0000\"",
            "\"" + "x".repeat(2000) + "\"", "[1, 2, 3]", "{\"a\": 1}", "0x10", "+1", ".5", "1.", "01", "1e", "--1");

    static final List<String> FIELDS = List.of("logits", "targets", "epsilon", "labelSmooth", "numClasses",
            "reduction", "classWeights", "ignoreIndex", "include");

    enum Kind { DELETE_TOKEN, DUPLICATE_TOKEN, SWAP_TOKENS, REPLACE_VALUE, DROP_ELEMENT, ADD_ELEMENT, TRUNCATE,
        INSERT_BYTES, DUPLICATE_FIELD }

    /** Mutations that keep the JSON well-formed come up more often: they reach deeper than the parser. */
    private static final Kind[] WEIGHTED = {Kind.DELETE_TOKEN, Kind.DUPLICATE_TOKEN, Kind.SWAP_TOKENS, Kind.TRUNCATE,
        Kind.INSERT_BYTES, Kind.REPLACE_VALUE, Kind.REPLACE_VALUE, Kind.REPLACE_VALUE, Kind.DROP_ELEMENT,
        Kind.DROP_ELEMENT, Kind.ADD_ELEMENT, Kind.ADD_ELEMENT, Kind.DUPLICATE_FIELD, Kind.DUPLICATE_FIELD};

    private BodyMutator() {
    }

    static byte[] mutate(String body, int mutations, Random random) {
        List<String> tokens = JsonTokenizer.tokenize(body);
        byte[] bytes = null;
        for (int i = 0; i < mutations; i++) {
            Kind kind = WEIGHTED[random.nextInt(WEIGHTED.length)];
            if (kind == Kind.TRUNCATE || kind == Kind.INSERT_BYTES) {
                bytes = bytes != null ? bytes : join(tokens);
                bytes = kind == Kind.TRUNCATE ? truncate(bytes, random) : insertBytes(bytes, random);
            } else if (bytes == null) {
                mutateTokens(tokens, kind, random);
            }
        }
        return bytes != null ? bytes : join(tokens);
    }

    private static void mutateTokens(List<String> tokens, Kind kind, Random random) {
        if (tokens.isEmpty()) {
            return;
        }
        int at = random.nextInt(tokens.size());
        switch (kind) {
            case DELETE_TOKEN -> tokens.remove(at);
            case DUPLICATE_TOKEN -> tokens.add(at, tokens.get(at));
            case SWAP_TOKENS -> {
                int other = random.nextInt(tokens.size());
                String swapped = tokens.get(at);
                tokens.set(at, tokens.get(other));
                tokens.set(other, swapped);
            }
            case REPLACE_VALUE -> {
                int value = find(tokens, at, t -> isValue(t));
                if (value >= 0) {
                    tokens.set(value, HOSTILE_VALUES.get(random.nextInt(HOSTILE_VALUES.size())));
                }
            }
            case DROP_ELEMENT -> {
                int number = find(tokens, at, BodyMutator::isNumber);
                if (number >= 0 && number + 1 < tokens.size() && tokens.get(number + 1).equals(",")) {
                    tokens.remove(number + 1);
                    tokens.remove(number);
                }
            }
            case ADD_ELEMENT -> {
                int number = find(tokens, at, BodyMutator::isNumber);
                if (number >= 0) {
                    tokens.add(number + 1, ",");
                    tokens.add(number + 2, random.nextBoolean() ? "0.5" : tokens.get(number));
                }
            }
            case DUPLICATE_FIELD -> {
                if (tokens.get(0).equals("{")) {
                    // A field at the start of the object, most often one the body has already
                    String name = FIELDS.get(random.nextInt(FIELDS.size()));
                    String value = random.nextBoolean() ? "0.1" : HOSTILE_VALUES.get(random.nextInt(HOSTILE_VALUES.size()));
                    tokens.addAll(1, List.of("\"" + name + "\"", ":", value, ","));
                }
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    private static int find(List<String> tokens, int from, java.util.function.Predicate<String> test) {
        for (int i = 0; i < tokens.size(); i++) {
            int index = (from + i) % tokens.size();
            if (test.test(tokens.get(index))) {
                return index;
            }
        }
        return -1;
    }

    private static boolean isNumber(String token) {
        char first = token.charAt(0);
        return first == '-' || Character.isDigit(first);
    }

    private static boolean isValue(String token) {
        return !token.equals(",") && !token.equals(":") && !token.equals("{") && !token.equals("}");
    }

    private static byte[] truncate(byte[] bytes, Random random) {
        return java.util.Arrays.copyOf(bytes, bytes.length == 0 ? 0 : random.nextInt(bytes.length));
    }

    private static byte[] insertBytes(byte[] bytes, Random random) {
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
        byte[] inserted = new byte[1 + random.nextInt(4)];
        random.nextBytes(inserted); // control characters, invalid UTF-8, quotes, brackets...
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.writeBytes(inserted);
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }

    private static byte[] join(List<String> tokens) {
        return String.join(" ", tokens).getBytes(StandardCharsets.UTF_8);
    }

    /** Splits well-formed JSON text into tokens: punctuation, strings, numbers and literals. */
    static final class JsonTokenizer {

        static List<String> tokenize(String json) {
            List<String> tokens = new ArrayList<>();
            int i = 0;
            while (i < json.length()) {
                char c = json.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if ("{}[],:".indexOf(c) >= 0) {
                    tokens.add(String.valueOf(c));
                    i++;
                } else if (c == '"') {
                    int end = i + 1;
                    while (json.charAt(end) != '"') {
                        end += json.charAt(end) == '\\' ? 2 : 1;
                    }
                    tokens.add(json.substring(i, end + 1));
                    i = end + 1;
                } else {
                    int end = i;
                    while (end < json.length() && "{}[],: \n\t\r".indexOf(json.charAt(end)) < 0) {
                        end++;
                    }
                    tokens.add(json.substring(i, end));
                    i = end;
                }
            }
            return tokens;
        }
    }
}
