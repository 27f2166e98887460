package lossservice.binarycrossentropy;

import java.io.InputStream;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import lossservice.compute.Dtype;
import lossservice.crossentropy.Reduction;
import lossservice.json.JsonFields;
import lossservice.json.JsonPointers;
import lossservice.json.JsonRequestBodies;
import lossservice.json.JsonTokens;
import lossservice.json.NumberArray;
import lossservice.json.NumberArrayReader;
import lossservice.json.ShapeExpectation;
import lossservice.limits.LimitsProperties;
import lossservice.limits.OutputSizeLimit;
import lossservice.problem.Violations;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Turns a binary cross-entropy request body into a {@link BinaryCrossEntropyRequest}, or reports every rule
 * it breaks with its JSON pointer. Like the cross-entropy decoder, it streams the body once into primitive
 * buffers; the targets are read against the logits' shape when the logits come first (else compared after).
 * It shares the cross-entropy decoder's limits: the same parser setup ({@link JsonRequestBodies}), the same
 * cap on the numbers of each array and the same output-size limit ({@link OutputSizeLimit}).
 */
public final class BinaryCrossEntropyRequestDecoder {

    /** The most dimensions logits may have. */
    public static final int MAX_RANK = 8;
    /** Arrays are read deeper than allowed, so that too many dimensions is one error at the array's pointer. */
    private static final int READ_DEPTH = 15;
    private static final String FIELDS = "logits, targets, epsilon, posWeight, classWeights, reduction, include, dtype";
    private static final String OUTPUT_NAMES = "\"smoothedTargets\", \"elementLoss\", \"probabilities\", \"gradient\"";

    private final LimitsProperties limits;
    private final JsonRequestBodies jsonBodies;
    private final NumberArrayReader tensorReader;
    private final NumberArrayReader vectorReader;

    /** A decoder with the default limits. */
    public BinaryCrossEntropyRequestDecoder() {
        this(LimitsProperties.defaults());
    }

    /** The parser's limits and the element limit are the cross-entropy endpoint's ({@code loss.limits.*}). */
    public BinaryCrossEntropyRequestDecoder(LimitsProperties limits) {
        this.limits = limits;
        this.jsonBodies = new JsonRequestBodies(limits);
        this.tensorReader = new NumberArrayReader(READ_DEPTH, false, limits.maxElements());
        this.vectorReader = new NumberArrayReader(1, false, limits.maxElements());
    }

    /** Everything read from the body, before the rules that relate fields are checked. */
    private static final class Fields {
        NumberArray logits;
        boolean logitsValid;
        NumberArray targets;
        boolean targetsValid;
        Double epsilon;
        NumberArray posWeight;
        boolean posWeightValid;
        NumberArray classWeights;
        boolean classWeightsValid;
        Reduction reduction;
        Set<BinaryOutput> outputs;
        Dtype dtype;
    }

    public BinaryCrossEntropyRequest decode(InputStream body) {
        Violations violations = new Violations();
        Fields fields = new Fields();
        jsonBodies.readObject(body, violations, (parser, found) -> readFields(parser, fields, found));
        return validate(fields, violations);
    }

