package lossservice.crossentropy;

import java.io.InputStream;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

import lossservice.json.JsonPointers;
import lossservice.json.JsonTokens;
import lossservice.json.NumberArray;
import lossservice.json.NumberArrayReader;
import lossservice.limits.LimitsProperties;
import lossservice.problem.MalformedRequestException;
import lossservice.problem.Violations;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.core.json.JsonFactory;

/**
 * Turns a cross-entropy request body into a {@link CrossEntropyRequest}, or reports every rule it breaks.
 *
 * <p>This is the service's only validator for the endpoint: it streams the body once with Jackson's
 * parser, straight into primitive buffers, checking each value as it goes, then checks the rules that
 * relate fields to each other (fields may come in any order). Malformed JSON is a
 * {@link MalformedRequestException}; anything else wrong is an {@code InvalidRequestException} listing
 * every violation with its JSON pointer.
 */
public final class CrossEntropyRequestDecoder {

    static final int DEFAULT_IGNORE_INDEX = -100;
    static final double DEFAULT_EPSILON = 0.1;
    private static final String FIELDS =
            "logits, targets, epsilon, labelSmooth, numClasses, reduction, classWeights, ignoreIndex, include";

    private final LimitsProperties limits;
    private final JsonFactory json;
    private final NumberArrayReader matrixReader;
    private final NumberArrayReader targetsReader;
    private final NumberArrayReader vectorReader;

    /** A decoder with the default limits. */
    public CrossEntropyRequestDecoder() {
        this(LimitsProperties.defaults());
    }

    public CrossEntropyRequestDecoder(LimitsProperties limits) {
        this.limits = limits;
        this.json = jsonFactory(limits);
        this.matrixReader = new NumberArrayReader(2, false, limits.maxElements());
        this.targetsReader = new NumberArrayReader(2, true, limits.maxElements());
        this.vectorReader = new NumberArrayReader(1, false, limits.maxElements());
    }

