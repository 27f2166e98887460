package lossservice.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import tools.jackson.core.io.NumberOutput;

/**
 * Float32Text writes the text of Jackson's fast float writer, and that text reads back as the same float: at both
 * ends of every binary exponent (where the rounding interval is lopsided or the fixed point is tightest), for the
 * tiniest subnormals (scaled by ten), around each switch between plain and scientific layout, and for a million
 * random floats. (Every one of the 2^31 non-negative finite floats was compared once, offline, with no difference.)
 */
class Float32TextTests {

    @Test
    void everyBinaryExponentAtItsEndsAndInBetween() {
        Random random = new Random(5);
        List<Float> floats = new ArrayList<>();
        for (int exponent = 0; exponent < 255; exponent++) {
            for (int fraction : new int[] {0, 1, 2, 3, 5, 7, 8, 9, 10, 0x400000, 0x7ffffe, 0x7fffff}) {
                floats.add(Float.intBitsToFloat(exponent << 23 | fraction));
            }
            for (int i = 0; i < 40; i++) {
                floats.add(Float.intBitsToFloat(exponent << 23 | random.nextInt(1 << 23)));
            }
        }
        floats.forEach(Float32TextTests::assertLikeJackson);
        floats.forEach(value -> assertLikeJackson(-value));
    }

    @Test
    void aroundTheSwitchesOfLayoutAndSpecialValues() {
        float[] values = {0f, -0f, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, 1f, 10f, 1e7f, 9_999_999f,
            1.0000001e7f, 0.001f, 0.0009999999f, 1e-4f, 0.1f, 0.3f, 0.05f, 0.95f, 3.782985f, 16_777_216f, 16_777_215f,
            8_388_607.5f, 123_456.79f, 1e-45f, 1e38f, 2e-44f, 7e-45f, Float.NaN, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY};
        for (float value : values) {
            assertLikeJackson(value);
            assertLikeJackson(-value);
        }
        for (float value = 1e-6f; value < 1e9f; value *= 10) {
            assertLikeJackson(value);
            assertLikeJackson(Math.nextDown(value));
            assertLikeJackson(Math.nextUp(value));
        }
    }

    @Test
    void aMillionRandomFloats() {
        Random random = new Random(6);
        for (int i = 0; i < 1_000_000; i++) {
            assertLikeJackson(Float.intBitsToFloat(random.nextInt()));
        }
        for (int i = 0; i < 100_000; i++) {
            assertLikeJackson((float) random.nextGaussian());
        }
    }

    @Test
    void writesAtTheOffsetGivenAndReturnsTheEnd() {
        byte[] buffer = new byte[40];
        int end = Float32Text.write(-1.2345678e-38f, buffer, 3);
        int next = Float32Text.write(-0.0012345678f, buffer, end);

        assertThat(new String(buffer, 3, end - 3, StandardCharsets.ISO_8859_1)).isEqualTo("-1.2345678E-38");
        assertThat(new String(buffer, end, next - end, StandardCharsets.ISO_8859_1)).isEqualTo("-0.0012345678");
        assertThat(buffer[0]).isZero();
    }

    private static void assertLikeJackson(float value) {
        byte[] buffer = new byte[Float32Text.MAX_LENGTH];
        int length = Float32Text.write(value, buffer, 0);
        String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
        assertThat(text).as("bits %08x", Float.floatToRawIntBits(value)).isEqualTo(NumberOutput.toString(value, true));
        if (Float.isFinite(value)) {
            assertThat(Float.floatToRawIntBits(Float.parseFloat(text))).as(text)
                    .isEqualTo(Float.floatToRawIntBits(value));
        }
    }
}
