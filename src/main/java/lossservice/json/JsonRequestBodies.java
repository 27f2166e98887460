package lossservice.json;

import java.io.InputStream;

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
 */
public final class JsonRequestBodies {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16)
                    .maxNumberLength(1000)
                    .maxStringLength(1 << 16)
                    .build())
            .build();

    /** Reads the fields of the object, the parser standing on its {@code START_OBJECT}. */
    @FunctionalInterface
    public interface FieldsReader {
        void readFields(JsonParser parser, Violations violations);
    }

    private JsonRequestBodies() {
    }

    public static void readObject(InputStream body, Violations violations, FieldsReader fieldsReader) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), body)) {
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
            throw new MalformedRequestException("The JSON exceeds a parser limit (nesting depth 16, numbers of at most"
                    + " 1000 characters, strings of at most 65536 characters).");
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
