package lossservice.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import tools.jackson.core.io.NumberOutput;

/**
 * DecimalText writes the text of Jackson's fast writer, and that text reads back as the same float32 or float64: at
 * both ends of every binary exponent (where the rounding interval is lopsided or the fixed point is tightest), for
 * the tiniest subnormals (scaled by ten), around each switch between plain and scientific layout, and for a million
 * random values. (Offline, every one of the 2^31 non-negative finite floats and 400 million doubles of these kinds
 * were compared once, with no difference.)
 */
class DecimalTextTests {

    @Test
    void float32AtTheEndsOfEveryBinaryExponentAndInBetween() {
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
        floats.forEach(DecimalTextTests::assertLikeJackson);
        floats.forEach(value -> assertLikeJackson(-value));
    }

    @Test
    void float32AroundTheSwitchesOfLayoutAndSpecialValues() {
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
    void float32AtRandom() {
        Random random = new Random(6);
        for (int i = 0; i < 1_000_000; i++) {
            assertLikeJackson(Float.intBitsToFloat(random.nextInt()));
        }
        for (int i = 0; i < 100_000; i++) {
            assertLikeJackson((float) random.nextGaussian());
        }
    }

    @Test
    void float64AtTheEndsOfEveryBinaryExponentAndAtRandom() {
        Random random = new Random(7);
        List<Double> doubles = new ArrayList<>();
        for (long exponent = 0; exponent < 2047; exponent++) {
            for (long fraction : new long[] {0, 1, 2, 3, 4, 5, 9, 1L << 51, (1L << 52) - 2, (1L << 52) - 1}) {
                doubles.add(Double.longBitsToDouble(exponent << 52 | fraction));
            }
            for (int i = 0; i < 20; i++) {
                doubles.add(Double.longBitsToDouble(exponent << 52 | random.nextLong() >>> 12));
            }
        }
        for (int i = 0; i < 300_000; i++) {
            doubles.add(Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL));
            doubles.add(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
            doubles.add((double) Float.intBitsToFloat(random.nextInt() & 0x7f7fffff));
        }
        double[] special = {0.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 1e7, 9_999_999.999999998,
            1e-3, 0.0009999999999999998, 1e23, 2e-323, 6.285442642701633, 6.28544264270164, 0.1, 0.3, 1e22, 9007199254740993.0,
            Double.NaN, Double.POSITIVE_INFINITY};
        for (double value : special) {
            doubles.add(value);
        }
        for (double value : doubles) {
            assertLikeJackson(value);
            assertLikeJackson(-value);
        }
    }

    @Test
    void theDecimalExponentOfEveryBinaryExponentIsExact() {
        for (int q = -1074 - 2; q <= 971 + 2; q++) {
            assertThat(DecimalText.floorLog10Pow2(q)).as("q %d", q).isEqualTo(exactFloorLog10(BigInteger.ONE, q));
            assertThat(DecimalText.floorLog10ThreeQuartersPow2(q)).as("3/4, q %d", q)
                    .isEqualTo(exactFloorLog10(BigInteger.valueOf(3), q - 2));
        }
    }

    /** floor(log10(m 2^e)): the largest k with m 2^e >= 10^k, compared in integers from a rough start. */
    private static int exactFloorLog10(BigInteger m, int e) {
        BigInteger numerator = e >= 0 ? m.shiftLeft(e) : m;
        BigInteger denominator = e >= 0 ? BigInteger.ONE : BigInteger.ONE.shiftLeft(-e);
        int k = (int) ((e * Math.log(2) + Math.log(m.doubleValue())) / Math.log(10));
        while (!atLeast(numerator, denominator, k)) {
            k--;
        }
        while (atLeast(numerator, denominator, k + 1)) {
            k++;
        }
        return k;
    }

    /** Whether numerator / denominator >= 10^k. */
    private static boolean atLeast(BigInteger numerator, BigInteger denominator, int k) {
        BigInteger left = numerator.multiply(BigInteger.TEN.pow(Math.max(-k, 0)));
        BigInteger right = denominator.multiply(BigInteger.TEN.pow(Math.max(k, 0)));
        return left.compareTo(right) >= 0;
    }

    @Test
    void writesAtTheOffsetGivenAndReturnsTheEnd() {
        byte[] buffer = new byte[40];
        int end = DecimalText.write(-1.2345678e-38f, buffer, 3);
        int next = DecimalText.write(-0.0012345678f, buffer, end);

        assertThat(new String(buffer, 3, end - 3, StandardCharsets.ISO_8859_1)).isEqualTo("-1.2345678E-38");
        assertThat(new String(buffer, end, next - end, StandardCharsets.ISO_8859_1)).isEqualTo("-0.0012345678");
        assertThat(buffer[0]).isZero();

        int longest = DecimalText.write(-1.2345678901234567e-308, buffer, 0);
        assertThat(new String(buffer, 0, longest, StandardCharsets.ISO_8859_1)).isEqualTo("-1.2345678901234567E-308");
        assertThat(longest).isEqualTo(DecimalText.MAX_LENGTH);
    }

    private static void assertLikeJackson(double value) {
        byte[] buffer = new byte[DecimalText.MAX_LENGTH];
        int length = DecimalText.write(value, buffer, 0);
        String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
        assertThat(text).as("bits %016x", Double.doubleToRawLongBits(value))
                .isEqualTo(NumberOutput.toString(value, true));
        if (Double.isFinite(value)) {
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(text))).as(text)
                    .isEqualTo(Double.doubleToRawLongBits(value));
        }
    }

    private static void assertLikeJackson(float value) {
        byte[] buffer = new byte[DecimalText.MAX_LENGTH];
        int length = DecimalText.write(value, buffer, 0);
        String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
        assertThat(text).as("bits %08x", Float.floatToRawIntBits(value)).isEqualTo(NumberOutput.toString(value, true));
        if (Float.isFinite(value)) {
            assertThat(Float.floatToRawIntBits(Float.parseFloat(text))).as(text)
                    .isEqualTo(Float.floatToRawIntBits(value));
        }
    }
}