    private void readFields(JsonParser parser, Fields fields, Violations violations) {
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            String pointer = JsonPointers.member("", name);
            parser.nextToken();
            if (!seen.add(name)) {
                violations.add(pointer, "the field appears more than once");
                JsonTokens.skipValue(parser);
                continue;
            }
            if (parser.currentToken() == JsonToken.VALUE_NULL && !name.equals("logits") && !name.equals("targets")) {
                continue; // null means the default
            }
            switch (name) {
                case "logits" -> {
                    fields.logits = JsonFields.readArray(parser, pointer, tensorReader, violations,
                            "a (nested) array of numbers", ShapeExpectation.NONE);
                    fields.logitsValid = fields.logits != null && !violations.hasAtOrBelow(pointer);
                }
                case "targets" -> {
                    int[] logitsShape = usableShape(fields.logits, fields.logitsValid);
                    fields.targets = JsonFields.readArray(parser, pointer, tensorReader, violations,
                            "an array of numbers in [0, 1] of the logits' shape", logitsShape == null
                                    ? ShapeExpectation.NONE : ShapeExpectation.exactly(logitsShape, "the logits"));
                    fields.targetsValid = fields.targets != null && !violations.hasAtOrBelow(pointer);
                }
                case "epsilon" -> fields.epsilon = JsonFields.readNumber(parser, pointer, violations,
                        "a number in [0, 1]");
                case "posWeight" -> {
                    fields.posWeight = JsonFields.readArray(parser, pointer, vectorReader, violations,
                            "an array of numbers, one per position of the last dimension", ShapeExpectation.NONE);
                    fields.posWeightValid = fields.posWeight != null && !violations.hasAtOrBelow(pointer);
                }
                case "classWeights" -> {
                    fields.classWeights = JsonFields.readArray(parser, pointer, vectorReader, violations,
                            "an array of numbers, one per position of the last dimension", ShapeExpectation.NONE);
                    fields.classWeightsValid = fields.classWeights != null && !violations.hasAtOrBelow(pointer);
                }
                case "reduction" -> fields.reduction = JsonFields.readName(parser, pointer, violations,
                        Reduction::fromWireName, "\"mean\", \"sum\" or \"none\"");
                case "include" -> fields.outputs = readOutputs(parser, pointer, violations);
                case "dtype" -> fields.dtype = JsonFields.readName(parser, pointer, violations, Dtype::fromWireName,
                        "\"float32\" or \"float64\"");
                default -> {
                    violations.add(pointer, "unknown field; the fields are " + FIELDS);
                    JsonTokens.skipValue(parser);
                }
            }
        }
    }

    /** Unknown names are reported at /include itself: the field as a whole is a set of output names. */
    private static Set<BinaryOutput> readOutputs(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            violations.add(pointer, "expected an array of output names, found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
            return null;
        }
        Set<BinaryOutput> outputs = EnumSet.noneOf(BinaryOutput.class);
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            BinaryOutput output = parser.currentToken() == JsonToken.VALUE_STRING
                    ? BinaryOutput.fromWireName(parser.getString()) : null;
            if (output == null) {
                violations.add(pointer, "entry " + index + ": expected one of " + OUTPUT_NAMES + ", found "
                        + JsonTokens.describe(parser));
                JsonTokens.skipValue(parser);
            } else {
                outputs.add(output);
            }
            index++;
        }
        return outputs;
    }

    /** The shape of a well-read array with no empty dimension and at most {@link #MAX_RANK} of them, else null. */
    private static int[] usableShape(NumberArray array, boolean valid) {
        if (array == null || !valid || array.depth() > MAX_RANK) {
            return null;
        }
        for (int dimension : array.shape()) {
            if (dimension == 0) {
                return null;
            }
        }
        return array.shape();
    }

    // ---- rules that relate fields to each other ------------------------------------------------------

    private BinaryCrossEntropyRequest validate(Fields fields, Violations violations) {
        Dtype dtype = fields.dtype == null ? Dtype.FLOAT32 : fields.dtype;
        int[] shape = null;
        if (fields.logits == null) {
            violations.add("/logits", "is required: a (nested) array of numbers");
        } else if (fields.logitsValid) {
            shape = checkLogitsShape(fields.logits.shape(), violations);
        }

        double epsilon = fields.epsilon == null ? 0.0 : fields.epsilon;
        if (epsilon < 0 || epsilon > 1) {
            violations.add("/epsilon", "must be in [0, 1], found " + epsilon);
        }

        if (fields.targets == null) {
            violations.add("/targets", "is required: numbers in [0, 1] of the logits' shape");
        } else if (fields.targetsValid && shape != null && hasShape(fields.targets.shape(), shape, violations)) {
            checkTargets(fields.targets, violations);
        }
        int last = shape == null ? -1 : shape[shape.length - 1];
        double[] posWeight = checkWeights("/posWeight", fields.posWeight, fields.posWeightValid, last, violations);
        double[] classWeights = checkWeights("/classWeights", fields.classWeights, fields.classWeightsValid, last,
                violations);
        if (dtype == Dtype.FLOAT32) {
            // Targets are in [0, 1]: only the logits and the weights can be beyond float32.
            reportBeyondFloat32(fields.logits, violations);
            reportBeyondFloat32(fields.posWeight, violations);
            reportBeyondFloat32(fields.classWeights, violations);
        }

        Reduction reduction = fields.reduction == null ? Reduction.MEAN : fields.reduction;
        Set<BinaryOutput> outputs = EnumSet.noneOf(BinaryOutput.class);
        outputs.addAll(fields.outputs == null ? BinaryOutput.DEFAULT : fields.outputs);
        if (reduction == Reduction.NONE) {
            outputs.add(BinaryOutput.ELEMENT_LOSS);
        }
        if (shape != null) {
            OutputSizeLimit.check(outputSizes(fields.logits.length(), outputs), limits, violations);
        }

        violations.throwIfAny();

        int size = fields.logits.length();
        return new BinaryCrossEntropyRequest(shape, Arrays.copyOf(fields.logits.values(), size),
                Arrays.copyOf(fields.targets.values(), size), epsilon, posWeight, classWeights, reduction, outputs,
                dtype);
    }

    /** Every output is element-wise: each holds as many numbers as the logits. */
    private static Map<String, Long> outputSizes(long size, Set<BinaryOutput> outputs) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (BinaryOutput output : outputs) {
            sizes.put(output.wireName(), size);
        }
        return sizes;
    }

    private static int[] checkLogitsShape(int[] shape, Violations violations) {
        if (shape.length > MAX_RANK) {
            violations.add("/logits", "has " + shape.length + " dimensions; at most " + MAX_RANK + " are supported");
            return null;
        }
        for (int level = 0; level < shape.length; level++) {
            if (shape[level] == 0) {
                violations.add("/logits" + "/0".repeat(level), "must not be empty: every dimension needs at least"
                        + " one entry");
                return null;
            }
        }
        return shape;
    }

    /** When the targets came before the logits the reader could not compare them: the first difference. */
    private static boolean hasShape(int[] targetsShape, int[] shape, Violations violations) {
        int common = Math.min(targetsShape.length, shape.length);
        for (int level = 0; level < common; level++) {
            if (targetsShape[level] != shape[level]) {
                violations.add("/targets" + "/0".repeat(level), "has " + targetsShape[level] + " entries, expected "
                        + shape[level] + " to match the shape of the logits");
                return false;
            }
        }
        if (targetsShape.length != shape.length) {
            violations.add("/targets" + "/0".repeat(common), targetsShape.length < shape.length
                    ? "expected an array, found a number (the targets must have the logits' shape)"
                    : "expected a number, found an array (the targets must have the logits' shape)");
            return false;
        }
        return true;
    }

    private static void checkTargets(NumberArray targets, Violations violations) {
        double[] values = targets.values();
        int length = targets.length();
        for (int i = 0; i < length; i++) {
            if (!(values[i] >= 0 && values[i] <= 1)) {
                violations.add(JsonPointers.ofElement("/targets", targets.shape(), i), "a target must be in [0, 1], found "
                        + values[i]);
            }
        }
    }

    private static double[] checkWeights(String pointer, NumberArray weights, boolean valid, int last,
            Violations violations) {
        if (weights == null || !valid || last < 0) {
            return null;
        }
        if (weights.shape()[0] != last) {
            violations.add(pointer, "expected " + last + " weights (one per position of the last dimension of the"
                    + " logits), found " + weights.shape()[0]);
            return null;
        }
        double[] values = Arrays.copyOf(weights.values(), last);
        for (int i = 0; i < last; i++) {
            if (values[i] < 0) {
                violations.add(JsonPointers.element(pointer, i), "a weight must be >= 0, found " + values[i]);
            }
        }
        return values;
    }

    private static void reportBeyondFloat32(NumberArray array, Violations violations) {
        if (array != null) {
            for (String pointer : array.beyondFloat32()) {
                violations.add(pointer, "is beyond the float32 range; send \"dtype\": \"float64\" to compute in"
                        + " float64");
            }
        }
    }
}
