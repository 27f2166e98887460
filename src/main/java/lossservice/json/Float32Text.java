package lossservice.json;

import java.math.BigInteger;

/**
 * The shortest decimal text that reads back as the same float32, written straight into a byte array: the text of
 * Jackson's fast float writer ({@code NumberOutput.toString(float, true)}) and of {@code Float.toString} since Java
 * 19, without the String, the formatter object and the char-to-byte copy each of them costs per number (half the
 * time of a large JSON answer went there).
 *
 * <p>The digits are Schubfach's (R. Giulietti, "The Schubfach way to render doubles", 2020): of the decimals
 * {@code s * 10^k} and {@code (s + 1) * 10^k} around the float, with {@code 10^k} the largest power of ten not
 * above the float's binary exponent, pick the one inside the float's rounding interval (the closest, ties to an even
 * {@code s}, when both are), after trying the same with one digit fewer. The float times {@code 10^-k} is computed in
 * 64-bit fixed point with {@code 10^-k} rounded up to 63 bits and the product rounded to odd, which keeps every
 * comparison with the interval's ends exact. The layout is Java's: plain from 10^-3 up to 10^7 ({@code 0.001},
 * {@code 1234567.0}), else scientific ({@code 1.0E7}, {@code 1.4E-45}), always a digit after the point.
 * {@code Float32TextTests} checks the text against Jackson's for every exponent and a million random floats.
 */
final class Float32Text {

    /** The longest text: {@code -1.23456789E-38}, {@code -0.00123456789}. */
    static final int MAX_LENGTH = 15;

