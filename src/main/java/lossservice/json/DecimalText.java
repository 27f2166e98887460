package lossservice.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;

/**
 * The shortest decimal text that reads back as the same float32 or float64, written straight into a byte array: the
 * text of Jackson's fast writer ({@code NumberOutput.toString(value, true)}) and of {@code Float.toString} and
 * {@code Double.toString} since Java 19, without the String, the formatter object and the char-to-byte copy each of
 * them costs per number (half the time of a large JSON answer went there).
 *
 * <p>The digits are Schubfach's (R. Giulietti, "The Schubfach way to render doubles", 2020): of the decimals
 * {@code s * 10^k} and {@code (s + 1) * 10^k} around the value {@code c * 2^q}, with {@code 10^k} the largest power of
 * ten not above {@code 2^q}, pick the one inside the value's rounding interval (the closer, ties to an even
 * {@code s}, when both are), after trying the same with one digit fewer. The value times {@code 10^-k} is computed in
 * fixed point with {@code 10^-k} rounded up (to 63 bits for a float, 126 for a double) and the product rounded to
 * odd, which keeps every comparison with the interval's ends exact. The layout is Java's: plain from 10^-3 up to 10^7
 * ({@code 0.001}, {@code 1234567.0}), else scientific ({@code 1.0E7}, {@code 4.9E-324}), always a digit after the
 * point. {@code DecimalTextTests} compares the text with Jackson's.
 */
final class DecimalText {

    /** The longest text: {@code -1.2345678901234567E-308}. */
    static final int MAX_LENGTH = 24;

    private static final int FLOAT_SIGNIFICAND_BITS = 23;
    private static final int FLOAT_HIDDEN_BIT = 1 << FLOAT_SIGNIFICAND_BITS;
    private static final int FLOAT_Q_MIN = -149;
    private static final int FLOAT_Q_MAX = 104;
    /**
     * Subnormal significands below this (ceil(2^149 / 10^44) = 8) are scaled by ten and their digits found one decimal
     * place lower: at the bottom of the range the fixed point has too few digits to tell the neighbours apart.
     */
    private static final int FLOAT_C_TINY = 8;

    private static final int DOUBLE_SIGNIFICAND_BITS = 52;
    private static final long DOUBLE_HIDDEN_BIT = 1L << DOUBLE_SIGNIFICAND_BITS;
    private static final int DOUBLE_Q_MIN = -1074;
    private static final int DOUBLE_Q_MAX = 971;
    /** As {@link #FLOAT_C_TINY}: ceil(2^1074 / 10^323) = 3. */
    private static final int DOUBLE_C_TINY = 3;

    private static final long MASK_63 = Long.MAX_VALUE;
    private static final double LOG10_2 = Math.log10(2);
    private static final double LOG10_3 = Math.log10(3);
    private static final long[] POWERS_OF_TEN = new long[19];
    /** "00" to "99", two bytes each. */
    private static final byte[] DIGIT_PAIRS = new byte[200];
    /** Two and eight bytes of an array as one value, the first byte lowest. */
    private static final VarHandle PAIR_AT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_AT = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Decimal exponents per binary exponent q: k = floor(log10(2^q)), and floor(log10(3/4 2^q)) below a power of two. */
    private static final Exponents FLOAT_EXPONENTS = new Exponents(FLOAT_Q_MIN, FLOAT_Q_MAX);
    private static final Exponents DOUBLE_EXPONENTS = new Exponents(DOUBLE_Q_MIN, DOUBLE_Q_MAX);
    /** Per decimal exponent k of a float: floor(10^-k 2^r) + 1 in [2^62, 2^63), and floor(log2(10^-k)) = 62 - r. */
    private static final PowersOfTen FLOAT_POWERS = new PowersOfTen(FLOAT_EXPONENTS, 63);
    /** Per decimal exponent k of a double: floor(10^-k 2^r) + 1 in [2^125, 2^126) as two 63-bit halves. */
    private static final PowersOfTen DOUBLE_POWERS = new PowersOfTen(DOUBLE_EXPONENTS, 126);

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private DecimalText() {
    }

