package lossservice.inference.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class BoundedStatusMessagesTests {

    @Test
    void aMessageThatFitsIsLeftAsItIs() {
        String fits = "x".repeat(BoundedStatusMessages.MAX_ENCODED_BYTES - 100);
        assertThat(BoundedStatusMessages.bounded(fits)).isSameAs(fits);
        assertThat(BoundedStatusMessages.bounded(null)).isNull();
    }

    @Test
    void aLongerOneIsCutOnACharacterWithinTheEncodedBudget() {
        for (String unit : new String[] {"a", "%", "\u00e9", "\u20ac", "\ud83d\ude00", "\n"}) {
            String message = "Unknown model \"" + unit.repeat(5_000) + "\".";
            String bounded = BoundedStatusMessages.bounded(message);
            assertThat(encodedBytes(bounded)).as(unit).isBetween(BoundedStatusMessages.MAX_ENCODED_BYTES - 60,
                    BoundedStatusMessages.MAX_ENCODED_BYTES);
            String kept = bounded.substring(0, bounded.indexOf("... ("));
            assertThat(message).startsWith(kept);
            assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).as("no half of a pair").isFalse();
            assertThat(bounded).endsWith("(" + (message.length() - kept.length()) + " more characters)");
        }
    }

    private static int encodedBytes(String description) {
        int bytes = 0;
        for (byte b : description.getBytes(StandardCharsets.UTF_8)) {
            bytes += b >= ' ' && b < '~' && b != '%' ? 1 : 3;
        }
        return bytes;
    }
}
