package lossservice.crossentropy;

import java.util.Set;

import lossservice.limits.LimitsProperties;
import lossservice.problem.Violations;

/**
 * The size limits of one cross-entropy request (answered 422 with the numbers): how many numbers the logits
 * hold, and how many the requested outputs would.
 */
final class RequestSizeLimits {

    private RequestSizeLimits() {
    }

    static void check(int n, int c, Set<OptionalOutput> outputs, LimitsProperties limits, Violations violations) {
        long elements = (long) n * c;
        if (elements > limits.maxElements()) {
            violations.add("/logits", "has " + n + " x " + c + " = " + elements + " numbers, more than the "
                    + limits.maxElements() + " this service accepts");
            return;
        }
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