    /**
     * floor(log10(2^q)), in doubles: exact for every binary exponent of a float64, none of whose logarithms comes close
     * enough to an integer for the rounding of a double to matter ({@code DecimalTextTests} compares every q with the
     * answer in exact integers).
     */
    static int floorLog10Pow2(int q) {
        return (int) Math.floor(q * LOG10_2);
    }

    /** floor(log10(3/4 2^q)), as {@link #floorLog10Pow2}. */
    static int floorLog10ThreeQuartersPow2(int q) {
        return (int) Math.floor(LOG10_3 + (q - 2) * LOG10_2);
    }

    /** Writes the text of a float32 at {@code at} (room for {@value #MAX_LENGTH} bytes) and returns its end. */
    static int write(float value, byte[] buffer, int at) {
        int bits = Float.floatToRawIntBits(value);
        int fraction = bits & (FLOAT_HIDDEN_BIT - 1);
        int biased = (bits >>> FLOAT_SIGNIFICAND_BITS) & 0xff;
        if (biased == 0xff) {
            return ascii(fraction != 0 ? "NaN" : bits < 0 ? "-Infinity" : "Infinity", buffer, at);
        }
        if (bits < 0) {
            buffer[at++] = '-';
        }
        if (biased == 0) {
            if (fraction == 0) {
                return ascii("0.0", buffer, at);
            }
            return fraction < FLOAT_C_TINY ? decimal(FLOAT_Q_MIN, 10 * fraction, -1, true, buffer, at)
                    : decimal(FLOAT_Q_MIN, fraction, 0, true, buffer, at);
        }
        int c = FLOAT_HIDDEN_BIT | fraction;
        int q = biased - 1 + FLOAT_Q_MIN;
        // An integer below 2^24 is its own shortest text: the rounding interval is at most one wide.
        if (q < 0 && q > -FLOAT_SIGNIFICAND_BITS - 1) {
            int integer = c >> -q;
            if (integer << -q == c) {
                return layout(integer, 0, buffer, at);
            }
        }
        return decimal(q, c, 0, true, buffer, at);
    }

    /** Writes the text of a float64 at {@code at} (room for {@value #MAX_LENGTH} bytes) and returns its end. */
    static int write(double value, byte[] buffer, int at) {
        long bits = Double.doubleToRawLongBits(value);
        long fraction = bits & (DOUBLE_HIDDEN_BIT - 1);
        int biased = (int) (bits >>> DOUBLE_SIGNIFICAND_BITS) & 0x7ff;
        if (biased == 0x7ff) {
            return ascii(fraction != 0 ? "NaN" : bits < 0 ? "-Infinity" : "Infinity", buffer, at);
        }
        if (bits < 0) {
            buffer[at++] = '-';
        }
        if (biased == 0) {
            if (fraction == 0) {
                return ascii("0.0", buffer, at);
            }
            return fraction < DOUBLE_C_TINY ? decimal(DOUBLE_Q_MIN, 10 * fraction, -1, false, buffer, at)
                    : decimal(DOUBLE_Q_MIN, fraction, 0, false, buffer, at);
        }
        long c = DOUBLE_HIDDEN_BIT | fraction;
        int q = biased - 1 + DOUBLE_Q_MIN;
        // An integer below 2^53 is its own shortest text.
        if (q < 0 && q > -DOUBLE_SIGNIFICAND_BITS - 1) {
            long integer = c >> -q;
            if (integer << -q == c) {
                return layout(integer, 0, buffer, at);
            }
        }
        return decimal(q, c, 0, false, buffer, at);
    }

