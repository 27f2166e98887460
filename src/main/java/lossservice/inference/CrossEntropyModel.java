package lossservice.inference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import lossservice.crossentropy.CrossEntropyRequest;
import lossservice.crossentropy.CrossEntropyResult;
import lossservice.crossentropy.CrossEntropyRules;
import lossservice.crossentropy.OptionalOutput;
import lossservice.crossentropy.Reduction;
import lossservice.problem.Violations;

/**
 * The model {@code cross-entropy} of the Open Inference Protocol: which tensors it takes and gives, and how
 * they map to the service's {@link CrossEntropyRequest} and {@link CrossEntropyResult}. Inputs are checked
 * with {@link CrossEntropyRules}, the rules of the JSON endpoint, so both endpoints accept the same numbers.
 *
 * <p>The service computes in float32: FP64 inputs are rounded to float32 after checking that every value is
 * finite there ({@link #toFloat32}); a float64 computation would branch there.
 */
final class CrossEntropyModel {

    static final String NAME = "cross-entropy";
    static final String VERSION = "1";
    static final String LOGITS = "logits";
    static final String TARGETS = "targets";
    static final String CLASS_WEIGHTS = "class_weights";

    /** The outputs, in the order a response lists them when the request names none. */
    enum Output {
        LOSS("loss", null),
        SMOOTHED_TARGETS("smoothed_targets", OptionalOutput.SMOOTHED_TARGETS),
        PER_SAMPLE_LOSS("per_sample_loss", OptionalOutput.PER_SAMPLE_LOSS),
        PROBABILITIES("probabilities", OptionalOutput.PROBABILITIES),
        GRADIENT("gradient", OptionalOutput.GRADIENT);

        final String wireName;
        final OptionalOutput computed;

        Output(String wireName, OptionalOutput computed) {
            this.wireName = wireName;
            this.computed = computed;
        }

        static Output fromWireName(String name) {
            for (Output output : values()) {
                if (output.wireName.equals(name)) {
                    return output;
                }
            }
            return null;
        }
    }

    /** An output to send, and whether as binary data. */
    record Selected(Output output, boolean binary) {
    }

    /** A request the model can compute: the service's request and the outputs to return. */
    record Call(CrossEntropyRequest request, List<Selected> outputs) {
    }

    static final ProtocolMetadata.Model METADATA = new ProtocolMetadata.Model(NAME, List.of(VERSION), "nd4j",
            List.of(tensor(LOGITS, "FP32", -1, -1), tensor(TARGETS, "INT64", -1), tensor(CLASS_WEIGHTS, "FP32", -1)),
            List.of(tensor(Output.LOSS.wireName, "FP32", -1), tensor(Output.SMOOTHED_TARGETS.wireName, "FP32", -1, -1),
                    tensor(Output.PER_SAMPLE_LOSS.wireName, "FP32", -1),
                    tensor(Output.PROBABILITIES.wireName, "FP32", -1, -1),
                    tensor(Output.GRADIENT.wireName, "FP32", -1, -1)));

    private static ProtocolMetadata.Tensor tensor(String name, String datatype, long... shape) {
        return new ProtocolMetadata.Tensor(name, datatype, java.util.Arrays.stream(shape).boxed().toList());
    }

