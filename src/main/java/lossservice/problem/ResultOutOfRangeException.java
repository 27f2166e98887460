package lossservice.problem;

/** The inputs are valid but a result is not a finite float32 number (answered 422). */
public class ResultOutOfRangeException extends RuntimeException {

    public ResultOutOfRangeException(String clientMessage) {
        super(clientMessage, null, false, false);
    }
}