    /** The text of the float32 or float64 c * 2^q, its digits found one decimal place lower when dk is -1. */
    private static int decimal(int q, long c, int dk, boolean float32, byte[] buffer, int at) {
        // Everything in quarters of 2^q: the value, and the ends of its rounding interval (half-way to each
        // neighbour; a quarter below a power of two, where the neighbour below is twice as close).
        int open = (int) c & 1; // round half to even: an odd significand does not own the ends of its interval
        long cb = c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        Exponents exponents = float32 ? FLOAT_EXPONENTS : DOUBLE_EXPONENTS;
        boolean belowPowerOfTwo = c == (float32 ? FLOAT_HIDDEN_BIT : DOUBLE_HIDDEN_BIT)
                && q != (float32 ? FLOAT_Q_MIN : DOUBLE_Q_MIN);
        if (belowPowerOfTwo) {
            cbl = cb - 1;
            k = exponents.kBelowPowerOfTwo(q);
        } else {
            cbl = cb - 2;
            k = exponents.k(q);
        }
        long vb;
        long vbl;
        long vbr;
        if (float32) {
            long g = FLOAT_POWERS.high(k);
            // 31 bits after the point in the product's high half.
            int shift = q + FLOAT_POWERS.log2(k) + 33;
            vb = floatTimesPowerOfTen(g, cb << shift);
            vbl = floatTimesPowerOfTen(g, cbl << shift);
            vbr = floatTimesPowerOfTen(g, cbr << shift);
        } else {
            long g1 = DOUBLE_POWERS.high(k);
            long g0 = DOUBLE_POWERS.low(k);
            // 63 bits after the point, across the two halves of the product.
            int shift = q + DOUBLE_POWERS.log2(k) + 2;
            vb = doubleTimesPowerOfTen(g1, g0, cb << shift);
            vbl = doubleTimesPowerOfTen(g1, g0, cbl << shift);
            vbr = doubleTimesPowerOfTen(g1, g0, cbr << shift);
        }
        return choose(vb, vbl, vbr, open, k, dk, buffer, at);
    }

    /**
     * Picks the decimal: vb, vbl and vbr are the value and the ends of its interval times 10^-k in quarters, each
     * rounded to odd (so that comparing them with a multiple of four is exact).
     */
    private static int choose(long vb, long vbl, long vbr, int open, int k, int dk, byte[] buffer, int at) {
        long s = vb >> 2;
        if (s >= 100) {
            // One digit fewer: the multiples of ten around the value.
            long sp10 = s / 10 * 10;
            long tp10 = sp10 + 10;
            boolean lowerIn = vbl + open <= sp10 << 2;
            boolean upperIn = (tp10 << 2) + open <= vbr;
            if (lowerIn != upperIn) {
                return layout(lowerIn ? sp10 : tp10, k, buffer, at);
            }
        }
        long t = s + 1;
        boolean lowerIn = vbl + open <= s << 2;
        boolean upperIn = (t << 2) + open <= vbr;
        if (lowerIn != upperIn) {
            return layout(lowerIn ? s : t, k + dk, buffer, at);
        }
        // Both: the closer, the even one on a tie.
        long fromMiddle = vb - ((s + t) << 1);
        return layout(fromMiddle < 0 || fromMiddle == 0 && (s & 1) == 0 ? s : t, k + dk, buffer, at);
    }

    /** The high half of g * cp, 31 bits after the point, rounded to an integer by setting its last bit if any fell. */
    private static long floatTimesPowerOfTen(long g, long cp) {
        long high = Math.multiplyHigh(g, cp);
        long integer = high >>> 31;
        long sticky = ((high & 0xffff_ffffL) + 0xffff_ffffL) >>> 32;
        return integer | sticky;
    }

    /** (g1 2^63 + g0) * cp / 2^127, rounded to an integer by setting its last bit if the 63 bits after the point are not 0. */
    private static long doubleTimesPowerOfTen(long g1, long g0, long cp) {
        long x1 = Math.multiplyHigh(g0, cp);
        long y0 = g1 * cp;
        long y1 = Math.multiplyHigh(g1, cp);
        long z = (y0 >>> 1) + x1;
        long integer = y1 + (z >>> 63);
        long sticky = ((z & MASK_63) + MASK_63) >>> 63;
        return integer | sticky;
    }