    /** The parser's own limits: no JSON value of the contract comes near them. */
    private static JsonFactory jsonFactory(LimitsProperties limits) {
        return JsonFactory.builder()
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxJsonDepth())
                        .maxNumberLength(limits.maxNumberLength())
                        .maxStringLength(limits.maxStringLength())
                        .maxNameLength(limits.maxStringLength())
                        .build())
                .build();
    }

    public CrossEntropyRequest decode(InputStream body) {
        Violations violations = new Violations();
        Fields fields = new Fields();
        try (JsonParser parser = json.createParser(ObjectReadContext.empty(), body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MalformedRequestException("The body is empty; expected a JSON object.");
            }
            if (first != JsonToken.START_OBJECT) {
                violations.add("", "the body must be a JSON object, found " + JsonTokens.describe(parser));
                JsonTokens.skipValue(parser);
            } else {
                readFields(parser, fields, violations);
            }
            if (parser.nextToken() != null) {
                throw new MalformedRequestException("Unexpected content after the end of the JSON value.");
            }
        } catch (StreamConstraintsException e) {
            throw new MalformedRequestException("The JSON exceeds a parser limit (nesting depth "
                    + limits.maxJsonDepth() + ", numbers of at most " + limits.maxNumberLength()
                    + " characters, strings of at most " + limits.maxStringLength() + " characters).");
        } catch (StreamReadException e) {
            throw new MalformedRequestException(malformedMessage(e));
        } catch (JacksonException e) {
            throw new MalformedRequestException("The body could not be read.");
        }
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
                    fields.targets = readArray(parser, pointer, targetsReader, violations,
                            "an array of class indices or of probability rows");
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
                default -> {
                    violations.add(pointer, "unknown field; the fields are " + FIELDS);
                    JsonTokens.skipValue(parser);
                }
            }
        }
    }

    private static NumberArray readArray(JsonParser parser, String pointer, NumberArrayReader reader,
            Violations violations, String expected) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            violations.add(pointer, "expected " + expected + ", found " + JsonTokens.describe(parser));
            JsonTokens.skipValue(parser);
            return null;
        }
        return reader.read(parser, pointer, violations);
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

    /**
     * Jackson's messages name its own features and source descriptions ("enable `JsonReadFeature...`",
     * "[Source: REDACTED ...]"): keep only the part that speaks of the JSON itself.
     */
    static String malformedMessage(StreamReadException e) {
        TokenStreamLocation location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        String reason = e instanceof UnexpectedEndOfInputException ? "the body ends before the JSON value is complete"
                : clientSafe(e.getOriginalMessage());
        return "The body is not well-formed JSON" + where + ": " + reason + ".";
    }

    private static String clientSafe(String jacksonMessage) {
        String message = jacksonMessage == null ? "" : jacksonMessage;
        for (String cut : new String[] {"\n", " (start marker", "[Source", ": enable", "`"}) {
            int at = message.indexOf(cut);
            if (at >= 0) {
                message = message.substring(0, at);
            }
        }
        message = message.strip();
        return message.isEmpty() ? "unexpected content" : message;
    }

    // ---- rules that relate fields to each other ------------------------------------------------------

    private CrossEntropyRequest validate(Fields fields, Violations violations) {
        int n = -1;
        int c = -1;
        if (fields.logits == null) {
            violations.add("/logits", "is required: an N x C array of numbers");
        } else if (fields.logitsValid) {
            int[] shape = fields.logits.shape();
            if (shape[0] == 0) {
                violations.add("/logits", "must have at least one row");
            } else if (shape.length != 2) {
                violations.add("/logits/0", "expected a row of at least 2 numbers, found a number");
            } else if (shape[1] < 2) {
                violations.add("/logits/0", "must have at least 2 classes, found " + shape[1]);
            } else {
                n = shape[0];
                c = shape[1];
            }
        }

        double epsilon = fields.epsilon == null ? DEFAULT_EPSILON : fields.epsilon;
        if (epsilon < 0 || epsilon > 1) {
            violations.add("/epsilon", "must be in [0, 1], found " + epsilon);
        }
        if (c > 0 && fields.numClasses != null && fields.numClasses != c
                || c > 0 && fields.numClassesTooLarge) {
            violations.add("/numClasses", "must equal the number of classes in logits (" + c + ")"
                    + (fields.numClasses != null ? ", found " + fields.numClasses : ""));
        }
        long ignoreIndex = fields.ignoreIndex == null ? DEFAULT_IGNORE_INDEX : fields.ignoreIndex;

        int[] classIndices = null;
        float[] probabilities = null;
        if (fields.targets == null) {
            violations.add("/targets", "is required: N class indices or N rows of C probabilities");
        } else if (fields.targetsValid && n > 0) {
            if (fields.targets.depth() == 1) {
                classIndices = checkClassIndices(fields.targets, n, c, ignoreIndex, violations);
            } else {
                probabilities = checkProbabilities(fields.targets, n, c, violations);
                if (ignoreIndex != DEFAULT_IGNORE_INDEX) {
                    violations.add("/ignoreIndex", "must be " + DEFAULT_IGNORE_INDEX
                            + " (the default) with probability targets, found " + ignoreIndex);
                }
            }
        }

        float[] classWeights = null;
        if (fields.classWeights != null && fields.classWeightsValid && c > 0) {
            classWeights = checkClassWeights(fields.classWeights, c, violations);
        }

        Reduction reduction = fields.reduction == null ? Reduction.MEAN : fields.reduction;
        Set<OptionalOutput> outputs = EnumSet.noneOf(OptionalOutput.class);
        outputs.addAll(fields.outputs == null ? OptionalOutput.DEFAULT : fields.outputs);
        if (reduction == Reduction.NONE) {
            outputs.add(OptionalOutput.PER_SAMPLE_LOSS);
        }
        if (n > 0) {
            RequestSizeLimits.check(n, c, outputs, limits, violations);
        }

        violations.throwIfAny();

        boolean labelSmooth = fields.labelSmooth == null || fields.labelSmooth;
        return new CrossEntropyRequest(n, c, toFloats(fields.logits), classIndices, probabilities,
                labelSmooth ? epsilon : 0.0, reduction, classWeights, outputs);
    }

    private static int[] checkClassIndices(NumberArray targets, int n, int c, long ignoreIndex, Violations violations) {
        if (targets.shape()[0] != n) {
            violations.add("/targets", "expected " + n + " class indices (one per row of logits), found "
                    + targets.shape()[0]);
            return null;
        }
        double[] values = targets.values();
        boolean[] integral = targets.integral();
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            double value = values[i];
            if (!integral[i]) {
                violations.add(JsonPointers.element("/targets", i),
                        "a class index must be a JSON integer, found " + value);
            } else if (value == ignoreIndex) {
                indices[i] = CrossEntropyRequest.IGNORED;
            } else if (value < 0 || value >= c) {
                violations.add(JsonPointers.element("/targets", i), "class index " + (long) value
                        + " is outside [0, " + c + ") and is not the ignoreIndex (" + ignoreIndex + ")");
            } else {
                indices[i] = (int) value;
            }
        }
        return indices;
    }

    private static float[] checkProbabilities(NumberArray targets, int n, int c, Violations violations) {
        int[] shape = targets.shape();
        if (shape[0] != n) {
            violations.add("/targets", "expected " + n + " rows of probabilities (one per row of logits), found "
                    + shape[0]);
            return null;
        }
        if (shape[1] != c) {
            violations.add("/targets/0", "has " + shape[1] + " probabilities, expected " + c
                    + " (the number of classes in logits)");
            return null;
        }
        double[] values = targets.values();
        float[] probabilities = new float[n * c];
        for (int i = 0; i < probabilities.length; i++) {
            if (values[i] < 0) {
                violations.add("/targets/" + i / c + "/" + i % c, "a probability must be >= 0, found " + values[i]);
            }
            probabilities[i] = (float) values[i];
        }
        return probabilities;
    }

    private static float[] checkClassWeights(NumberArray weights, int c, Violations violations) {
        if (weights.shape()[0] != c) {
            violations.add("/classWeights", "expected " + c + " weights (one per class), found " + weights.shape()[0]);
            return null;
        }
        double[] values = weights.values();
        float[] classWeights = new float[c];
        for (int i = 0; i < c; i++) {
            if (values[i] < 0) {
                violations.add(JsonPointers.element("/classWeights", i), "a weight must be >= 0, found " + values[i]);
            }
            classWeights[i] = (float) values[i];
        }
        return classWeights;
    }

    private static float[] toFloats(NumberArray array) {
        double[] values = array.values();
        float[] floats = new float[array.length()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
