package lossservice.crossentropy;

import java.util.EnumSet;
import java.util.Set;

/**
 * The value rules of a cross-entropy request, shared by every way of sending one (the JSON endpoint's
 * {@link CrossEntropyRequestDecoder} and the Open Inference Protocol endpoint), so that both accept and refuse
 * exactly the same numbers with the same words. Each check returns null when the value is allowed, else the
 * message to report; where the value sits in the request is the caller's business.
 */
public final class CrossEntropyRules {

    public static final int DEFAULT_IGNORE_INDEX = -100;
    public static final double DEFAULT_EPSILON = 0.1;
    public static final int MIN_ROWS = 1;
    public static final int MIN_CLASSES = 2;

    /** What {@link #classIndex} answers for a target that is neither a class nor the ignore index. */
    public static final int OUT_OF_RANGE = Integer.MIN_VALUE;

    private CrossEntropyRules() {
    }

    public static String epsilonViolation(double epsilon) {
        return epsilon < 0 || epsilon > 1 ? "must be in [0, 1], found " + epsilon : null;
    }

    /** {@code numClasses}, when given, only confirms C, the number of classes of the logits. */
    public static String numClassesViolation(long numClasses, int c) {
        return numClasses == c ? null
                : "must equal the number of classes in logits (" + c + "), found " + numClasses;
    }

    /** Every input value must be finite once rounded to float32, the precision the service computes in. */
    public static boolean isFiniteInFloat32(double value) {
        return Float.isFinite((float) value);
    }

    /**
     * The class index an integer target stands for: {@link CrossEntropyRequest#IGNORED} when it equals
     * {@code ignoreIndex}, {@link #OUT_OF_RANGE} when it is outside [0, C).
     */
    public static int classIndex(double target, int numClasses, long ignoreIndex) {
        if (target == ignoreIndex) {
            return CrossEntropyRequest.IGNORED;
        }
        if (target < 0 || target >= numClasses) {
            return OUT_OF_RANGE;
        }
        return (int) target;
    }

    public static String classIndexOutOfRange(long target, int numClasses, long ignoreIndex) {
        return "class index " + target + " is outside [0, " + numClasses + ") and is not the ignoreIndex ("
                + ignoreIndex + ")";
    }

    public static String probabilityViolation(double probability) {
        return probability >= 0 ? null : "a probability must be >= 0, found " + probability;
    }

    public static String classWeightViolation(double weight) {
        return weight >= 0 ? null : "a weight must be >= 0, found " + weight;
    }

    /** Probability targets have no class to ignore: only the default ignore index goes with them. */
    public static String ignoreIndexWithProbabilitiesViolation(long ignoreIndex) {
        return ignoreIndex == DEFAULT_IGNORE_INDEX ? null
                : "must be " + DEFAULT_IGNORE_INDEX + " (the default) with probability targets, found " + ignoreIndex;
    }

    /** Label smoothing switched off means epsilon 0, whatever epsilon says. */
    public static double effectiveEpsilon(double epsilon, boolean labelSmooth) {
        return labelSmooth ? epsilon : 0.0;
    }

    /** The outputs to compute: those asked for, plus the per-sample losses, which are the result of "none". */
    public static Set<OptionalOutput> outputsFor(Reduction reduction, Set<OptionalOutput> requested) {
        Set<OptionalOutput> outputs = EnumSet.noneOf(OptionalOutput.class);
        outputs.addAll(requested);
        if (reduction == Reduction.NONE) {
            outputs.add(OptionalOutput.PER_SAMPLE_LOSS);
        }
        return outputs;
    }
}