    /** Lays out digits * 10^exponent as Java does; digits is positive and below 10^18. */
    private static int layout(long digits, int exponent, byte[] buffer, int at) {
        // The digits go one place to the right of where the text starts, leaving room to open the point after the
        // first; trailing zeros are dropped into the exponent.
        int start = at + 1;
        int end = start + decimalLength(digits);
        writeDigits(digits, buffer, end);
        while (buffer[end - 1] == '0') {
            end--;
            exponent++;
        }
        int length = end - start;
        int scientific = exponent + length - 1; // the exponent of the first digit
        if (scientific >= 0 && scientific < 7) {
            if (length <= scientific + 1) {
                // An integer: its digits, its zeros, ".0".
                System.arraycopy(buffer, start, buffer, at, length);
                end = at + length;
                for (int i = length; i <= scientific; i++) {
                    buffer[end++] = '0';
                }
                buffer[end++] = '.';
                buffer[end++] = '0';
                return end;
            }
            System.arraycopy(buffer, start, buffer, at, scientific + 1);
            buffer[at + scientific + 1] = '.';
            return end;
        }
        if (scientific < 0 && scientific >= -3) {
            // "0." and the zeros before the digits.
            int shift = -scientific;
            System.arraycopy(buffer, start, buffer, start + shift, length);
            buffer[at] = '0';
            buffer[at + 1] = '.';
            for (int i = at + 2; i < start + shift; i++) {
                buffer[i] = '0';
            }
            return end + shift;
        }
        buffer[at] = buffer[start];
        buffer[start] = '.';
        if (length == 1) {
            buffer[end++] = '0';
        }
        buffer[end++] = 'E';
        if (scientific < 0) {
            buffer[end++] = '-';
            scientific = -scientific;
        }
        if (scientific >= 100) {
            buffer[end++] = (byte) ('0' + scientific / 100);
            scientific %= 100;
            buffer[end++] = DIGIT_PAIRS[2 * scientific];
        } else if (scientific >= 10) {
            buffer[end++] = DIGIT_PAIRS[2 * scientific];
        }
        buffer[end++] = DIGIT_PAIRS[2 * scientific + 1];
        return end;
    }

    /** The number of decimal digits of a positive long below 10^18. */
    private static int decimalLength(long value) {
        int approximate = (64 - Long.numberOfLeadingZeros(value)) * 1233 >>> 12; // floor(bits * log10(2))
        return approximate + (value >= POWERS_OF_TEN[approximate] ? 1 : 0);
    }

    /**
     * Writes the digits of a positive long so that the last is just before {@code end}: the last eight in one store
     * when there are at least eight (a float32's nine significant digits, most of a double's seventeen), the others
     * two at a time.
     */
    private static void writeDigits(long value, byte[] buffer, int end) {
        int i = end;
        if (value >= 10_000_000L) {
            long upper = value / 100_000_000L;
            int lower = (int) (value - upper * 100_000_000L);
            LONG_AT.set(buffer, end - 8, eightDigits(lower));
            if (upper == 0) {
                return;
            }
            value = upper;
            i = end - 8;
        }
        while (value > Integer.MAX_VALUE) {
            long quotient = value / 100;
            int pair = (int) (value - quotient * 100) << 1;
            buffer[--i] = DIGIT_PAIRS[pair + 1];
            buffer[--i] = DIGIT_PAIRS[pair];
            value = quotient;
        }
        int rest = (int) value;
        while (rest >= 100) {
            int quotient = rest / 100;
            int pair = (rest - quotient * 100) << 1;
            buffer[--i] = DIGIT_PAIRS[pair + 1];
            buffer[--i] = DIGIT_PAIRS[pair];
            rest = quotient;
        }
        if (rest >= 10) {
            buffer[--i] = DIGIT_PAIRS[(rest << 1) + 1];
            buffer[--i] = DIGIT_PAIRS[rest << 1];
        } else {
            buffer[--i] = (byte) ('0' + rest);
        }
    }

