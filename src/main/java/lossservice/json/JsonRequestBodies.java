package lossservice.json;

import java.io.InputStream;
import java.util.Map;

import lossservice.limits.LimitsProperties;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.MalformedRequestException;
import lossservice.problem.Violation;
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
 * Streams a request body that must be one JSON object: the parser limits, the checks around the object
 * (empty body, not an object, content after it) and the translation of Jackson's failures into
 * {@link MalformedRequestException}s with client-safe messages. The endpoint's decoder reads the fields.
 *
 * <p>The one parser setup of the service's JSON request bodies: the parser's limits are
 * {@code loss.limits.max-json-depth}, {@code max-number-length} and {@code max-string-length}, so every
 * endpoint refuses the same JSON with the same message.
 */
public final class JsonRequestBodies {

    private final JsonFactory json;
    private final LimitsProperties limits;
    private final String parserLimitMessage;

    /** Reads the fields of the object, the parser standing on its {@code START_OBJECT}. */
    @FunctionalInterface
    public interface FieldsReader {
        void readFields(JsonParser parser, Violations violations);
    }

    public JsonRequestBodies(LimitsProperties limits) {
        this.limits = limits;
        this.json = JsonFactory.builder()
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxJsonDepth())
                        .maxNumberLength(limits.maxNumberLength())
                        .maxStringLength(limits.maxStringLength())
                        .maxNameLength(limits.maxStringLength())
                        .build())
                .build();
        // For a limit Jackson may add one day, beside the three it has.
        this.parserLimitMessage = "exceeds a parser limit (nesting depth " + limits.maxJsonDepth()
                + ", numbers of at most " + limits.maxNumberLength() + " characters, strings of at most "
                + limits.maxStringLength() + " characters)";
    }

    /**
     * A parser with the limits, for a body that is more than one JSON object (the Open Inference Protocol's
     * binary data follows its JSON); its {@link StreamConstraintsException}s are answered with
     * {@link #parserLimitViolation}.
     */
    public JsonParser createParser(InputStream body) {
        return json.createParser(ObjectReadContext.empty(), body);
    }

    /**
     * The body with the number arrays of {@code fields} lifted out ({@link NumberArrayLifter}), within the parser's
     * limits, for {@link #readObject}.
     *
     * @param fields     each field of the object whose array may be lifted, with whether its integers are recorded
     * @param maxValues  the most numbers lifted from the whole body
     */
    public NumberArrayLifter lifting(InputStream body, Map<String, Boolean> fields, long maxValues) {
        return new NumberArrayLifter(body, fields, limits.maxJsonDepth(), limits.maxNumberLength(), maxValues);
    }

    /**
     * The body with the number arrays of {@code fields} of the objects in the array {@code elementsField} of the
     * top-level object lifted out, for {@link #createParser}.
     */
    public NumberArrayLifter lifting(InputStream body, String elementsField, Map<String, Boolean> fields,
            long maxValues) {
        return new NumberArrayLifter(body, elementsField, fields, limits.maxJsonDepth(), limits.maxNumberLength(),
                maxValues);
    }

    /**
     * Reads the body's object with {@code fieldsReader}. Malformed JSON is a {@link MalformedRequestException};
     * well-formed JSON past one of the parser's limits is an {@link InvalidRequestException} at the value that
     * passed it (a number of 400 digits is well-formed, and beyond the float64 range whatever its length).
     */
    public void readObject(InputStream body, Violations violations, FieldsReader fieldsReader) {
        JsonParser parser = createParser(body);
        try (parser) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MalformedRequestException("The body is empty; expected a JSON object.");
            }
            if (first != JsonToken.START_OBJECT) {
                violations.add("", "the body must be a JSON object, found " + JsonTokens.describe(parser));
                JsonTokens.skipValue(parser);
            } else {
                fieldsReader.readFields(parser, violations);
            }
            if (parser.nextToken() != null) {
                throw new MalformedRequestException("Unexpected content after the end of the JSON value.");
            }
        } catch (StreamConstraintsException e) {
            throw new InvalidRequestException(parserLimitViolation(parser, e));
        } catch (StreamReadException e) {
            throw new MalformedRequestException(malformedMessage(e, body instanceof NumberArrayLifter lifter ? lifter
                    : null));
        } catch (JacksonException e) {
            throw new MalformedRequestException("The body could not be read.");
        }
    }

    /**
     * The limit a body passed, at the pointer of the value the parser was reading: for a number or a string that
     * value; for nesting too deep the field of the body it is in; for a field name too long the object holding it.
     * Jackson says which limit in its message only, so the message is matched on its first words.
     */
    public Violation parserLimitViolation(JsonParser parser, StreamConstraintsException e) {
        String pointer = parser.streamReadContext() == null ? ""
                : parser.streamReadContext().pathAsPointer().toString();
        String jackson = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (jackson.startsWith("Number")) {
            return new Violation(pointer, "is a number of more than " + limits.maxNumberLength() + " characters, the"
                    + " longest this service reads (loss.limits.max-number-length)");
        }
        if (jackson.startsWith("String")) {
            return new Violation(pointer, "is a string of more than " + limits.maxStringLength() + " characters, the"
                    + " longest this service reads (loss.limits.max-string-length)");
        }
        if (jackson.startsWith("Name")) {
            return new Violation(pointer.substring(0, Math.max(0, pointer.lastIndexOf('/'))), "has a field name of"
                    + " more than " + limits.maxStringLength() + " characters, the longest this service reads"
                    + " (loss.limits.max-string-length)");
        }
        if (jackson.contains("nesting depth")) {
            int second = pointer.indexOf('/', 1);
            return new Violation(second < 0 ? pointer : pointer.substring(0, second), "nests arrays and objects more"
                    + " than " + limits.maxJsonDepth() + " levels deep, the deepest this service reads"
                    + " (loss.limits.max-json-depth)");
        }
        return new Violation(pointer, parserLimitMessage);
    }

    /**
     * Jackson's messages name its own features and source descriptions ("enable `JsonReadFeature...`",
     * "[Source: REDACTED ...]"): keep only the part that speaks of the JSON itself, with the location translated back
     * to the body's own when arrays were lifted out of it.
     */
    private static String malformedMessage(StreamReadException e, NumberArrayLifter lifter) {
        TokenStreamLocation location = e.getLocation();
        String where = location == null ? ""
                : lifter == null ? " at line " + location.getLineNr() + ", column " + location.getColumnNr()
                : " at line " + lifter.originalLine(location) + ", column " + lifter.originalColumn(location);
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
}
