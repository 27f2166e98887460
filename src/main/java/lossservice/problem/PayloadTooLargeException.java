package lossservice.problem;

/** The request body is larger than the service accepts (answered 413). The message is safe to show to clients. */
public class PayloadTooLargeException extends RuntimeException {

    public PayloadTooLargeException(String clientMessage) {
        super(clientMessage, null, false, false);
    }
}
