package lossservice.limits;

import java.io.IOException;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes a request body's {@code Content-Encoding} as its bytes arrive, pushing the decoded bytes into a
 * {@link BufferedBody}: nothing is inflated ahead of what has been received, and inflation stops at the write that
 * passes the body size limit, so a compression bomb costs at most the limit. Codings: {@code identity} (or none),
 * {@code gzip} and {@code x-gzip} (RFC 1952, members may be concatenated), and {@code deflate} (zlib, RFC 1950, as
 * the HTTP specification defines it; a raw RFC 1951 stream, which some clients send instead, is recognised by its
 * first two bytes not being a zlib header).
 */
abstract class ContentDecoder {

    /** The codings accepted, as they are named in {@code Content-Encoding}. */
    static final String ACCEPTED = "gzip, deflate or identity";

    protected final BufferedBody body;

    private ContentDecoder(BufferedBody body) {
        this.body = body;
    }

    /**
     * The decoder for a {@code Content-Encoding} header value, or null when the coding is not supported (one coding
     * at most; names are case-insensitive).
     */
    static ContentDecoder forCoding(String contentEncoding, BufferedBody body) {
        return switch (normalise(contentEncoding)) {
            case "", "identity" -> new Identity(body);
            case "gzip", "x-gzip" -> new Gzip(body);
            case "deflate" -> new Deflate(body);
            default -> null;
        };
    }

    /** Whether the {@code Content-Encoding} is one of the accepted ones. */
    static boolean isSupported(String contentEncoding) {
        return switch (normalise(contentEncoding)) {
            case "", "identity", "gzip", "x-gzip", "deflate" -> true;
            default -> false;
        };
    }

    /** Whether the body arrives as it is (no decoding). */
    static boolean isIdentity(String contentEncoding) {
        String coding = normalise(contentEncoding);
        return coding.isEmpty() || coding.equals("identity");
    }

    private static String normalise(String contentEncoding) {
        return contentEncoding == null ? "" : contentEncoding.strip().toLowerCase(Locale.ROOT);
    }

    /** Bytes of the body as received. */
    abstract void write(byte[] bytes, int offset, int count) throws IOException;

    /** The body has ended: throws when the coding's own end was not reached (a truncated stream). */
    abstract void finish() throws IOException;

    /** Frees native memory; idempotent. */
    void close() {
    }

    private static final class Identity extends ContentDecoder {

        Identity(BufferedBody body) {
            super(body);
        }

        @Override
        void write(byte[] bytes, int offset, int count) {
            body.write(bytes, offset, count);
        }

        @Override
        void finish() {
        }
    }

    /** Inflates a deflate stream (raw or zlib) pushed in pieces, into the body. */
    private abstract static class Inflating extends ContentDecoder {

        private final byte[] out = new byte[16 << 10];
        protected Inflater inflater;

        Inflating(BufferedBody body) {
            super(body);
        }

        /**
         * Inflates what it can of these bytes; returns how many of them were left over after the end of the deflate
         * stream (they belong to what follows it).
         */
        protected int inflate(byte[] bytes, int offset, int count, CRC32 crc) throws IOException {
            inflater.setInput(bytes, offset, count);
            try {
                while (!inflater.finished()) {
                    int n = inflater.inflate(out);
                    if (n > 0) {
                        if (crc != null) {
                            crc.update(out, 0, n);
                        }
                        body.write(out, 0, n);
                    } else if (inflater.needsInput()) {
                        break;
                    } else if (inflater.needsDictionary()) {
                        throw new BodyDecodingException("the deflate stream needs a preset dictionary");
                    } else if (!inflater.finished()) {
                        break; // nothing inflated and nothing asked for: wait for more input
                    }
                }
            } catch (DataFormatException e) {
                throw new BodyDecodingException("the compressed data is corrupt");
            }
            int left = inflater.finished() ? inflater.getRemaining() : 0;
            inflater.setInput(new byte[0]); // no reference kept to the caller's buffer
            return left;
        }

        @Override
        void close() {
            if (inflater != null) {
                inflater.end();
            }
        }
    }

    /** {@code deflate}: zlib, or raw deflate when the first two bytes are not a zlib header. */
    private static final class Deflate extends Inflating {

        private final byte[] head = new byte[2];
        private int headLength;

        Deflate(BufferedBody body) {
            super(body);
        }

        @Override
        void write(byte[] bytes, int offset, int count) throws IOException {
            if (inflater == null) {
                while (headLength < 2 && count > 0) {
                    head[headLength++] = bytes[offset++];
                    count--;
                }
                if (headLength < 2) {
                    return;
                }
                int cmf = head[0] & 0xff;
                int flg = head[1] & 0xff;
                boolean zlib = (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
                inflater = new Inflater(!zlib);
                feed(head, 0, 2);
            }
            feed(bytes, offset, count);
        }

        private void feed(byte[] bytes, int offset, int count) throws IOException {
            if (count == 0) {
                return;
            }
            if (inflater.finished()) {
                throw new BodyDecodingException("data follows the end of the deflate stream");
            }
            if (inflate(bytes, offset, count, null) > 0) {
                throw new BodyDecodingException("data follows the end of the deflate stream");
            }
        }

        @Override
        void finish() throws IOException {
            if (inflater == null || !inflater.finished()) {
                throw new BodyDecodingException("the deflate stream ends early");
            }
        }
    }

