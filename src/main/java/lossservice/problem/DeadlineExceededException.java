package lossservice.problem;

/** The request was not answered within the processing deadline (answered 503). */
public class DeadlineExceededException extends RuntimeException {

    public DeadlineExceededException(String clientMessage) {
        super(clientMessage, null, false, false);
    }
}
