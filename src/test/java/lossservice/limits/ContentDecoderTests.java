package lossservice.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import lossservice.problem.OverloadedException;
import lossservice.problem.PayloadTooLargeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The push decoders of request bodies: fed in pieces of any size, they give back exactly what was compressed. */
class ContentDecoderTests {

    private static final byte[] TEXT = text(200_000);

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 4096, 1 << 20})
    void gzipFedInPiecesOfAnySizeGivesTheOriginal(int piece) throws IOException {
        assertThat(decode("gzip", gzip(TEXT), piece, 1 << 20)).isEqualTo(TEXT);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1 << 20})
    void deflateAsZlibAndAsRawDeflateGivesTheOriginal(int piece) throws IOException {
        assertThat(decode("deflate", deflate(TEXT, false), piece, 1 << 20)).isEqualTo(TEXT);
        assertThat(decode("deflate", deflate(TEXT, true), piece, 1 << 20)).isEqualTo(TEXT);
    }

    @Test
    void codingNamesAreCaseInsensitiveAndXGzipIsGzip() throws IOException {
        assertThat(decode("X-GZIP", gzip(TEXT), 1000, 1 << 20)).isEqualTo(TEXT);
        assertThat(decode(" Identity ", TEXT, 1000, 1 << 20)).isEqualTo(TEXT);
        assertThat(ContentDecoder.isSupported("br")).isFalse();
        assertThat(ContentDecoder.isSupported("gzip, deflate")).isFalse();
        assertThat(ContentDecoder.isSupported(null)).isTrue();
    }

    @Test
    void concatenatedGzipMembersAreOneBody() throws IOException {
        byte[] first = Arrays.copyOfRange(TEXT, 0, 1000);
        byte[] second = Arrays.copyOfRange(TEXT, 1000, 5000);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(gzip(first));
        both.write(gzip(second));
        assertThat(decode("gzip", both.toByteArray(), 3, 1 << 20)).isEqualTo(Arrays.copyOf(TEXT, 5000));
    }

    @Test
    void gzipHeadersWithNameCommentExtraFieldAndHeaderChecksumAreSkipped() throws IOException {
        byte[] data = "{\"logits\": [[1, 2]], \"targets\": [0]}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream member = new ByteArrayOutputStream();
        member.write(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, (byte) 255});
        member.write(new byte[] {3, 0, 'a', 'b', 'c'}); // FEXTRA
        member.write("name.json\0".getBytes(StandardCharsets.ISO_8859_1)); // FNAME
        member.write("a comment\0".getBytes(StandardCharsets.ISO_8859_1)); // FCOMMENT
        member.write(new byte[] {0x12, 0x34}); // FHCRC (not checked)
        member.write(deflate(data, true));
        CRC32 crc = new CRC32();
        crc.update(data);
        member.write(le32(crc.getValue()));
        member.write(le32(data.length));
        assertThat(decode("gzip", member.toByteArray(), 1, 1 << 20)).isEqualTo(data);
    }

    @Test
    void brokenGzipIsRefused() {
        byte[] good = gzipUnchecked(TEXT);
        byte[] badChecksum = good.clone();
        badChecksum[badChecksum.length - 6] ^= 1;
        byte[] trailingJunk = Arrays.copyOf(good, good.length + 3);
        assertThatThrownBy(() -> decode("gzip", Arrays.copyOf(good, good.length - 4), 100, 1 << 20))
                .isInstanceOf(BodyDecodingException.class).hasMessageContaining("ends early");
        assertThatThrownBy(() -> decode("gzip", badChecksum, 100, 1 << 20))
                .isInstanceOf(BodyDecodingException.class).hasMessageContaining("checksum");
        assertThatThrownBy(() -> decode("gzip", trailingJunk, 100, 1 << 20))
                .isInstanceOf(BodyDecodingException.class).hasMessageContaining("not in the gzip format");
        assertThatThrownBy(() -> decode("gzip", new byte[0], 100, 1 << 20)).isInstanceOf(BodyDecodingException.class);
        assertThatThrownBy(() -> decode("deflate", "not deflate at all".getBytes(StandardCharsets.UTF_8), 100, 1 << 20))
                .isInstanceOf(BodyDecodingException.class);
    }

    @Test
    void aBombStopsAtTheLimitHavingInflatedNoMoreThanItAndOneBuffer() throws IOException {
        byte[] zeros = new byte[64 << 20];
        byte[] bomb = gzip(zeros); // about 64 KB
        BodyMemory memory = new BodyMemory(1L << 30);
        BufferedBody body = new BufferedBody(memory, 1 << 20, 0, 1, -1);
        ContentDecoder decoder = ContentDecoder.forCoding("gzip", body);

        assertThatThrownBy(() -> decoder.write(bomb, 0, bomb.length)).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("1048576");
        assertThat(body.length()).isLessThanOrEqualTo(1 << 20);
        assertThat(memory.used()).isLessThanOrEqualTo((1 << 20) + BufferedBody.MAX_SEGMENT);
        decoder.close();
        body.release();
        assertThat(memory.used()).isZero();
    }

    @Test
    void aMarkedBodyKeepsItsSegmentsFromTheMarkUntilTheMarkIsDropped() throws IOException {
        byte[] text = new byte[5 * BufferedBody.MAX_SEGMENT + 123];
        new java.util.Random(3).nextBytes(text);
        BodyMemory memory = new BodyMemory(1L << 30);
        BufferedBody body = new BufferedBody(memory, 1 << 30, 0, 1, text.length);
        body.reserveDeclared();
        body.write(text, 0, text.length);
        java.io.InputStream in = body.inputStream(null);
        assertThat(in.markSupported()).isTrue();

        byte[] start = in.readNBytes(BufferedBody.MAX_SEGMENT + 10);
        assertThat(memory.used()).isEqualTo(text.length - BufferedBody.MAX_SEGMENT); // the first segment given back
        in.mark(Integer.MAX_VALUE);
        byte[] ahead = in.readNBytes(3 * BufferedBody.MAX_SEGMENT);
        assertThat(memory.used()).isEqualTo(text.length - BufferedBody.MAX_SEGMENT); // held by the mark
        in.reset();
        assertThat(in.readNBytes(3 * BufferedBody.MAX_SEGMENT)).isEqualTo(ahead);
        in.mark(0); // dropped: what was read past goes back
        assertThat(memory.used()).isEqualTo(text.length - 4 * BufferedBody.MAX_SEGMENT);
        in.mark(Integer.MAX_VALUE);
        byte[] again = in.readNBytes(BufferedBody.MAX_SEGMENT);
        in.reset();
        in.mark(0); // back at the mark, and read on unmarked: segments are given back as they are passed again
        assertThat(in.readNBytes(BufferedBody.MAX_SEGMENT)).isEqualTo(again);
        assertThat(memory.used()).isEqualTo(text.length - 5 * BufferedBody.MAX_SEGMENT);
        byte[] rest = in.readAllBytes();
        assertThat(memory.used()).isZero();

        byte[] whole = new byte[text.length];
        System.arraycopy(start, 0, whole, 0, start.length);
        System.arraycopy(ahead, 0, whole, start.length, ahead.length);
        System.arraycopy(again, 0, whole, start.length + ahead.length, again.length);
        System.arraycopy(rest, 0, whole, start.length + ahead.length + again.length, rest.length);
        assertThat(whole).isEqualTo(text);
        body.release();
        assertThat(memory.used()).isZero();
    }

    @Test
    void aBodyTheMemoryCannotTakeIsRefusedAsOverload() {
        BodyMemory memory = new BodyMemory(100_000); // 75,000 for large bodies
        BufferedBody body = new BufferedBody(memory, 1 << 20, 1_000, 1, -1);
        byte[] piece = new byte[10_000];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 20; i++) {
                body.write(piece, 0, piece.length);
            }
        }).isInstanceOf(OverloadedException.class);
        assertThat(memory.used()).isLessThanOrEqualTo(75_000);
        body.release();
        assertThat(memory.used()).isZero();
    }

    @Test
    void aDeclaredLengthIsReservedWholeBeforeAnyOfItIsRead() {
        BodyMemory memory = new BodyMemory(100_000); // 75,000 for large bodies
        BufferedBody first = new BufferedBody(memory, 1 << 20, 1_000, 1, 60_000);
        first.reserveDeclared();
        assertThat(memory.used()).isEqualTo(60_000);

        BufferedBody second = new BufferedBody(memory, 1 << 20, 1_000, 1, 20_000);
        assertThatThrownBy(second::reserveDeclared).isInstanceOf(OverloadedException.class);
        BufferedBody small = new BufferedBody(memory, 1 << 20, 1_000, 1, 800);
        small.reserveDeclared(); // the small bodies' quarter
        assertThat(memory.used()).isEqualTo(60_800);

        byte[] piece = new byte[6_000];
        for (int i = 0; i < 10; i++) {
            first.write(piece, 0, piece.length); // no further reservation
        }
        assertThat(memory.used()).isEqualTo(60_800);
        first.release();
        small.release();
        second.release();
        assertThat(memory.used()).isZero();
    }

    @Test
    void fullSegmentsAreReusedAndCarryNothingOfTheBodyBefore() throws IOException {
        BodyMemory memory = new BodyMemory(1L << 30);
        BufferedBody first = new BufferedBody(memory, 1 << 20, 0, 1, TEXT.length);
        first.reserveDeclared();
        first.write(TEXT, 0, TEXT.length);
        first.release();
        byte[] reused = memory.segment(BodyMemory.SEGMENT);
        memory.recycle(reused);

        byte[] other = Arrays.copyOf("{\"logits\": [[1, 2]], \"targets\": [0]}".getBytes(StandardCharsets.UTF_8), 70_000);
        BufferedBody second = new BufferedBody(memory, 1 << 20, 0, 1, other.length);
        second.reserveDeclared();
        second.write(other, 0, other.length);
        assertThat(memory.segment(BodyMemory.SEGMENT)).as("the pool had more than one").isNotSameAs(reused);
        assertThat(second.inputStream(null).readAllBytes()).isEqualTo(other);
        second.release();
        assertThat(memory.used()).isZero();
    }

    @Test
    void theBufferIsGivenBackAsItIsRead() throws IOException {
        BodyMemory memory = new BodyMemory(1L << 30);
        BufferedBody body = new BufferedBody(memory, 1 << 20, 0, 1, -1);
        body.write(TEXT, 0, TEXT.length);
        long full = memory.used();
        InputStream in = body.inputStream(null);
        assertThat(in.readNBytes(150_000)).isEqualTo(Arrays.copyOf(TEXT, 150_000));
        assertThat(memory.used()).isLessThanOrEqualTo(full / 2); // the segments read past are given back
        assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(TEXT, 150_000, TEXT.length));
        assertThat(memory.used()).isZero();
        body.release();
        assertThat(memory.used()).isZero();
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static byte[] decode(String coding, byte[] sent, int piece, long maxBytes) throws IOException {
        BodyMemory memory = new BodyMemory(1L << 30);
        BufferedBody body = new BufferedBody(memory, maxBytes, 0, 1, -1);
        ContentDecoder decoder = ContentDecoder.forCoding(coding, body);
        try {
            for (int at = 0; at < sent.length; at += piece) {
                decoder.write(sent, at, Math.min(piece, sent.length - at));
            }
            decoder.finish();
            return body.inputStream(null).readAllBytes();
        } finally {
            decoder.close();
            body.release();
        }
    }

    /** JSON-like text that compresses well but not trivially. */
    private static byte[] text(int length) {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            text.append(String.format("%.4f, ", random.nextGaussian()));
        }
        return text.substring(0, length).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] gzipUnchecked(byte[] bytes) {
        try {
            return gzip(bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] deflate(byte[] bytes, boolean raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_SPEED, raw))) {
            deflate.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] le32(long value) {
        return new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)};
    }
}