    /** {@code gzip}: one or more members, each a header, a raw deflate stream and a CRC-32 and length trailer. */
    private static final class Gzip extends Inflating {

        private static final int FHCRC = 2;
        private static final int FEXTRA = 4;
        private static final int FNAME = 8;
        private static final int FCOMMENT = 16;

        private enum State { HEADER, EXTRA_LENGTH, EXTRA, NAME, COMMENT, HEADER_CRC, DATA, TRAILER, END }

        private State state = State.HEADER;
        private final byte[] fixed = new byte[10];
        private final byte[] trailer = new byte[8];
        private int have;
        private int flags;
        private int extraLength;
        private final CRC32 crc = new CRC32();
        private long memberLength;

        Gzip(BufferedBody body) {
            super(body);
        }

        @Override
        void write(byte[] bytes, int offset, int count) throws IOException {
            int end = offset + count;
            while (offset < end) {
                switch (state) {
                    case DATA -> {
                        long before = body.length();
                        int left = inflate(bytes, offset, end - offset, crc);
                        memberLength += body.length() - before;
                        if (inflater.finished()) {
                            offset = end - left;
                            state = State.TRAILER;
                            have = 0;
                        } else {
                            offset = end;
                        }
                    }
                    case TRAILER -> {
                        trailer[have++] = bytes[offset++];
                        if (have == 8) {
                            checkTrailer();
                            state = State.END;
                        }
                    }
                    case END -> {
                        // Another member follows.
                        state = State.HEADER;
                        have = 0;
                    }
                    default -> header(bytes[offset++] & 0xff);
                }
            }
        }

        private void header(int b) throws IOException {
            switch (state) {
                case HEADER -> {
                    fixed[have++] = (byte) b;
                    if (have == 1 && b != 0x1f || have == 2 && b != 0x8b) {
                        throw new BodyDecodingException("the body is not in the gzip format");
                    }
                    if (have == 3 && b != 8) {
                        throw new BodyDecodingException("the gzip member does not use the deflate method");
                    }
                    if (have == 10) {
                        flags = fixed[3] & 0xff;
                        if ((flags & 0xe0) != 0) {
                            throw new BodyDecodingException("the gzip header has reserved flags set");
                        }
                        have = 0;
                        nextHeaderField(State.EXTRA_LENGTH);
                    }
                }
                case EXTRA_LENGTH -> {
                    extraLength |= b << (8 * have++);
                    if (have == 2) {
                        have = 0;
                        if (extraLength == 0) {
                            nextHeaderField(State.NAME);
                        } else {
                            state = State.EXTRA;
                        }
                    }
                }
                case EXTRA -> {
                    if (++have == extraLength) {
                        have = 0;
                        nextHeaderField(State.NAME);
                    }
                }
                case NAME -> {
                    if (b == 0) {
                        nextHeaderField(State.COMMENT);
                    }
                }
                case COMMENT -> {
                    if (b == 0) {
                        nextHeaderField(State.HEADER_CRC);
                    }
                }
                case HEADER_CRC -> {
                    if (++have == 2) {
                        have = 0;
                        nextHeaderField(State.DATA);
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }

        /** Moves to the first header field from {@code from} on that the flags say is present. */
        private void nextHeaderField(State from) {
            State next = from;
            while (true) {
                boolean present = switch (next) {
                    case EXTRA_LENGTH -> (flags & FEXTRA) != 0;
                    case NAME -> (flags & FNAME) != 0;
                    case COMMENT -> (flags & FCOMMENT) != 0;
                    case HEADER_CRC -> (flags & FHCRC) != 0;
                    default -> true;
                };
                if (present) {
                    break;
                }
                next = State.values()[next.ordinal() + 1];
                if (next == State.EXTRA) {
                    next = State.NAME;
                }
            }
            if (next == State.EXTRA_LENGTH) {
                extraLength = 0;
            }
            if (next == State.DATA) {
                if (inflater == null) {
                    inflater = new Inflater(true);
                } else {
                    inflater.reset();
                }
                crc.reset();
                memberLength = 0;
            }
            state = next;
        }

        private void checkTrailer() throws IOException {
            long expectedCrc = le32(0);
            long expectedLength = le32(4);
            if (expectedCrc != crc.getValue()) {
                throw new BodyDecodingException("the gzip checksum does not match the data");
            }
            if (expectedLength != (memberLength & 0xffffffffL)) {
                throw new BodyDecodingException("the gzip length does not match the data");
            }
        }

        private long le32(int at) {
            return (trailer[at] & 0xffL) | (trailer[at + 1] & 0xffL) << 8 | (trailer[at + 2] & 0xffL) << 16
                    | (trailer[at + 3] & 0xffL) << 24;
        }

        @Override
        void finish() throws IOException {
            if (state != State.END) {
                throw new BodyDecodingException("the gzip data ends early");
            }
        }
    }
}