    private static final int SIGNIFICAND_BITS = 23;
    private static final int HIDDEN_BIT = 1 << SIGNIFICAND_BITS;
    private static final int SIGNIFICAND_MASK = HIDDEN_BIT - 1;
    private static final int EXPONENT_MASK = 0xff;
    /** The binary exponent of the subnormals and of the smallest normals: value = c * 2^q. */
    private static final int Q_MIN = -149;
    private static final int Q_MAX = 104;
    /**
     * Subnormal significands below this (ceil(2^149 / 10^44) = 8) are scaled by ten and rendered one decimal place
     * further down: at the bottom of the range the fixed point above has too few digits to tell the neighbours apart.
     */
    private static final int C_TINY = 8;

    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
        100_000_000, 1_000_000_000};
    /** "00" to "99", two bytes each. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    /** Per binary exponent q: k = floor(log10(2^q)), and for the narrower interval below a power of two, of 3/4 2^q. */
    private static final int[] K = new int[Q_MAX - Q_MIN + 1];
    private static final int[] K_BELOW_POWER_OF_TWO = new int[Q_MAX - Q_MIN + 1];
    private static final int K_MIN;
    /** Per decimal exponent k: G = floor(10^-k * 2^r) + 1 in [2^62, 2^63), and floor(log2(10^-k)) = 62 - r. */
    private static final long[] G;
    private static final int[] LOG2_POW10_NEG_K;

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        int kMin = Integer.MAX_VALUE;
        int kMax = Integer.MIN_VALUE;
        for (int q = Q_MIN; q <= Q_MAX; q++) {
            K[q - Q_MIN] = floorLog10(BigInteger.ONE, q);
            K_BELOW_POWER_OF_TWO[q - Q_MIN] = floorLog10(BigInteger.valueOf(3), q - 2);
            kMin = Math.min(kMin, Math.min(K[q - Q_MIN], K_BELOW_POWER_OF_TWO[q - Q_MIN]));
            kMax = Math.max(kMax, Math.max(K[q - Q_MIN], K_BELOW_POWER_OF_TWO[q - Q_MIN]));
        }
        K_MIN = kMin;
        G = new long[kMax - kMin + 1];
        LOG2_POW10_NEG_K = new int[kMax - kMin + 1];
        for (int k = kMin; k <= kMax; k++) {
            BigInteger g;
            int log2;
            if (k <= 0) {
                BigInteger power = BigInteger.TEN.pow(-k);
                log2 = power.bitLength() - 1;
                int r = 62 - log2;
                g = r >= 0 ? power.shiftLeft(r) : power.shiftRight(-r);
            } else {
                BigInteger power = BigInteger.TEN.pow(k);
                log2 = -power.bitLength();
                g = BigInteger.ONE.shiftLeft(62 - log2).divide(power);
            }
            G[k - kMin] = g.add(BigInteger.ONE).longValueExact();
            LOG2_POW10_NEG_K[k - kMin] = log2;
        }
    }

    private Float32Text() {
    }

    /** Writes the text of {@code value} at {@code at} (room for {@value #MAX_LENGTH} bytes) and returns its end. */
    static int write(float value, byte[] buffer, int at) {
        int bits = Float.floatToRawIntBits(value);
        int fraction = bits & SIGNIFICAND_MASK;
        int biased = (bits >>> SIGNIFICAND_BITS) & EXPONENT_MASK;
        if (biased == EXPONENT_MASK) {
            return ascii(fraction != 0 ? "NaN" : bits < 0 ? "-Infinity" : "Infinity", buffer, at);
        }
        if (bits < 0) {
            buffer[at++] = '-';
        }
        if (biased == 0) {
            if (fraction == 0) {
                return ascii("0.0", buffer, at);
            }
            return fraction < C_TINY ? decimal(Q_MIN, 10 * fraction, -1, buffer, at)
                    : decimal(Q_MIN, fraction, 0, buffer, at);
        }
        int c = HIDDEN_BIT | fraction;
        int q = biased - 1 + Q_MIN;
        // An integer below 2^24 is its own shortest text: the rounding interval is at most one wide.
        if (q < 0 && q > -SIGNIFICAND_BITS - 1) {
            int integer = c >> -q;
            if (integer << -q == c) {
                return layout(integer, 0, buffer, at);
            }
        }
        return decimal(q, c, 0, buffer, at);
    }

    /** The text of c * 2^q, its digits found one decimal place lower when dk is -1. */
    private static int decimal(int q, int c, int dk, byte[] buffer, int at) {
        // Everything in quarters of 2^q: the value, and the ends of its rounding interval (half-way to each
        // neighbour; a quarter below a power of two, where the neighbour below is twice as close).
        int open = c & 1; // round half to even: an odd significand does not own the ends of its interval
        long cb = (long) c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        if (c != HIDDEN_BIT || q == Q_MIN) {
            cbl = cb - 2;
            k = K[q - Q_MIN];
        } else {
            cbl = cb - 1;
            k = K_BELOW_POWER_OF_TWO[q - Q_MIN];
        }
        long g = G[k - K_MIN];
        int shift = q + LOG2_POW10_NEG_K[k - K_MIN] + 33;
        // Each times 10^-k, in quarters, rounded to odd.
        int vb = timesPowerOfTen(g, cb << shift);
        int vbl = timesPowerOfTen(g, cbl << shift);
        int vbr = timesPowerOfTen(g, cbr << shift);

        int s = vb >> 2;
        if (s >= 100) {
            // One digit fewer: the multiples of ten around the value.
            int sp10 = 10 * (int) (s * 1_717_986_919L >>> 34);
            int tp10 = sp10 + 10;
            boolean lowerIn = vbl + open <= sp10 << 2;
            boolean upperIn = (tp10 << 2) + open <= vbr;
            if (lowerIn != upperIn) {
                return layout(lowerIn ? sp10 : tp10, k, buffer, at);
            }
        }
        int t = s + 1;
        boolean lowerIn = vbl + open <= s << 2;
        boolean upperIn = (t << 2) + open <= vbr;
        if (lowerIn != upperIn) {
            return layout(lowerIn ? s : t, k + dk, buffer, at);
        }
        // Both (or, never for a float, neither): the closer, the even one on a tie.
        int fromMiddle = vb - ((s + t) << 1);
        return layout(fromMiddle < 0 || fromMiddle == 0 && (s & 1) == 0 ? s : t, k + dk, buffer, at);
    }

    /** The high bits of g * cp with 31 of them after the point, rounded to an integer by setting the last bit if any fell. */
    private static int timesPowerOfTen(long g, long cp) {
        long high = Math.multiplyHigh(g, cp);
        long integer = high >>> 31;
        long sticky = ((high & 0xffff_ffffL) + 0xffff_ffffL) >>> 32;
        return (int) (integer | sticky);
    }

    /** Lays out digits * 10^exponent as Java does; digits is positive and below 2^31. */
    private static int layout(int digits, int exponent, byte[] buffer, int at) {
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
        if (scientific >= 10) {
            buffer[end++] = DIGIT_PAIRS[2 * scientific];
        }
        buffer[end++] = DIGIT_PAIRS[2 * scientific + 1];
        return end;
    }

    /** The number of decimal digits of a positive int. */
    private static int decimalLength(int value) {
        int approximate = (32 - Integer.numberOfLeadingZeros(value)) * 1233 >>> 12; // floor(bits * log10(2))
        return approximate + (value >= POWERS_OF_TEN[approximate] ? 1 : 0);
    }

    /** Writes the digits of a positive int so that the last is just before {@code end}, two at a time. */
    private static void writeDigits(int value, byte[] buffer, int end) {
        int i = end;
        while (value >= 100) {
            int quotient = value / 100;
            int pair = (value - quotient * 100) << 1;
            buffer[--i] = DIGIT_PAIRS[pair + 1];
            buffer[--i] = DIGIT_PAIRS[pair];
            value = quotient;
        }
        if (value >= 10) {
            buffer[--i] = DIGIT_PAIRS[(value << 1) + 1];
            buffer[--i] = DIGIT_PAIRS[value << 1];
        } else {
            buffer[--i] = (byte) ('0' + value);
        }
    }

    private static int ascii(String text, byte[] buffer, int at) {
        for (int i = 0; i < text.length(); i++) {
            buffer[at++] = (byte) text.charAt(i);
        }
        return at;
    }

    /** floor(log10(m * 2^e)), exactly. */
    private static int floorLog10(BigInteger m, int e) {
        // Compare m * 2^e with powers of ten as integers: m * 2^e >= 10^k  <=>  m * 2^max(e,0) * 10^max(-k,0)
        // >= 10^max(k,0) * 2^max(-e,0).
        int k = (int) Math.floor((e * Math.log10(2)) + Math.log10(m.doubleValue())) + 2;
        while (!atLeastPowerOfTen(m, e, k)) {
            k--;
        }
        return k;
    }

    private static boolean atLeastPowerOfTen(BigInteger m, int e, int k) {
        BigInteger left = m.shiftLeft(Math.max(e, 0)).multiply(BigInteger.TEN.pow(Math.max(-k, 0)));
        BigInteger right = BigInteger.TEN.pow(Math.max(k, 0)).shiftLeft(Math.max(-e, 0));
        return left.compareTo(right) >= 0;
    }
}
