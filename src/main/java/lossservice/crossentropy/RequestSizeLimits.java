package lossservice.crossentropy;

import java.util.Set;

import lossservice.limits.LimitsProperties;
import lossservice.problem.Violations;

/**
 * The output size limit of one cross-entropy request (answered 422 with the numbers): how many numbers the
 * requested outputs would hold. The number of input values is bounded while they are read
 * ({@code NumberArrayReader} stops at {@code loss.limits.max-elements}), before any buffer grows past it.
 */
final class RequestSizeLimits {

    private RequestSizeLimits() {
    }

    static void check(int n, int c, Set<OptionalOutput> outputs, LimitsProperties limits, Violations violations) {
        long outputElements = outputElements(n, c, outputs);
        if (outputElements > limits.maxOutputElements()) {
            violations.add("/include", "the requested outputs would hold " + outputElements + " numbers, more than the "
                    + limits.maxOutputElements() + " this service returns; ask for fewer of " + names(outputs));
        }
    }

    /** N x C for each of smoothed targets, probabilities and gradient, N for the per-sample losses. */
    static long outputElements(int n, int c, Set<OptionalOutput> outputs) {
        long total = 0;
        for (OptionalOutput output : outputs) {
            total += output == OptionalOutput.PER_SAMPLE_LOSS ? n : (long) n * c;
        }
        return total;
    }

    private static String names(Set<OptionalOutput> outputs) {
        StringBuilder names = new StringBuilder();
        for (OptionalOutput output : outputs) {
            names.append(names.length() == 0 ? "" : ", ").append('"').append(output.wireName()).append('"');
        }
        return names.toString();
    }
}
