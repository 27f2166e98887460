package lossservice.json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.io.NumberInput;

/**
 * The fast path of a request body's large arrays: a stream between the body and Jackson's parser that lifts the
 * number arrays of chosen fields of the top-level object (or of the objects in one of its arrays: the
 * {@code inputs[*].data} of an inference request) out of the text, reading each in one pass over its bytes,
 * and hands the parser a {@code 0} and a space in its place (the space ends the number whatever follows the
 * array); the reader then {@link #take}s the array where it meets that {@code 0}. Jackson's tokenizer copies every number's characters into a buffer of its own and parses them
 * from there, about 44 ns a number of a float32 logit; this reads them from the bytes, about 18 ns.
 *
 * <p>Only what is certainly valid JSON, and certainly read the same way, is lifted: an array holding at least one
 * number and nothing but numbers and arrays, rectangular (every array of a level has the first one's length,
 * numbers only at the deepest level), nested no deeper than the parser allows, its numbers written as RFC 8259 says,
 * of at most {@value #MAX_NUMBER_LENGTH} characters (and fewer than the parser's limit), finite as doubles, and no more of them than {@code maxValues}
 * over the whole body. Anything else (a string among the numbers, a ragged row, {@code 1e400}, an empty array) goes
 * to the parser byte for byte from the array's first byte, since the source is marked where the array begins and
 * reset to it, and is read and reported exactly as it would have been. A source that cannot be marked is passed
 * through as it is, and so is a body that is not UTF-8 (a zero byte among its first four).
 *
 * <p>Numbers are converted the way Jackson converts them: a JSON integer is the double nearest its value (so
 * {@code -0} is {@code 0.0}), anything else the correctly rounded double of its text. A short decimal (at most 15
 * digits, no exponent) is the exact quotient of its digits and a power of ten, rounded once (Clinger's fast path);
 * Jackson's own parser of doubles takes the rest.
 *
 * <p>Positions: the parser sees a shorter text. {@link #originalLine} and {@link #originalColumn} translate the
 * location of a syntax error back to the body's own lines and columns.
 */
public final class NumberArrayLifter extends InputStream {

    /** The longest number lifted; a longer one (valid up to {@code loss.limits.max-number-length}) is left to Jackson. */
    static final int MAX_NUMBER_LENGTH = 100;
    /** How many numbers of an array keep their text, for messages that quote a number ({@link Lifted#text}). */
    static final int QUOTED_NUMBERS = 100;

    private static final int BUFFER = 32 << 10;
    /** Bytes kept ahead of the position while lifting, so that a number is never cut by the end of the buffer. */
    private static final int LOOKAHEAD = MAX_NUMBER_LENGTH + 28;
    /** The length of a placeholder: {@code 0} and a space, so that what follows the array cannot continue the number. */
    private static final int PLACEHOLDER = 2;
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        double power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    /** A number array lifted out of the body, and the texts of its first numbers. */
    public static final class Lifted {
        private final long offset;
        private final long originalLength;
        private final int newlines;
        /** Where the array's last newline is, from its first byte; -1 when it has none. */
        private final long lastNewline;
        private final NumberArray array;
        private final byte[] texts;
        private final int[] textEnds;

        private Lifted(long offset, long originalLength, int newlines, long lastNewline,
                NumberArray array, byte[] texts, int[] textEnds) {
            this.offset = offset;
            this.originalLength = originalLength;
            this.newlines = newlines;
            this.lastNewline = lastNewline;
            this.array = array;
            this.texts = texts;
            this.textEnds = textEnds;
        }

        /** The array: its shape as read, its values, and which were JSON integers. */
        public NumberArray array() {
            return array;
        }

        /** The text of the {@code index}th number as the body wrote it, for the first {@value #QUOTED_NUMBERS}; else null. */
        public String text(int index) {
            if (index >= textEnds.length || textEnds[index] == 0) {
                return null;
            }
            int start = index == 0 ? 0 : textEnds[index - 1];
            return new String(texts, start, textEnds[index] - start, StandardCharsets.ISO_8859_1);
        }
    }

