package lossservice.problem;

import java.util.List;

/** A well-formed request that breaks one or more rules of the contract (answered 422). */
public class InvalidRequestException extends RuntimeException {

    private final List<Violation> violations;
    private final int omitted;

    public InvalidRequestException(List<Violation> violations, int omitted) {
        super(violations.size() + omitted + " invalid value(s) in the request", null, false, false);
        this.violations = List.copyOf(violations);
        this.omitted = omitted;
    }

    public InvalidRequestException(Violation violation) {
        this(List.of(violation), 0);
    }

    public List<Violation> violations() {
        return violations;
    }

    /** Violations found beyond the reporting cap and left out of {@link #violations()}. */
    public int omitted() {
        return omitted;
    }
}
