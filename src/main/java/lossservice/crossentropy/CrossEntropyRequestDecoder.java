package lossservice.crossentropy;

import java.io.InputStream;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import lossservice.compute.Dtype;
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
 * Turns a cross-entropy request body into a {@link CrossEntropyRequest}, or reports every rule it breaks.
 *
 * <p>This is the service's only validator for the endpoint: it streams the body once with Jackson's
 * parser, straight into primitive buffers, checking each value as it goes, then checks the rules that
 * relate fields to each other (fields may come in any order). Malformed JSON is a
 * {@code MalformedRequestException}; anything else wrong is an {@code InvalidRequestException} listing
 * every violation with its JSON pointer.
 */
public final class CrossEntropyRequestDecoder {

    static final int DEFAULT_IGNORE_INDEX = CrossEntropyRules.DEFAULT_IGNORE_INDEX;
    static final double DEFAULT_EPSILON = CrossEntropyRules.DEFAULT_EPSILON;
    private static final String FIELDS =
            "logits, targets, epsilon, labelSmooth, numClasses, reduction, classWeights, ignoreIndex, include, dtype";
    /** Logits have 2 (N x C) to 5 (N x C x d1 x d2 x d3) dimensions. */
    static final int MAX_LOGITS_DEPTH = 5;
    /** Arrays are read deeper than allowed, so that too many dimensions is one error at the array's pointer. */
    private static final int READ_DEPTH = 15;

    private final LimitsProperties limits;
    private final JsonRequestBodies jsonBodies;
    private final NumberArrayReader matrixReader;
    private final NumberArrayReader targetsReader;
    private final NumberArrayReader vectorReader;

    /** A decoder with the default limits. */
    public CrossEntropyRequestDecoder() {
        this(LimitsProperties.defaults());
    }

    public CrossEntropyRequestDecoder(LimitsProperties limits) {
        this.limits = limits;
        this.jsonBodies = new JsonRequestBodies(limits);
        this.matrixReader = new NumberArrayReader(READ_DEPTH, false, limits.maxElements());
        this.targetsReader = new NumberArrayReader(READ_DEPTH, true, limits.maxElements());
        this.vectorReader = new NumberArrayReader(1, false, limits.maxElements());
    }

    public CrossEntropyRequest decode(InputStream body) {
        Violations violations = new Violations();
        Fields fields = new Fields();
        jsonBodies.readObject(body, violations, (parser, found) -> readFields(parser, fields, found));
        return validate(fields, violations);
    }