    private final InputStream source;
    /** Each field that may be lifted, and whether to record which of its numbers are JSON integers. */
    private final Map<String, Boolean> fields;
    /**
     * Null: the fields are those of the top-level object. Otherwise the name of a top-level field holding an array of
     * objects, and the fields are those of these objects.
     */
    private final String elementsField;
    /** The depth of the objects whose fields are lifted: 1, or 3 for the elements of {@link #elementsField}. */
    private final int liftDepth;
    private final int maxNesting;
    private final int maxNumberLength;
    private long budget;
    private final boolean lifting;

    private byte[] buffer;
    private int position;
    private int end;
    private boolean exhausted;
    /** Offset in the body of {@code buffer[0]}. */
    private long bufferStart;
    /** Bytes handed to the reader so far: the offset, in the text the parser sees, of the next one. */
    private long handedOut;

    private final List<Lifted> lifts = new ArrayList<>();
    /** The space that ends a placeholder is still to be handed out. */
    private boolean placeholderSpace;
    private int taken;

    // The structure outside lifted arrays, followed down to the depth of the lifted fields.
    private int depth;
    private boolean inString;
    private boolean escaped;
    /** 0: before the top-level value; 1: inside the top-level object; 2: no more lifting (another value, or after). */
    private int top;
    /** For each depth down to {@link #liftDepth} (from 1): whether it is an object, and then its current field. */
    private final boolean[] isObject = new boolean[4];
    private final boolean[] expectKey = new boolean[4];
    private final String[] keys = new String[4];
    private boolean capturingKey;
    private final byte[] key = new byte[64];
    private int keyLength;
    private boolean keyUsable;
    /** The value after the colon belongs to a field that may be lifted, and has not started. */
    private Boolean liftNext;

    /**
     * @param fields      the fields of the top-level object whose arrays may be lifted, each with whether to record
     *                    which of its numbers are JSON integers
     * @param maxNesting  the deepest nesting of arrays and objects the parser accepts (a lifted array nests two
     *                    levels less: one for the object it is in, one to stay clear of how the parser counts)
     * @param maxNumberLength  the most characters of a number the parser accepts
     * @param maxValues   the most numbers lifted from the whole body
     */
    public NumberArrayLifter(InputStream source, Map<String, Boolean> fields, int maxNesting, int maxNumberLength,
            long maxValues) {
        this(source, null, fields, maxNesting, maxNumberLength, maxValues);
    }

    /**
     * A lifter of the fields of the objects in a top-level array field ({@code inputs[*].data} of the Open Inference
     * Protocol), else as above.
     *
     * @param elementsField  the top-level field holding the array of objects, or null for the top-level object's fields
     */
    public NumberArrayLifter(InputStream source, String elementsField, Map<String, Boolean> fields, int maxNesting,
            int maxNumberLength, long maxValues) {
        this.source = source;
        this.elementsField = elementsField;
        this.liftDepth = elementsField == null ? 1 : 3;
        this.fields = fields;
        this.maxNesting = Math.min(64, maxNesting - liftDepth - 1);
        this.maxNumberLength = Math.min(MAX_NUMBER_LENGTH, maxNumberLength - 1);
        this.budget = maxValues;
        this.lifting = source.markSupported() && !fields.isEmpty() && this.maxNesting > 0;
        int expected;
        try {
            expected = source.available();
        } catch (IOException e) {
            expected = BUFFER;
        }
        // A small body gets a small buffer: a request of 2x10 is a few hundred bytes.
        this.buffer = new byte[Math.max(2 * LOOKAHEAD, Math.min(BUFFER, expected + 1))];
    }

