package lossservice.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;

import lossservice.limits.LimitsProperties;
import lossservice.loss.InputSpec;
import lossservice.loss.LossDefinition;
import lossservice.loss.RawArray;
import lossservice.loss.RawRequest;
import lossservice.loss.RawScalar;
import lossservice.loss.ScalarSpec;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.Violations;

/**
 * The JSON reader with its number arrays lifted out of the body ({@code NumberArrayLifter}, which needs a stream it
 * can mark) against the same reader on a stream it cannot mark, which reads everything through Jackson: for
 * random bodies of every loss, valid and not (numbers in every form JSON allows and several it does not, ragged and
 * mis-nested arrays, strings and nulls among numbers, syntax errors, escaped field names, non-ASCII text, arrays
 * larger than the lifter's buffer), the outcome is the same to the bit: the arrays, the scalars, every violation
 * and its pointer, and every error message with its line and column. A longer search:
 * {@code ./mvnw test -Dtest=JsonCallReaderLiftingTests -DargLine="-Dseed=1 -Dbodies=20000"}.
 */
class JsonCallReaderLiftingTests {

    private static final String[] NUMBERS = {"0", "-0", "3", "-17", "1.5", "-0.25", "0.1", "1e3", "2.5E-3", "1e+2",
        "-1.0E-7", "3.14159265358979323846", "123456789012345678901234", "9007199254740993", "1234567890123456789",
        "-9223372036854775808", "0.000001", "1e-400", "4.9e-324", "1.7976931348623157e308", "0.30000000000000004",
        "100000000000000000000000", "12345678.9e-3", "-2.2250738585072014E-308", "7.0", "1.00", "65504", "1e22",
        "1e23", "9007199254740992e10"};
    private static final String[] NOT_NUMBERS = {"01", "1.", ".5", "+1", "-", "1e", "NaN", "\"1\"", "null", "true",
        "{}", "[]", "1e400", "-1e400", "0x10", "1e+", "--1", "Infinity"};
    private static final String[] SPACES = {"", "", "", " ", "\n", "\t", "\r\n", "  \n  "};

    private final LimitsProperties limits = LimitsProperties.defaults();
    private final JsonCallReader reader = new JsonCallReader(limits);

    @Test
    void liftedArraysAreReadExactlyAsJacksonReadsThem() {
        Random random = new Random(Long.getLong("seed", 20261206));
        int lifted = 0;
        for (LossDefinition definition : definitions()) {
            for (int i = 0; i < Integer.getInteger("bodies", 2500); i++) {
                String body = body(definition, random, i % 50 == 0 ? 300 : 4);
                byte[] bytes = (random.nextInt(40) == 0 ? "\uFEFF" + body : body).getBytes(StandardCharsets.UTF_8);
                String withLifting = outcome(definition, new ByteArrayInputStream(bytes));
                String throughJackson = outcome(definition, unmarkable(bytes));
                assertThat(withLifting).as("%s: %s", definition.name(), body.replace("\r", "\\r").replace("\t", "\\t")).isEqualTo(throughJackson);
                lifted += withLifting.startsWith("read") ? 1 : 0;
            }
        }
        assertThat(lifted).as("bodies read without an error").isGreaterThan(1000);
    }

    @Test
    void arraysLargerThanTheBufferAreLiftedWhole() {
        Random random = new Random(7);
        for (LossDefinition definition : definitions()) {
            for (int i = 0; i < 6; i++) {
                String body = body(definition, random, 4000);
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                assertThat(outcome(definition, new ByteArrayInputStream(bytes))).as(definition.name())
                        .isEqualTo(outcome(definition, unmarkable(bytes)));
            }
        }
    }

