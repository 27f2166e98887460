package lossservice.limits;

import java.util.Map;

import lossservice.problem.Violations;

/**
 * {@code loss.limits.max-output-elements}, for every endpoint: how many numbers the requested outputs would hold
 * together (answered 422 at {@code /include}, with both numbers). Each endpoint counts its own outputs; the
 * number of input values is bounded while they are read ({@code NumberArrayReader} stops at
 * {@code loss.limits.max-elements}), before any buffer grows past it.
 */
public final class OutputSizeLimit {

    private OutputSizeLimit() {
    }

    /**
     * @param numbersPerOutput  the wire name of each requested output and how many numbers it would hold, in the
     *                          order the message should name them
     */
    public static void check(Map<String, Long> numbersPerOutput, LimitsProperties limits, Violations violations) {
        long total = 0;
        for (long numbers : numbersPerOutput.values()) {
            total += numbers;
        }
        if (total > limits.maxOutputElements()) {
            StringBuilder names = new StringBuilder();
            for (String name : numbersPerOutput.keySet()) {
                names.append(names.length() == 0 ? "" : ", ").append('"').append(name).append('"');
            }
            violations.add("/include", "the requested outputs would hold " + total + " numbers, more than the "
                    + limits.maxOutputElements() + " this service returns; ask for fewer of " + names);
        }
    }
}