    /**
     * The array lifted at the parser's current token, which is then a {@code 0} in its place; null when the token is
     * not one. Lifted arrays are taken in order: those the reader skipped are passed over.
     */
    public Lifted take(JsonParser parser) {
        if (taken == lifts.size() || parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            return null;
        }
        long at = parser.currentTokenLocation().getByteOffset();
        while (taken < lifts.size() && lifts.get(taken).offset < at) {
            taken++;
        }
        return taken < lifts.size() && lifts.get(taken).offset == at ? lifts.get(taken++) : null;
    }

    /** The line, in the body, of a location the parser reported. */
    public int originalLine(TokenStreamLocation location) {
        long at = location.getByteOffset();
        int line = location.getLineNr();
        for (Lifted lifted : lifts) {
            if (lifted.offset < at) {
                line += lifted.newlines;
            }
        }
        return line;
    }

    /** The column, in the body, of a location the parser reported (columns count bytes from 1). */
    public int originalColumn(TokenStreamLocation location) {
        long at = location.getByteOffset();
        long lineStart = at - (location.getColumnNr() - 1);
        long column = location.getColumnNr();
        for (Lifted lifted : lifts) {
            if (lifted.offset >= lineStart && lifted.offset < at) {
                if (lifted.lastNewline >= 0) {
                    // The line begins inside this array: count from its last newline.
                    column = (lifted.originalLength - lifted.lastNewline - 1) + (at - lifted.offset - PLACEHOLDER) + 1;
                } else {
                    column += lifted.originalLength - PLACEHOLDER;
                }
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, column);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] out, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!lifting) {
            int n = source.read(out, offset, length);
            if (n > 0) {
                handedOut += n;
            }
            return n;
        }
        int written = 0;
        while (written < length) {
            if (placeholderSpace) {
                out[offset + written++] = ' ';
                handedOut++;
                placeholderSpace = false;
                continue;
            }
            if (position == end && !fill()) {
                break;
            }
            if (top == 2) {
                // Nothing more to lift: hand over what is buffered as it is.
                int n = Math.min(length - written, end - position);
                System.arraycopy(buffer, position, out, offset + written, n);
                position += n;
                written += n;
                handedOut += n;
                continue;
            }
            byte c = buffer[position];
            if (c == '[' && liftNext != null && !inString) {
                boolean trackIntegral = liftNext;
                liftNext = null;
                if (liftArray(trackIntegral)) {
                    out[offset + written++] = '0';
                    handedOut++;
                    placeholderSpace = true;
                    continue;
                }
                c = buffer[position]; // not lifted: the array goes on as it is, from its first byte
            }
            structure(c);
            out[offset + written++] = c;
            handedOut++;
            position++;
        }
        return written == 0 ? -1 : written;
    }

    /** Follows the structure of the text outside lifted arrays, one byte at a time. */
    private void structure(byte c) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
                keyUsable = false;
            } else if (c == '"') {
                inString = false;
                if (capturingKey) {
                    capturingKey = false;
                    expectKey[depth] = false;
                    keys[depth] = keyUsable ? new String(key, 0, keyLength, StandardCharsets.ISO_8859_1) : null;
                }
            } else if (capturingKey) {
                if (keyLength < key.length) {
                    key[keyLength++] = c;
                } else {
                    keyUsable = false;
                }
            }
            return;
        }
        switch (c) {
            case ' ', '\t', '\n', '\r' -> {
                // whitespace: nothing changes
            }
            case '"' -> {
                inString = true;
                capturingKey = depth >= 1 && depth <= liftDepth && isObject[depth] && expectKey[depth];
                keyLength = 0;
                keyUsable = true;
                liftNext = null;
            }
            case '{', '[' -> {
                liftNext = null;
                if (depth == 0 && top == 0 && c == '{') {
                    top = 1;
                } else if (depth == 0) {
                    top = 2;
                }
                depth++;
                if (depth <= liftDepth) {
                    isObject[depth] = c == '{';
                    expectKey[depth] = c == '{';
                    keys[depth] = null;
                }
            }
            case '}', ']' -> {
                liftNext = null;
                depth--;
                if (depth <= 0) {
                    top = 2;
                }
            }
            case ',' -> {
                liftNext = null;
                if (depth >= 1 && depth <= liftDepth && isObject[depth]) {
                    expectKey[depth] = true;
                    keys[depth] = null;
                }
            }
            case ':' -> {
                liftNext = null;
                if (depth == liftDepth && isObject[depth] && !expectKey[depth] && keys[depth] != null
                        && (elementsField == null || !isObject[2] && elementsField.equals(keys[1]))) {
                    liftNext = fields.get(keys[depth]);
                }
                if (depth == liftDepth) {
                    keys[depth] = null; // one colon per field (the field of a shallower object stays: "inputs")
                }
            }
            default -> {
                liftNext = null;
                if (depth == 0 && top == 0 && !(handedOut < 3 && (c & 0xff) >= 0x80)) {
                    top = 2; // a top-level value that is not an object (a UTF-8 byte order mark is let through)
                }
            }
        }
    }

    /** Reads more of the source into the buffer, keeping what is left; false at its end. */
    private boolean fill() throws IOException {
        if (exhausted) {
            return false;
        }
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, end - position);
            bufferStart += position;
            end -= position;
            position = 0;
        }
        if (end == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int n = source.read(buffer, end, buffer.length - end);
        if (n < 0) {
            exhausted = true;
            return false;
        }
        boolean first = bufferStart == 0 && end == 0;
        end += n;
        if (first && !utf8Prefix()) {
            top = 2;
        }
        return true;
    }

    /** Whether the first bytes (up to four) read so far have no zero byte, as UTF-16 and UTF-32 JSON would. */
    private boolean utf8Prefix() throws IOException {
        while (end < 4 && !exhausted) {
            int n = source.read(buffer, end, buffer.length - end);
            if (n < 0) {
                exhausted = true;
            } else {
                end += n;
            }
        }
        for (int i = 0; i < Math.min(4, end); i++) {
            if (buffer[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /** Makes at least {@link #LOOKAHEAD} bytes available after the position, unless the source ends first. */
    private void ensureAhead() throws IOException {
        while (end - position < LOOKAHEAD && !exhausted) {
            fill();
        }
    }

    /**
     * Lifts the array at the position, leaving the position after it; false, with the position on its first byte
     * and the source as it was, when it is not one to lift.
     */
    private boolean liftArray(boolean trackIntegral) throws IOException {
        byte[] rest = Arrays.copyOfRange(buffer, position, end);
        long restStart = bufferStart + position;
        boolean restExhausted = exhausted;
        source.mark(Integer.MAX_VALUE);
        Lifted lifted = readArray(trackIntegral);
        if (lifted != null) {
            source.mark(0); // nothing to go back to: a buffered body gives back what was read
            lifts.add(lifted);
            return true;
        }
        source.reset();
        source.mark(0); // read on from here as if never marked: the body gives back what the parser has passed
        buffer = Arrays.copyOf(rest, Math.max(rest.length, 2 * LOOKAHEAD));
        position = 0;
        end = rest.length;
        bufferStart = restStart;
        exhausted = restExhausted;
        return false;
    }

    private Lifted readArray(boolean trackIntegral) throws IOException {
        long start = bufferStart + position;
        int[] shape = new int[maxNesting];
        Arrays.fill(shape, -1);
        int[] index = new int[maxNesting];
        int open = 0;
        int leafDepth = -1;
        boolean expectValue = true;
        double[] values = new double[64];
        boolean[] integral = trackIntegral ? new boolean[64] : null;
        int count = 0;
        byte[] texts = new byte[64];
        int textLength = 0;
        int[] textEnds = new int[8];
        int newlines = 0;
        long lastNewline = -1;
        byte previous = 0;

        while (true) {
            if (end - position < LOOKAHEAD) {
                ensureAhead();
                if (position == end) {
                    return null; // the body ends inside the array
                }
            }
            byte c = buffer[position];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                if (c == '\r' || c == '\n') {
                    // Lines as the parser counts them: CR, LF and CR LF each end one.
                    if (c == '\r' || previous != '\r') {
                        newlines++;
                    }
                    lastNewline = bufferStart + position - start;
                }
                previous = c;
                position++;
                continue;
            }
            previous = 0;
            if (c == '[') {
                if (!expectValue || open == maxNesting || leafDepth >= 0 && open >= leafDepth) {
                    return null;
                }
                index[open++] = 0;
                position++;
            } else if (c == ']') {
                int level = open - 1;
                int length = index[level];
                if (length == 0 || expectValue) {
                    return null; // an empty array, or a comma before the bracket
                }
                if (shape[level] < 0) {
                    shape[level] = length;
                } else if (shape[level] != length) {
                    return null;
                }
                position++;
                open--;
                if (open == 0) {
                    break;
                }
                index[open - 1]++;
                expectValue = false;
            } else if (c == ',') {
                if (expectValue) {
                    return null;
                }
                expectValue = true;
                position++;
            } else if (c == '-' || c >= '0' && c <= '9') {
                if (!expectValue || open == 0 || leafDepth >= 0 && open != leafDepth) {
                    return null;
                }
                leafDepth = open;
                int read = 0;
                // The numbers of a row, each after a comma with no space, are read here one after the other rather
                // than each time through the dispatch above (a quarter of the lifting time went there).
                while (true) {
                    if (count == budget) {
                        return null;
                    }
                    int numberStart = position;
                    double value = shortDecimal();
                    if (Double.isNaN(value)) {
                        value = number();
                        if (Double.isNaN(value)) {
                            return null;
                        }
                    }
                    if (count == values.length) {
                        values = Arrays.copyOf(values, count * 2);
                        if (integral != null) {
                            integral = Arrays.copyOf(integral, count * 2);
                        }
                    }
                    values[count] = value;
                    if (integral != null) {
                        integral[count] = numberIsIntegral;
                    }
                    if (count < QUOTED_NUMBERS) {
                        if (count == textEnds.length) {
                            textEnds = Arrays.copyOf(textEnds, Math.min(QUOTED_NUMBERS, count * 4));
                        }
                        int length = position - numberStart;
                        if (textLength + length > texts.length) {
                            texts = Arrays.copyOf(texts, Math.max(texts.length * 2, textLength + length));
                        }
                        System.arraycopy(buffer, numberStart, texts, textLength, length);
                        textLength += length;
                        textEnds[count] = textLength;
                    }
                    count++;
                    read++;
                    // On only with the next number's lookahead in the buffer; anything else goes through the dispatch.
                    if (end - position <= LOOKAHEAD || buffer[position] != ',') {
                        break;
                    }
                    byte next = buffer[position + 1];
                    if (next != '-' && (next < '0' || next > '9')) {
                        break;
                    }
                    position++;
                }
                index[open - 1] += read;
                expectValue = false;
            } else {
                return null;
            }
        }
        budget -= count;
        int[] resolved = Arrays.copyOf(shape, leafDepth);
        NumberArray array = new NumberArray(resolved, values, integral, true);
        return new Lifted(handedOut, bufferStart + position - start, newlines, lastNewline, array, texts,
                textEnds);
    }

    /** The text of a number for {@link #parsed}. */
    private final char[] chars = new char[MAX_NUMBER_LENGTH + 1];

    /** Whether the number {@link #number} read last was written as a JSON integer. */
    private boolean numberIsIntegral;

    /**
     * The common case of {@link #number}, small enough to be compiled into the loop that calls it: at most 15 digits,
     * with or without a fraction, no exponent (a float32 written shortest, a class index). NaN for anything else,
     * which {@link #number} then reads.
     */
    private double shortDecimal() {
        byte[] b = buffer;
        int start = position;
        int p = start;
        int e = end;
        boolean negative = b[p] == '-';
        if (negative) {
            p++;
        }
        int wholeStart = p;
        long mantissa = 0;
        while (p < e) {
            int digit = b[p] - '0';
            if (digit < 0 || digit > 9) {
                break;
            }
            mantissa = mantissa * 10 + digit;
            p++;
        }
        int whole = p - wholeStart;
        if (whole == 0 || whole > 1 && b[wholeStart] == '0' || p == e) {
            return Double.NaN;
        }
        int fraction = 0;
        if (b[p] == '.') {
            int fractionStart = ++p;
            while (p < e) {
                int digit = b[p] - '0';
                if (digit < 0 || digit > 9) {
                    break;
                }
                mantissa = mantissa * 10 + digit;
                p++;
            }
            fraction = p - fractionStart;
            if (fraction == 0 || p == e) {
                return Double.NaN;
            }
        }
        byte next = b[p];
        if (whole + fraction > 15 || next == 'e' || next == 'E' || p - start > maxNumberLength) {
            return Double.NaN;
        }
        position = p;
        numberIsIntegral = fraction == 0;
        if (fraction == 0) {
            return (double) (negative ? -mantissa : mantissa); // as Jackson converts an integer: -0 is 0.0
        }
        double magnitude = mantissa / POWERS_OF_TEN[fraction]; // exact operands, one rounding (Clinger)
        return negative ? -magnitude : magnitude;
    }

    /**
     * Reads the number at the position, leaving the position after it: its value, or NaN when it is not a number
     * RFC 8259 allows, longer than the lifting limit, or beyond the double range. The numbers {@link #shortDecimal}
     * leaves (an exponent, more digits) are rare enough to check the grammar here and let Jackson's parser of doubles
     * convert the text.
     */
    private double number() {
        byte[] b = buffer;
        int start = position;
        int limit = Math.min(end, start + maxNumberLength + 1);
        int p = b[start] == '-' ? start + 1 : start;
        if (p < limit && b[p] == '0') {
            p++; // a leading zero stands alone: a digit after it is caught below
        } else {
            int whole = p;
            p = afterDigits(b, p, limit);
            if (p == whole) {
                return Double.NaN;
            }
        }
        boolean integral = true;
        if (p < limit && b[p] == '.') {
            integral = false;
            int fraction = ++p;
            p = afterDigits(b, p, limit);
            if (p == fraction) {
                return Double.NaN;
            }
        }
        if (p < limit && (b[p] == 'e' || b[p] == 'E')) {
            integral = false;
            p++;
            if (p < limit && (b[p] == '-' || b[p] == '+')) {
                p++;
            }
            int exponent = p;
            p = afterDigits(b, p, limit);
            if (p == exponent) {
                return Double.NaN;
            }
        }
        if (p - start > maxNumberLength || p < end && b[p] >= '0' && b[p] <= '9') {
            return Double.NaN; // too long to lift (or a digit after a leading zero, which is not JSON)
        }
        double value = parsed(b, start, p);
        if (Double.isInfinite(value)) {
            return Double.NaN;
        }
        position = p;
        numberIsIntegral = integral;
        // Jackson converts an integer through its long (or BigInteger) value, correctly rounded as the text is, but
        // with no negative zero: -0 is 0.0.
        return integral && value == 0 ? 0.0 : value;
    }

    /** The position after the ASCII digits from {@code p}, at most up to {@code limit}. */
    private static int afterDigits(byte[] b, int p, int limit) {
        while (p < limit && b[p] >= '0' && b[p] <= '9') {
            p++;
        }
        return p;
    }

    /**
     * The correctly rounded double of the text, by the parser Jackson itself uses (FastDoubleParser's, shaded in
     * jackson-core): the JDK's {@link Double#parseDouble} is as exact but, for the 17 digits of a float64, several
     * times slower.
     */
    private double parsed(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            chars[i - from] = (char) bytes[i];
        }
        return NumberInput.parseDouble(chars, 0, to - from, true);
    }

    @Override
    public int available() throws IOException {
        return (end - position) + source.available();
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