    static List<LossDefinition> definitions() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AssignableTypeFilter(LossDefinition.class));
        List<LossDefinition> definitions = new ArrayList<>();
        scanner.findCandidateComponents("lossservice.losses").forEach(candidate -> {
            try {
                definitions.add((LossDefinition) Class.forName(candidate.getBeanClassName())
                        .getDeclaredConstructor().newInstance());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(definitions).hasSizeGreaterThanOrEqualTo(6);
        return definitions;
    }

    private static InputStream unmarkable(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    /** Everything the reader made of a body, in words: what it read and every violation, or what it threw. */
    private String outcome(LossDefinition definition, InputStream body) {
        Violations violations = new Violations();
        StringBuilder text = new StringBuilder();
        try {
            RawRequest raw = reader.read(definition, body, violations);
            text.append("read\n");
            raw.arrays.forEach((name, array) -> text.append(name).append(' ').append(describe(array)).append('\n'));
            raw.scalars.forEach((name, scalar) -> text.append(name).append(' ').append(describe(scalar)).append('\n'));
            text.append("reduction ").append(raw.reduction == null ? null : describe(raw.reduction)).append('\n');
            text.append("outputs ").append(raw.outputs).append("\ndtype ").append(raw.dtype).append('\n');
            violations.throwIfAny();
        } catch (InvalidRequestException e) {
            text.append("invalid ").append(e.violations()).append(" omitted ").append(e.omitted());
        } catch (RuntimeException e) {
            text.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        }
        return text.toString();
    }

    private static String describe(RawArray array) {
        String values = array.values() == null ? "null" : Arrays.toString(IntStream.range(0, array.size())
                .mapToObj(i -> Long.toHexString(Double.doubleToRawLongBits(array.values()[i]))).toArray());
        String integral = array.integral() == null ? "null"
                : Arrays.toString(Arrays.copyOf(array.integral(), array.size()));
        return array.pointer() + " shape " + Arrays.toString(array.shape()) + " values " + values + " integral "
                + integral + " usable " + array.usable() + " notAnArray " + array.notAnArray();
    }

    private static String describe(RawScalar scalar) {
        Object value = scalar.value();
        return (value == null ? "null" : value.getClass().getSimpleName() + " " + value) + " (" + scalar.description()
                + ")";
    }

    /** A random body for the loss: its inputs, scalars and common fields, each usually right and sometimes not. */
    private static String body(LossDefinition definition, Random random, int maxLength) {
        List<String> fields = new ArrayList<>();
        int rows = 1 + random.nextInt(4);
        int classes = 1 + random.nextInt(maxLength);
        for (InputSpec input : definition.signature().inputs()) {
            if (random.nextInt(12) == 0) {
                continue;
            }
            int depth = random.nextInt(8) == 0 ? 1 + random.nextInt(4) : input.accepts(InputSpec.Kind.INDEX)
                    && random.nextBoolean() ? 1 : 2;
            String name = random.nextInt(30) == 0 ? escaped(input.name()) : input.name();
            fields.add(quote(name) + space(random) + ":" + space(random) + array(random, depth, rows, classes));
            if (random.nextInt(25) == 0) {
                fields.add(quote(name) + ":" + array(random, depth, rows, classes));
            }
        }
        for (ScalarSpec scalar : definition.signature().scalars()) {
            if (random.nextBoolean()) {
                fields.add(quote(scalar.name()) + ":" + (random.nextInt(6) == 0 ? "[1, 2]"
                        : random.nextInt(5) == 0 ? "null" : NUMBERS[random.nextInt(NUMBERS.length)]));
            }
        }
        if (random.nextInt(4) == 0) {
            fields.add("\"include\":[\"gradient\"" + (random.nextInt(5) == 0 ? ",\"somethingElse\"" : "") + "]");
        }
        if (random.nextInt(5) == 0) {
            fields.add("\"dtype\":" + (random.nextBoolean() ? "\"float64\"" : "\"float32\""));
        }
        if (random.nextInt(8) == 0) {
            fields.add(random.nextBoolean() ? "\"note\":\"caf\u00e9 \u2603 \\\" [1,2]\""
                    : "\"unknown\":[1,2,3]");
        }
        java.util.Collections.shuffle(fields, random);
        StringBuilder body = new StringBuilder("{").append(space(random));
        for (int i = 0; i < fields.size(); i++) {
            body.append(i > 0 ? "," + space(random) : "").append(fields.get(i));
        }
        body.append(space(random)).append("}");
        String text = body.toString();
        switch (random.nextInt(30)) {
            case 0 -> text = text.substring(0, random.nextInt(text.length()));
            case 1 -> {
                int at = random.nextInt(text.length());
                text = text.substring(0, at) + "x]},".charAt(random.nextInt(4)) + text.substring(at);
            }
            case 2 -> text = text + " {}";
            default -> {
            }
        }
        return text;
    }

    private static String array(Random random, int depth, int rows, int classes) {
        StringBuilder text = new StringBuilder();
        nested(text, random, depth, 0, rows, classes, random.nextInt(6) == 0);
        return text.toString();
    }

    private static void nested(StringBuilder text, Random random, int depth, int level, int rows, int classes,
            boolean flawed) {
        int length = level == 0 ? rows : level == depth - 1 ? classes : 2;
        if (flawed && random.nextInt(6) == 0) {
            length = Math.max(0, length + random.nextInt(3) - 1);
        }
        text.append('[').append(space(random));
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                text.append(space(random)).append(',').append(space(random));
            }
            if (level + 1 < depth && !(flawed && random.nextInt(20) == 0)) {
                nested(text, random, depth, level + 1, rows, classes, flawed);
            } else if (flawed && random.nextInt(15) == 0) {
                text.append(NOT_NUMBERS[random.nextInt(NOT_NUMBERS.length)]);
            } else if (random.nextInt(3) == 0) {
                text.append(NUMBERS[random.nextInt(NUMBERS.length)]);
            } else {
                text.append(random.nextInt(3) == 0 ? Integer.toString(random.nextInt(2000) - 1000)
                        : Float.toString((float) random.nextGaussian() * 3));
            }
        }
        text.append(space(random)).append(']');
    }

    private static String space(Random random) {
        return SPACES[random.nextInt(SPACES.length)];
    }

    private static String quote(String name) {
        return "\"" + name + "\"";
    }

    private static String escaped(String name) {
        return String.format("\\u%04x", (int) name.charAt(0)) + name.substring(1);
    }
}
