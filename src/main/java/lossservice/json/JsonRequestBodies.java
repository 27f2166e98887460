package lossservice.json;

import java.io.InputStream;

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
    private final String parserLimitMessage;

    /** Reads the fields of the object, the parser standing on its {@code START_OBJECT}. */
    @FunctionalInterface
    public interface FieldsReader {
        void readFields(JsonParser parser, Violations violations);
    }

    public JsonRequestBodies(LimitsProperties limits) {
        this.json = JsonFactory.builder()
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxJsonDepth())
                        .maxNumberLength(limits.maxNumberLength())
                        .maxStringLength(limits.maxStringLength())
                        .maxNameLength(limits.maxStringLength())
                        .build())
                .build();
        this.parserLimitMessage = "The JSON exceeds a parser limit (nesting depth " + limits.maxJsonDepth()
                + ", numbers of at most " + limits.maxNumberLength() + " characters, strings of at most "
                + limits.maxStringLength() + " characters).";
    }

    /**
     * A parser with the limits, for a body that is more than one JSON object (the Open Inference Protocol's
     * binary data follows its JSON); its {@link StreamConstraintsException}s are answered with
     * {@link #parserLimitMessage()}.
     */
    public JsonParser createParser(InputStream body) {
        return json.createParser(ObjectReadContext.empty(), body);
    }

    /** What a client is told when its JSON passes one of the parser's limits. */
    public String parserLimitMessage() {
        return parserLimitMessage;
    }

    public void readObject(InputStream body, Violations violations, FieldsReader fieldsReader) {
        try (JsonParser parser = createParser(body)) {
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
            throw new MalformedRequestException(parserLimitMessage);
        } catch (StreamReadException e) {
            throw new MalformedRequestException(malformedMessage(e));
        } catch (JacksonException e) {
            throw new MalformedRequestException("The body could not be read.");
        }
    }

    /**
     * Jackson's messages name its own features and source descriptions ("enable `JsonReadFeature...`",
     * "[Source: REDACTED ...]"): keep only the part that speaks of the JSON itself.
     */
    public static String malformedMessage(StreamReadException e) {
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
}