    /** Checks the request against the model and the contract's rules, reporting every violation at once. */
    static Call toCall(InferenceRequest request) {
        Violations violations = new Violations();
        Map<String, InputTensor> inputs = new HashMap<>();
        for (InputTensor input : request.inputs()) {
            String at = "/inputs/" + input.index() + "/name";
            if (!Set.of(LOGITS, TARGETS, CLASS_WEIGHTS).contains(input.name())) {
                violations.add(at, "unknown input \"" + input.name() + "\"; the inputs of " + NAME
                        + " are logits, targets and class_weights");
            } else if (inputs.putIfAbsent(input.name(), input) != null) {
                violations.add(at, "input \"" + input.name() + "\" is given more than once");
            }
        }
        List<Selected> outputs = selectOutputs(request, violations);

        double epsilon = request.epsilon() == null ? CrossEntropyRules.DEFAULT_EPSILON : request.epsilon();
        String epsilonViolation = CrossEntropyRules.epsilonViolation(epsilon);
        if (epsilonViolation != null) {
            violations.add("/parameters/epsilon", epsilonViolation);
        }
        long ignoreIndex = request.ignoreIndex() == null ? CrossEntropyRules.DEFAULT_IGNORE_INDEX : request.ignoreIndex();

        InputTensor logitsTensor = inputs.get(LOGITS);
        int n = -1;
        int c = -1;
        float[] logits = null;
        if (logitsTensor == null) {
            violations.add("/inputs", "input \"logits\" is required: FP32 or FP64, shape [N, C]");
        } else if (requireFloatingPoint(logitsTensor, violations) && requireRank(logitsTensor, 2, "[N, C]", violations)) {
            long rows = logitsTensor.shape()[0];
            long columns = logitsTensor.shape()[1];
            if (rows < CrossEntropyRules.MIN_ROWS) {
                violations.add(shapePointer(logitsTensor), "logits must have at least one row");
            } else if (columns < CrossEntropyRules.MIN_CLASSES) {
                violations.add(shapePointer(logitsTensor), "logits must have at least 2 classes, found " + columns);
            } else {
                n = (int) rows;
                c = (int) columns;
                logits = toFloat32(logitsTensor, violations);
                String numClassesViolation = request.numClasses() == null ? null
                        : CrossEntropyRules.numClassesViolation(request.numClasses(), c);
                if (numClassesViolation != null) {
                    violations.add("/parameters/num_classes", numClassesViolation);
                }
            }
        }

        InputTensor targets = inputs.get(TARGETS);
        int[] classIndices = null;
        float[] probabilities = null;
        if (targets == null) {
            violations.add("/inputs", "input \"targets\" is required: INT64 or INT32 class indices of shape [N], or"
                    + " FP32 or FP64 probabilities of shape [N, C]");
        } else if (targets.datatype().isFloatingPoint()) {
            if (requireRank(targets, 2, "[N, C] (probabilities; class indices are INT64 or INT32)", violations)
                    && n > 0 && requireShape(targets, violations, n, c)) {
                probabilities = toFloat32(targets, violations);
                if (probabilities != null) {
                    checkEach(targets, CrossEntropyRules::probabilityViolation, violations);
                }
                String ignoreIndexViolation = CrossEntropyRules.ignoreIndexWithProbabilitiesViolation(ignoreIndex);
                if (ignoreIndexViolation != null) {
                    violations.add("/parameters/ignore_index", ignoreIndexViolation);
                }
            }
        } else if (requireRank(targets, 1, "[N] (class indices; probabilities are FP32 or FP64 [N, C])", violations)
                && n > 0 && requireShape(targets, violations, n)) {
            classIndices = classIndices(targets, c, ignoreIndex, violations);
        }

        InputTensor weightsTensor = inputs.get(CLASS_WEIGHTS);
        float[] classWeights = null;
        if (weightsTensor != null && requireFloatingPoint(weightsTensor, violations)
                && requireRank(weightsTensor, 1, "[C]", violations) && c > 0 && requireShape(weightsTensor, violations, c)) {
            classWeights = toFloat32(weightsTensor, violations);
            if (classWeights != null) {
                checkEach(weightsTensor, CrossEntropyRules::classWeightViolation, violations);
            }
        }

        violations.throwIfAny();

        Reduction reduction = request.reduction() == null ? Reduction.MEAN : request.reduction();
        Set<OptionalOutput> computed = java.util.EnumSet.noneOf(OptionalOutput.class);
        for (Selected selected : outputs) {
            if (selected.output().computed != null) {
                computed.add(selected.output().computed);
            }
        }
        boolean labelSmooth = request.labelSmooth() == null || request.labelSmooth();
        CrossEntropyRequest crossEntropy = new CrossEntropyRequest(n, c, logits, classIndices, probabilities,
                CrossEntropyRules.effectiveEpsilon(epsilon, labelSmooth), reduction, classWeights,
                CrossEntropyRules.outputsFor(reduction, computed));
        return new Call(crossEntropy, outputs);
    }

    /** The result's tensors, in the order of the call's outputs. */
    static List<OutputTensor> outputs(Call call, CrossEntropyResult result) {
        int n = result.batchSize();
        int c = result.numClasses();
        List<OutputTensor> tensors = new ArrayList<>();
        for (Selected selected : call.outputs()) {
            String name = selected.output().wireName;
            boolean binary = selected.binary();
            tensors.add(switch (selected.output()) {
                // An undefined loss (reduction "none", or a mean over nothing) and its gradient have no elements.
                case LOSS -> result.loss() == null ? new OutputTensor(name, new long[] {0}, new float[0], binary)
                        : new OutputTensor(name, new long[] {1}, new float[] {result.loss()}, binary);
                case SMOOTHED_TARGETS ->
                        new OutputTensor(name, new long[] {n, c}, result.smoothedTargets().toRowMajor(c), binary);
                case PER_SAMPLE_LOSS -> new OutputTensor(name, new long[] {n}, result.perSampleLoss(), binary);
                case PROBABILITIES -> new OutputTensor(name, new long[] {n, c}, result.probabilities(), binary);
                case GRADIENT -> result.gradient() == null
                        ? new OutputTensor(name, new long[] {0}, new float[0], binary)
                        : new OutputTensor(name, new long[] {n, c}, result.gradient(), binary);
            });
        }
        return tensors;
    }

