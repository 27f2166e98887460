package lossservice.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

/** A body that fits is sent whole with its length; a longer one streams; an unfinished one sends nothing. */
class ResponseBodyOutputTests {

    @Test
    void aSmallBodyIsSentWithItsLengthOnlyWhenFinished() throws IOException {
        MockHttpServletResponse response = new MockHttpServletResponse();
        ResponseBodyOutput body = ResponseBodyOutput.of(response);

        body.write('{');
        body.write("\"loss\":1.5}".getBytes(), 0, 11);
        body.flush();
        body.close();
        assertThat(response.isCommitted()).isFalse();
        assertThat(response.getContentAsByteArray()).isEmpty();

        body.finish();
        assertThat(response.getContentAsString()).isEqualTo("{\"loss\":1.5}");
        assertThat(response.getContentLength()).isEqualTo(12);
    }

    @Test
    void aBodyLongerThanWhatIsHeldStreamsWithoutALength() throws IOException {
        byte[] bytes = new byte[ResponseBodyOutput.HELD_BYTES * 3 + 17];
        new Random(7).nextBytes(bytes);
        MockHttpServletResponse response = new MockHttpServletResponse();
        ResponseBodyOutput body = ResponseBodyOutput.of(response);

        int offset = 0;
        for (int chunk : new int[] {1, 1000, ResponseBodyOutput.HELD_BYTES, 5}) {
            body.write(bytes, offset, chunk);
            offset += chunk;
        }
        body.write(bytes[offset++]);
        body.write(bytes, offset, bytes.length - offset);
        body.finish();

        assertThat(response.getContentAsByteArray()).isEqualTo(bytes);
        assertThat(response.getHeader("Content-Length")).isNull();
    }

    @Test
    void exactlyWhatIsHeldStillGoesOutWithItsLength() throws IOException {
        byte[] bytes = new byte[ResponseBodyOutput.HELD_BYTES];
        new Random(3).nextBytes(bytes);
        MockHttpServletResponse response = new MockHttpServletResponse();
        ResponseBodyOutput body = ResponseBodyOutput.of(response);
        for (byte b : bytes) {
            body.write(b);
        }
        body.finish();
        body.finish();

        assertThat(response.getContentAsByteArray()).isEqualTo(bytes);
        assertThat(response.getContentLength()).isEqualTo(bytes.length);
    }
}
