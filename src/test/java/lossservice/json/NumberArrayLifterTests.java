package lossservice.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

class NumberArrayLifterTests {

    private static final JsonFactory JSON = new JsonFactory();

    private static NumberArrayLifter lifter(String body) {
        return new NumberArrayLifter(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                Map.of("logits", false, "targets", true), 16, 1000, 1_000_000);
    }

    @Test
    void theArraysOfTheChosenFieldsAreLiftedAndTheRestIsLeftToTheParser() {
        NumberArrayLifter lifter = lifter("{\"logits\": [[1.5, -2e-3], [0, 7]], \"targets\":[1,0],"
                + " \"weights\": [1, 2], \"note\": \"[3]\"}");
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), lifter)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            assertThat(parser.nextName()).isEqualTo("logits");
            assertThat(parser.nextToken()).isEqualTo(JsonToken.VALUE_NUMBER_INT);
            NumberArray logits = lifter.take(parser).array();
            assertThat(logits.shape()).containsExactly(2, 2);
            assertThat(logits.values()).startsWith(1.5, -2e-3, 0.0, 7.0);
            assertThat(logits.integral()).isNull();

            assertThat(parser.nextName()).isEqualTo("targets");
            parser.nextToken();
            NumberArrayLifter.Lifted targets = lifter.take(parser);
            assertThat(targets.array().shape()).containsExactly(2);
            assertThat(targets.array().integral()).startsWith(true, true);
            assertThat(targets.text(0)).isEqualTo("1");

            assertThat(parser.nextName()).isEqualTo("weights"); // not a field to lift: the parser reads it
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_ARRAY);
            assertThat(lifter.take(parser)).isNull();
            parser.skipChildren();
            assertThat(parser.nextName()).isEqualTo("note");
            assertThat(parser.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
            assertThat(parser.getString()).isEqualTo("[3]");
        }
    }

    @Test
    void theFieldsOfTheElementsOfATopLevelArrayAreLiftedForTheInferenceProtocol() {
        String body = "{\"data\": [9], \"inputs\": [{\"name\": \"a\", \"data\": [[1, 2], [3, 4]]},"
                + " {\"parameters\": {\"data\": [5]}, \"data\": [6, 7]}], \"outputs\": [{\"data\": [8]}]}";
        NumberArrayLifter lifter = new NumberArrayLifter(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                "inputs", Map.of("data", true), 16, 1000, 1_000_000);
        StringBuilder seen = new StringBuilder();
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), lifter)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                NumberArrayLifter.Lifted lifted = lifter.take(parser);
                if (lifted != null) {
                    seen.append(java.util.Arrays.toString(lifted.array().shape()))
                            .append(java.util.Arrays.toString(java.util.Arrays.copyOf(lifted.array().values(),
                                    lifted.array().length())));
                } else if (token == JsonToken.VALUE_NUMBER_INT) {
                    seen.append(parser.getText());
                }
            }
        }
        assertThat(seen.toString()).isEqualTo("9[2, 2][1.0, 2.0, 3.0, 4.0]5[2][6.0, 7.0]8");
    }

    @Test
    void anArrayThatIsNotCertainlyValidIsHandedOnAsItIs() {
        for (String array : new String[] {"[1, \"2\"]", "[[1, 2], [3]]", "[1e400]", "[]", "[[1], 2]", "[01]",
            "[1,]", "[1 2]", "[1, null]", "[-]", "[1.]"}) {
            NumberArrayLifter lifter = lifter("{\"logits\": " + array + "}");
            StringBuilder seen = new StringBuilder();
            try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), lifter)) {
                parser.nextToken();
                parser.nextName();
                assertThat(parser.nextToken()).as(array).isEqualTo(JsonToken.START_ARRAY);
                assertThat(lifter.take(parser)).as(array).isNull();
                seen.append(parser.getText());
                try {
                    for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT;
                            token = parser.nextToken()) {
                        seen.append(parser.getText());
                    }
                } catch (RuntimeException malformed) {
                    seen.append("!");
                }
            }
            assertThat(seen.toString()).as(array).startsWith("[").doesNotStartWith("0");
        }
    }

    @Test
    void numbersAreTheDoublesJacksonReads() {
        Random random = new Random(11);
        StringBuilder body = new StringBuilder("{\"logits\":[");
        int count = 20_000;
        for (int i = 0; i < count; i++) {
            body.append(i > 0 ? "," : "").append(randomNumber(random));
        }
        String text = body.append("]}").toString();
        double[] lifted;
        NumberArrayLifter lifter = lifter(text);
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), lifter)) {
            parser.nextToken();
            parser.nextName();
            parser.nextToken();
            lifted = lifter.take(parser).array().values();
        }
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), text)) {
            parser.nextToken();
            parser.nextName();
            parser.nextToken();
            for (int i = 0; i < count; i++) {
                parser.nextToken();
                assertThat(Double.doubleToRawLongBits(lifted[i])).as(parser.getText())
                        .isEqualTo(Double.doubleToRawLongBits(parser.getDoubleValue()));
            }
        }
    }

    @Test
    void rowsArrivingInSmallPiecesAreLiftedAsJacksonReadsThem() {
        Random random = new Random(12);
        for (int round = 0; round < 20; round++) {
            int rows = 1 + random.nextInt(40);
            int columns = 1 + random.nextInt(400);
            String[] separators = {",", ",", ",", ", ", ",\n", " ,", ",\r\n  "};
            StringBuilder array = new StringBuilder("[");
            for (int row = 0; row < rows; row++) {
                array.append(row > 0 ? ",\n" : "").append('[');
                for (int column = 0; column < columns; column++) {
                    array.append(column > 0 ? separators[random.nextInt(separators.length)] : "")
                            .append(random.nextInt(3) == 0 ? Integer.toString(random.nextInt(3)) : randomNumber(random));
                }
                array.append(']');
            }
            String text = "{\"targets\":" + array.append("]}");
            // A budget of one number less than the array holds stops the lift at the array's last number.
            boolean budgetShort = round % 4 == 3;
            NumberArrayLifter lifter = new NumberArrayLifter(trickling(text.getBytes(StandardCharsets.UTF_8), random),
                    Map.of("targets", true), 16, 1000, budgetShort ? (long) rows * columns - 1 : 1_000_000);
            try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), lifter);
                    JsonParser reference = JSON.createParser(ObjectReadContext.empty(), text)) {
                parser.nextToken();
                parser.nextName();
                parser.nextToken();
                NumberArrayLifter.Lifted lifted = lifter.take(parser);
                reference.nextToken();
                reference.nextName();
                reference.nextToken();
                if (budgetShort) {
                    assertThat(lifted).as("over the budget").isNull();
                    // The parser then reads the array from the body itself.
                    for (JsonToken token = reference.nextToken(); token != null; token = reference.nextToken()) {
                        assertThat(parser.nextToken()).isEqualTo(token);
                        assertThat(parser.getText()).isEqualTo(reference.getText());
                    }
                    continue;
                }
                assertThat(lifted).as("round %d", round).isNotNull();
                NumberArray read = lifted.array();
                assertThat(read.shape()).containsExactly(rows, columns);
                int i = 0;
                for (JsonToken token = reference.nextToken(); token != JsonToken.END_OBJECT;
                        token = reference.nextToken()) {
                    if (token.isNumeric()) {
                        assertThat(Double.doubleToRawLongBits(read.values()[i])).as(reference.getText())
                                .isEqualTo(Double.doubleToRawLongBits(reference.getDoubleValue()));
                        assertThat(read.integral()[i]).as(reference.getText())
                                .isEqualTo(token == JsonToken.VALUE_NUMBER_INT);
                        i++;
                    }
                }
                assertThat(i).isEqualTo(rows * columns);
                assertThat(parser.nextToken()).isEqualTo(JsonToken.END_OBJECT);
            }
        }
    }

    /** The bytes in reads of 1 to 200 bytes, as a slow network delivers a body. */
    private static InputStream trickling(byte[] bytes, Random random) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] buffer, int offset, int length) {
                return super.read(buffer, offset, Math.min(length, 1 + random.nextInt(200)));
            }
        };
    }

    /** Numbers around the edges of the fast path: 15 to 20 digits, exponents near 22, integers past 2^53 and 2^63. */
    private static String randomNumber(Random random) {
        if (random.nextBoolean()) {
            // The common text of a float32: a short whole part, a fraction of 1 to 9 digits, zeros included.
            StringBuilder fraction = new StringBuilder();
            for (int i = random.nextInt(9); i >= 0; i--) {
                fraction.append(random.nextInt(4) == 0 ? 0 : random.nextInt(10));
            }
            return (random.nextBoolean() ? "-" : "") + random.nextInt(random.nextBoolean() ? 10 : 1000) + "." + fraction;
        }
        StringBuilder number = new StringBuilder(random.nextBoolean() ? "-" : "");
        int digits = 1 + random.nextInt(22);
        number.append(1 + random.nextInt(9));
        for (int i = 1; i < digits; i++) {
            number.append(random.nextInt(10));
        }
        switch (random.nextInt(4)) {
            case 0 -> number.insert(number.length() - 1 - random.nextInt(digits), '.');
            case 1 -> number.append('e').append(random.nextInt(60) - 30);
            case 2 -> number.insert(number.length() - 1 - random.nextInt(digits), '.').append('E')
                    .append(random.nextBoolean() ? "+" : "-").append(random.nextInt(280));
            default -> {
            }
        }
        String text = number.toString().replace("-.", "-0.");
        return text.startsWith(".") ? "0" + text : text;
    }
}