    private static List<Selected> selectOutputs(InferenceRequest request, Violations violations) {
        List<Selected> selected = new ArrayList<>();
        if (request.outputs() == null || request.outputs().isEmpty()) {
            for (Output output : Output.values()) {
                selected.add(new Selected(output, request.binaryDataOutput()));
            }
            return selected;
        }
        Set<Output> seen = java.util.EnumSet.noneOf(Output.class);
        for (int i = 0; i < request.outputs().size(); i++) {
            RequestedOutput requested = request.outputs().get(i);
            Output output = Output.fromWireName(requested.name());
            if (output == null) {
                violations.add("/outputs/" + i + "/name", "unknown output \"" + requested.name() + "\"; the outputs of "
                        + NAME + " are loss, smoothed_targets, per_sample_loss, probabilities and gradient");
            } else if (!seen.add(output)) {
                violations.add("/outputs/" + i + "/name", "output \"" + requested.name() + "\" is requested twice");
            } else {
                boolean binary = requested.binaryData() == null ? request.binaryDataOutput() : requested.binaryData();
                selected.add(new Selected(output, binary));
            }
        }
        return selected;
    }

    private static int[] classIndices(InputTensor targets, int c, long ignoreIndex, Violations violations) {
        TensorValues values = targets.values();
        int[] indices = new int[values.length()];
        for (int i = 0; i < indices.length; i++) {
            double target = values.get(i);
            indices[i] = CrossEntropyRules.classIndex(target, c, ignoreIndex);
            if (indices[i] == CrossEntropyRules.OUT_OF_RANGE) {
                long exact = values instanceof TensorValues.Int64 longs ? longs.values()[i] : (long) target;
                violations.add(element(targets, i), CrossEntropyRules.classIndexOutOfRange(exact, c, ignoreIndex));
            }
        }
        return indices;
    }

    /**
     * The tensor's values in float32, the compute precision, or null with a violation for every value that is not
     * finite there (NaN, an infinity, or an FP64 value beyond the float32 range).
     */
    private static float[] toFloat32(InputTensor tensor, Violations violations) {
        float[] floats;
        if (tensor.values() instanceof TensorValues.Float32 float32) {
            floats = float32.values();
        } else {
            double[] doubles = ((TensorValues.Float64) tensor.values()).values();
            floats = new float[doubles.length];
            for (int i = 0; i < doubles.length; i++) {
                floats[i] = (float) doubles[i];
            }
        }
        boolean finite = true;
        for (int i = 0; i < floats.length; i++) {
            if (!Float.isFinite(floats[i])) {
                finite = false;
                double value = tensor.values().get(i);
                violations.add(element(tensor, i), Double.isFinite(value)
                        ? value + " is beyond the float32 range" : "expected a finite number, found " + value);
            }
        }
        return finite ? floats : null;
    }

    /** Applies a rule to every value as sent (an FP64 value before rounding), as the JSON decoder does. */
    private static void checkEach(InputTensor tensor, java.util.function.DoubleFunction<String> rule,
            Violations violations) {
        TensorValues values = tensor.values();
        for (int i = 0; i < values.length(); i++) {
            String violation = rule.apply(values.get(i));
            if (violation != null) {
                violations.add(element(tensor, i), violation);
            }
        }
    }

    private static boolean requireFloatingPoint(InputTensor tensor, Violations violations) {
        if (tensor.datatype().isFloatingPoint()) {
            return true;
        }
        violations.add("/inputs/" + tensor.index() + "/datatype", "input \"" + tensor.name()
                + "\" must be FP32 or FP64, found " + tensor.datatype());
        return false;
    }

    private static boolean requireRank(InputTensor tensor, int rank, String expected, Violations violations) {
        if (tensor.shape().length == rank) {
            return true;
        }
        violations.add(shapePointer(tensor), "input \"" + tensor.name() + "\" of datatype " + tensor.datatype()
                + " must have shape " + expected + ", found " + InferenceRequestReader.shapeText(tensor.shape()));
        return false;
    }

    private static boolean requireShape(InputTensor tensor, Violations violations, long... expected) {
        if (java.util.Arrays.equals(tensor.shape(), expected)) {
            return true;
        }
        violations.add(shapePointer(tensor), "input \"" + tensor.name() + "\" has shape "
                + InferenceRequestReader.shapeText(tensor.shape()) + ", expected "
                + InferenceRequestReader.shapeText(expected) + " to match logits [N, C]");
        return false;
    }

    private static String shapePointer(InputTensor tensor) {
        return "/inputs/" + tensor.index() + "/shape";
    }

    /** Where element {@code i} of a tensor is, by its indices: {@code targets[3]}, {@code logits[1][4]}. */
    private static String element(InputTensor tensor, int i) {
        if (tensor.shape().length == 2) {
            long columns = tensor.shape()[1];
            return tensor.name() + "[" + i / columns + "][" + i % columns + "]";
        }
        return tensor.name() + "[" + i + "]";
    }
}
