package lossservice.problem;

/** The body is not well-formed JSON (answered 400). The message is safe to show to clients. */
public class MalformedRequestException extends RuntimeException {

    public MalformedRequestException(String clientMessage) {
        super(clientMessage, null, false, false);
    }
}
