package lossservice.problem;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every rule a request breaks, so that one answer lists them all. Reporting is capped: a body
 * of a million bad numbers gets the first {@value #MAX_REPORTED} and a count of the rest.
 */
public final class Violations {

    static final int MAX_REPORTED = 100;

    private final List<Violation> reported = new ArrayList<>();
    private int omitted;

    public void add(String pointer, String message) {
        if (reported.size() < MAX_REPORTED) {
            reported.add(new Violation(pointer, message));
        } else {
            omitted++;
        }
    }

    /** Adds what {@code other} collected, after what this one has. */
    public void addAll(Violations other) {
        for (Violation violation : other.reported) {
            add(violation.pointer(), violation.message());
        }
        omitted += other.omitted;
    }

    public boolean isEmpty() {
        return reported.isEmpty();
    }

    /** True when a violation was already reported at exactly this pointer or inside it. */
    public boolean hasAtOrBelow(String pointer) {
        for (Violation violation : reported) {
            String p = violation.pointer();
            if (p.equals(pointer) || p.startsWith(pointer + "/")) {
                return true;
            }
        }
        return false;
    }

    public void throwIfAny() {
        if (!reported.isEmpty()) {
            throw new InvalidRequestException(reported, omitted);
        }
    }
}
