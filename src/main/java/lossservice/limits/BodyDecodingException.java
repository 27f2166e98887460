package lossservice.limits;

import java.io.IOException;

/** A request body that is not what its {@code Content-Encoding} says (answered 400). The message is client-safe. */
final class BodyDecodingException extends IOException {

    BodyDecodingException(String reason) {
        super("The request body could not be decoded: " + reason + ".", null);
    }
}