    /** The eight digits of {@code value} (below 10^8, with leading zeros) as ASCII, the first in the lowest byte. */
    private static long eightDigits(int value) {
        int high = value / 10_000;
        int low = value - high * 10_000;
        int a = high / 100;
        int b = high - a * 100;
        int c = low / 100;
        int d = low - c * 100;
        // Each read typed exactly as the view's element (short): any other type makes the call a slow conversion.
        return ((short) PAIR_AT.get(DIGIT_PAIRS, a << 1) & 0xffffL)
                | ((short) PAIR_AT.get(DIGIT_PAIRS, b << 1) & 0xffffL) << 16
                | ((short) PAIR_AT.get(DIGIT_PAIRS, c << 1) & 0xffffL) << 32
                | ((short) PAIR_AT.get(DIGIT_PAIRS, d << 1) & 0xffffL) << 48;
    }

    private static int ascii(String text, byte[] buffer, int at) {
        for (int i = 0; i < text.length(); i++) {
            buffer[at++] = (byte) text.charAt(i);
        }
        return at;
    }

    /** The decimal exponents of the binary exponents of one precision, computed exactly once. */
    private static final class Exponents {

        private final int qMin;
        private final int[] k;
        private final int[] kBelowPowerOfTwo;
        final int kMin;
        final int kMax;

        Exponents(int qMin, int qMax) {
            this.qMin = qMin;
            k = new int[qMax - qMin + 1];
            kBelowPowerOfTwo = new int[qMax - qMin + 1];
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (int q = qMin; q <= qMax; q++) {
                k[q - qMin] = floorLog10Pow2(q);
                kBelowPowerOfTwo[q - qMin] = floorLog10ThreeQuartersPow2(q);
                min = Math.min(min, Math.min(k[q - qMin], kBelowPowerOfTwo[q - qMin]));
                max = Math.max(max, Math.max(k[q - qMin], kBelowPowerOfTwo[q - qMin]));
            }
            kMin = min;
            kMax = max;
        }

        int k(int q) {
            return k[q - qMin];
        }

        int kBelowPowerOfTwo(int q) {
            return kBelowPowerOfTwo[q - qMin];
        }
    }

    /** 10^-k rounded up to a fixed number of bits, for each decimal exponent k of one precision. */
    private static final class PowersOfTen {

        private final int kMin;
        private final long[] high;
        private final long[] low;
        private final int[] log2;

        /** @param bits  63 (one long) or 126 (two longs of 63 bits) */
        PowersOfTen(Exponents exponents, int bits) {
            kMin = exponents.kMin;
            int count = exponents.kMax - kMin + 1;
            high = new long[count];
            low = new long[count];
            log2 = new int[count];
            for (int k = kMin; k <= exponents.kMax; k++) {
                // g = floor(10^-k 2^r) + 1 with r such that 2^(bits-1) <= g < 2^bits.
                BigInteger g;
                int floorLog2;
                if (k <= 0) {
                    BigInteger power = BigInteger.TEN.pow(-k);
                    floorLog2 = power.bitLength() - 1;
                    int r = bits - 1 - floorLog2;
                    g = r >= 0 ? power.shiftLeft(r) : power.shiftRight(-r);
                } else {
                    BigInteger power = BigInteger.TEN.pow(k);
                    floorLog2 = -power.bitLength();
                    g = BigInteger.ONE.shiftLeft(bits - 1 - floorLog2).divide(power);
                }
                g = g.add(BigInteger.ONE);
                if (bits == 63) {
                    high[k - kMin] = g.longValueExact();
                } else {
                    high[k - kMin] = g.shiftRight(63).longValueExact();
                    low[k - kMin] = g.longValue() & MASK_63;
                }
                log2[k - kMin] = floorLog2;
            }
        }

        long high(int k) {
            return high[k - kMin];
        }

        long low(int k) {
            return low[k - kMin];
        }

        int log2(int k) {
            return log2[k - kMin];
        }
    }
}
