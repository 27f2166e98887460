package lossservice.problem;

import java.util.List;

/** A request names a loss the service does not compute (answered 404). */
public class UnknownLossException extends RuntimeException {

    public UnknownLossException(String name, List<String> known) {
        super("There is no loss named \"" + (name.length() > 64 ? name.substring(0, 64) + "..." : name)
                + "\"; the losses are " + String.join(", ", known) + ".", null, false, false);
    }
}