    /** Everything read from the body, before the rules that relate fields are checked. */
    private static final class Fields {
        NumberArray logits;
        boolean logitsValid;
        NumberArray targets;
        boolean targetsValid;
        Double epsilon;
        Boolean labelSmooth;
        Long numClasses;
        boolean numClassesTooLarge;
        Reduction reduction;
        NumberArray classWeights;
        boolean classWeightsValid;
        Long ignoreIndex;
        Set<OptionalOutput> outputs;
        Dtype dtype;
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
                    fields.logits = readArray(parser, pointer, matrixReader, violations, "an N x C array of numbers");
                    fields.logitsValid = fields.logits != null && !violations.hasAtOrBelow(pointer);
                }
                case "targets" -> {
                    fields.targets = JsonFields.readArray(parser, pointer, targetsReader, violations,
                            "an array of class indices or of probability rows", targetsExpectation(fields));
                    fields.targetsValid = fields.targets != null && !violations.hasAtOrBelow(pointer);
                }
                case "epsilon" -> fields.epsilon = readNumber(parser, pointer, violations, "a number in [0, 1]");
                case "labelSmooth" -> fields.labelSmooth = readBoolean(parser, pointer, violations);
                case "numClasses" -> {
                    if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT
                            && parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        fields.numClassesTooLarge = true;
                    } else {
                        fields.numClasses = readInteger(parser, pointer, violations);
                    }
                }
                case "reduction" -> fields.reduction = readReduction(parser, pointer, violations);
                case "classWeights" -> {
                    fields.classWeights = readArray(parser, pointer, vectorReader, violations, "an array of C numbers");
                    fields.classWeightsValid = fields.classWeights != null && !violations.hasAtOrBelow(pointer);
                }
                case "ignoreIndex" -> fields.ignoreIndex = readInteger(parser, pointer, violations);
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

    private static NumberArray readArray(JsonParser parser, String pointer, NumberArrayReader reader,
            Violations violations, String expected) {
        return JsonFields.readArray(parser, pointer, reader, violations, expected, ShapeExpectation.NONE);
    }

    /**
     * When the logits came first and have a usable shape [N, C, d1..dk], the targets are read against it:
     * [N, d1..dk] when their first number is at that depth (class indices), else the logits' shape
     * (probabilities). Any other depth is reported once at /targets by {@link #validate}.
     */
    private static ShapeExpectation targetsExpectation(Fields fields) {
        int[] logitsShape = usableLogitsShape(fields);
        if (logitsShape == null) {
            return ShapeExpectation.NONE;
        }
        int[] indexShape = indexTargetsShape(logitsShape);
        return new ShapeExpectation(depth -> depth == indexShape.length ? indexShape
                : depth == logitsShape.length ? logitsShape : null, "the logits");
    }

    private static int[] usableLogitsShape(Fields fields) {
        if (fields.logits == null || !fields.logitsValid) {
            return null;
        }
        int[] shape = fields.logits.shape();
        if (shape.length < 2 || shape.length > MAX_LOGITS_DEPTH) {
            return null;
        }
        for (int dimension : shape) {
            if (dimension == 0) {
                return null;
            }
        }
        return shape;
    }

    /** [N, d1..dk] for logits [N, C, d1..dk]. */
    private static int[] indexTargetsShape(int[] logitsShape) {
        int[] shape = new int[logitsShape.length - 1];
        shape[0] = logitsShape[0];
        System.arraycopy(logitsShape, 2, shape, 1, logitsShape.length - 2);
        return shape;
    }


    private static Double readNumber(JsonParser parser, String pointer, Violations violations, String expected) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            double value = parser.getDoubleValue();
            if (Double.isFinite(value)) {
                return value;
            }
        }
        violations.add(pointer, "expected " + expected + ", found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    private static Boolean readBoolean(JsonParser parser, String pointer, Violations violations) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
            return token == JsonToken.VALUE_TRUE;
        }
        violations.add(pointer, "expected true or false, found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    private static Long readInteger(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT
                && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return parser.getLongValue();
        }
        violations.add(pointer, "expected a JSON integer (64-bit), found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    private static Reduction readReduction(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() == JsonToken.VALUE_STRING) {
            Reduction reduction = Reduction.fromWireName(parser.getString());
            if (reduction != null) {
                return reduction;
            }
        }
        violations.add(pointer, "expected \"mean\", \"sum\" or \"none\", found " + JsonTokens.describe(parser));
        JsonTokens.skipValue(parser);
        return null;
    }

    private static Set<OptionalOutput> readOutputs(JsonParser parser, String pointer, Violations violations) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            violations.add(pointer, "expected an array of output names, found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
            return null;
        }
        Set<OptionalOutput> outputs = EnumSet.noneOf(OptionalOutput.class);
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            OptionalOutput output = parser.currentToken() == JsonToken.VALUE_STRING
                    ? OptionalOutput.fromWireName(parser.getString()) : null;
            if (output == null) {
                violations.add(JsonPointers.element(pointer, index), "expected one of \"smoothedTargets\","
                        + " \"perSampleLoss\", \"probabilities\", \"gradient\", found " + JsonTokens.describe(parser));
                JsonTokens.skipValue(parser);
            } else {
                outputs.add(output);
            }
            index++;
        }
        return outputs;
    }

    // ---- rules that relate fields to each other ------------------------------------------------------

    private CrossEntropyRequest validate(Fields fields, Violations violations) {
        Dtype dtype = fields.dtype == null ? Dtype.FLOAT32 : fields.dtype;
        int[] shape = null;
        if (fields.logits == null) {
            violations.add("/logits", "is required: an N x C (or N x C x d1 .. x dk) array of numbers");
        } else if (fields.logitsValid) {
            shape = checkLogitsShape(fields.logits.shape(), violations);
        }
        int n = shape == null ? -1 : shape[0];
        int c = shape == null ? -1 : shape[1];

        double epsilon = fields.epsilon == null ? DEFAULT_EPSILON : fields.epsilon;
        String epsilonViolation = CrossEntropyRules.epsilonViolation(epsilon);
        if (epsilonViolation != null) {
            violations.add("/epsilon", epsilonViolation);
        }
        if (c > 0 && fields.numClasses != null && fields.numClasses != c
                || c > 0 && fields.numClassesTooLarge) {
            violations.add("/numClasses", "must equal the number of classes in logits (" + c + ", dimension 1)"
                    + (fields.numClasses != null ? ", found " + fields.numClasses : ""));
        }
        long ignoreIndex = fields.ignoreIndex == null ? DEFAULT_IGNORE_INDEX : fields.ignoreIndex;

        int[] classIndices = null;
        double[] probabilities = null;
        if (fields.targets == null) {
            violations.add("/targets", "is required: class indices of shape [N, d1..dk] or probabilities of the"
                    + " logits' shape");
        } else if (fields.targetsValid && shape != null) {
            int[] indexShape = indexTargetsShape(shape);
            int depth = fields.targets.depth();
            if (depth == indexShape.length) {
                if (hasShape(fields.targets, indexShape, violations)) {
                    classIndices = checkClassIndices(fields.targets, indexShape, c, ignoreIndex, violations);
                }
            } else if (depth == shape.length) {
                if (hasShape(fields.targets, shape, violations)) {
                    probabilities = checkProbabilities(fields.targets, violations);
                }
                String ignoreIndexViolation = CrossEntropyRules.ignoreIndexWithProbabilitiesViolation(ignoreIndex);
                if (ignoreIndexViolation != null) {
                    violations.add("/ignoreIndex", ignoreIndexViolation);
                }
            } else {
                violations.add("/targets", "expected class indices of shape " + Arrays.toString(indexShape)
                        + " or probabilities of shape " + Arrays.toString(shape) + ", found an array of "
                        + depth + (depth == 1 ? " dimension" : " dimensions"));
            }
        }

        float[] classWeights = null;
        if (fields.classWeights != null && fields.classWeightsValid && c > 0) {
            classWeights = checkClassWeights(fields.classWeights, c, violations);
        }
        if (dtype == Dtype.FLOAT32) {
            reportBeyondFloat32(fields.logits, violations);
            reportBeyondFloat32(fields.targets, violations);
            reportBeyondFloat32(fields.classWeights, violations);
        }

        Reduction reduction = fields.reduction == null ? Reduction.MEAN : fields.reduction;
        Set<OptionalOutput> outputs = CrossEntropyRules.outputsFor(reduction,
                fields.outputs == null ? OptionalOutput.DEFAULT : fields.outputs);
        if (shape != null) {
            // Rows of the maths: N * d1 * .. * dk.
            OutputSizeLimit.check(outputSizes(fields.logits.length() / c, c, outputs), limits, violations);
        }

        violations.throwIfAny();

        boolean labelSmooth = fields.labelSmooth == null || fields.labelSmooth;
        double effectiveEpsilon = CrossEntropyRules.effectiveEpsilon(epsilon, labelSmooth);
        int[] spatialShape = Arrays.copyOfRange(shape, 2, shape.length);
        int spatialSize = fields.logits.length() / (n * c);
        if (dtype == Dtype.FLOAT64) {
            return new CrossEntropyRequest(n, c, null, classIndices, null, effectiveEpsilon, reduction, null, outputs,
                    spatialShape, Dtype.FLOAT64,
                    toDoubleRows(fields.logits.values(), n, c, spatialSize),
                    probabilities == null ? null : toDoubleRows(probabilities, n, c, spatialSize),
                    classWeights == null ? null : Arrays.copyOf(fields.classWeights.values(), c));
        }
        return new CrossEntropyRequest(n, c, toFloatRows(fields.logits.values(), n, c, spatialSize), classIndices,
                probabilities == null ? null : toFloatRows(probabilities, n, c, spatialSize), effectiveEpsilon,
                reduction, classWeights, outputs, spatialShape, Dtype.FLOAT32, null, null, null);
    }

    /** N x C numbers for each of smoothed targets, probabilities and gradient, N for the per-sample losses. */
    static Map<String, Long> outputSizes(int rows, int c, Set<OptionalOutput> outputs) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (OptionalOutput output : outputs) {
            sizes.put(output.wireName(), output == OptionalOutput.PER_SAMPLE_LOSS ? rows : (long) rows * c);
        }
        return sizes;
    }

    /** The logits' shape [N, C, d1..dk] when it is one the endpoint computes, else null with the reason reported. */
    private static int[] checkLogitsShape(int[] shape, Violations violations) {
        if (shape[0] < CrossEntropyRules.MIN_ROWS) {
            violations.add("/logits", "must have at least one row");
            return null;
        }
        if (shape.length == 1) {
            violations.add("/logits/0", "expected a row of at least 2 numbers, found a number");
            return null;
        }
        if (shape.length > MAX_LOGITS_DEPTH) {
            violations.add("/logits", "has " + shape.length + " dimensions; at most " + MAX_LOGITS_DEPTH
                    + " are supported ([N, C, d1, d2, d3])");
            return null;
        }
        if (shape[1] < CrossEntropyRules.MIN_CLASSES) {
            violations.add("/logits/0", "must have at least 2 classes, found " + shape[1]);
            return null;
        }
        for (int level = 2; level < shape.length; level++) {
            if (shape[level] == 0) {
                violations.add("/logits" + "/0".repeat(level), "must not be empty: every dimension needs at"
                        + " least one entry");
                return null;
            }
        }
        return shape;
    }

    /**
     * Whether an array has the expected shape; if not, reports the first array along the first elements
     * whose length differs (when the targets came before the logits the reader could not compare them).
     */
    private static boolean hasShape(NumberArray array, int[] expected, Violations violations) {
        int[] shape = array.shape();
        for (int level = 0; level < expected.length; level++) {
            if (shape[level] != expected[level]) {
                violations.add("/targets" + "/0".repeat(level), "has " + shape[level] + " entries, expected "
                        + expected[level] + " to match the shape of the logits");
                return false;
            }
        }
        return true;
    }

    private static void reportBeyondFloat32(NumberArray array, Violations violations) {
        if (array != null) {
            for (String pointer : array.beyondFloat32()) {
                violations.add(pointer, "is beyond the float32 range; send \"dtype\": \"float64\" to compute in"
                        + " float64");
            }
        }
    }

    /** Class indices of shape [N, d1..dk], in that order: one per row of the maths. */
    private static int[] checkClassIndices(NumberArray targets, int[] shape, int c, long ignoreIndex,
            Violations violations) {
        double[] values = targets.values();
        boolean[] integral = targets.integral();
        int[] indices = new int[targets.length()];
        for (int i = 0; i < indices.length; i++) {
            double value = values[i];
            if (!integral[i]) {
                violations.add(JsonPointers.ofElement("/targets", shape, i), "a class index must be a JSON integer, found " + value);
            } else {
                indices[i] = CrossEntropyRules.classIndex(value, c, ignoreIndex);
                if (indices[i] == CrossEntropyRules.OUT_OF_RANGE) {
                    violations.add(JsonPointers.ofElement("/targets", shape, i),
                            CrossEntropyRules.classIndexOutOfRange((long) value, c, ignoreIndex));
                }
            }
        }
        return indices;
    }

    /** Probabilities of the logits' shape, in JSON order; each must be >= 0. */
    private static double[] checkProbabilities(NumberArray targets, Violations violations) {
        double[] values = targets.values();
        int length = targets.length();
        for (int i = 0; i < length; i++) {
            String probabilityViolation = CrossEntropyRules.probabilityViolation(values[i]);
            if (probabilityViolation != null) {
                violations.add(JsonPointers.ofElement("/targets", targets.shape(), i), probabilityViolation);
            }
        }
        return values;
    }

    private static float[] checkClassWeights(NumberArray weights, int c, Violations violations) {
        if (weights.shape()[0] != c) {
            violations.add("/classWeights", "expected " + c + " weights (one per class, dimension 1 of the logits),"
                    + " found " + weights.shape()[0]);
            return null;
        }
        double[] values = weights.values();
        float[] classWeights = new float[c];
        for (int i = 0; i < c; i++) {
            String weightViolation = CrossEntropyRules.classWeightViolation(values[i]);
            if (weightViolation != null) {
                violations.add(JsonPointers.element("/classWeights", i), weightViolation);
            }
            classWeights[i] = (float) values[i];
        }
        return classWeights;
    }


    /**
     * [N, C, D] in JSON order to N * D rows of C (the class axis last), as float32. Without spatial
     * dimensions (D = 1) the order is already right and this is a plain conversion.
     */
    private static float[] toFloatRows(double[] values, int n, int c, int spatialSize) {
        float[] rows = new float[n * c * spatialSize];
        if (spatialSize == 1) {
            for (int i = 0; i < rows.length; i++) {
                rows[i] = (float) values[i];
            }
            return rows;
        }
        int at = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int cls = 0; cls < c; cls++) {
                for (int element = 0; element < spatialSize; element++) {
                    rows[((sample * spatialSize) + element) * c + cls] = (float) values[at++];
                }
            }
        }
        return rows;
    }

    /** As {@link #toFloatRows}, in float64. */
    private static double[] toDoubleRows(double[] values, int n, int c, int spatialSize) {
        if (spatialSize == 1) {
            return Arrays.copyOf(values, n * c);
        }
        double[] rows = new double[n * c * spatialSize];
        int at = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int cls = 0; cls < c; cls++) {
                for (int element = 0; element < spatialSize; element++) {
                    rows[((sample * spatialSize) + element) * c + cls] = values[at++];
                }
            }
        }
        return rows;
    }
}
