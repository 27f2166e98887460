package lossservice.problem;

import java.io.OutputStream;
import java.util.List;
import java.util.Map;

import org.springframework.http.ProblemDetail;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * The one place that writes problem+json: Spring MVC's responses (through {@link ProblemMessageConverter})
 * and the servlet container's own error reports (through {@link ProblemErrorReportValve}) alike.
 * Members in RFC 9457 order, then {@code errors}.
 */
public final class ProblemJsonWriter {

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private ProblemJsonWriter() {
    }

    public static void write(ProblemDetail problem, OutputStream out) {
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            json.writeStartObject();
            json.writeStringProperty("type", problem.getType().toString());
            json.writeStringProperty("title", problem.getTitle());
            json.writeNumberProperty("status", problem.getStatus());
            if (problem.getDetail() != null) {
                json.writeStringProperty("detail", problem.getDetail());
            }
            if (problem.getInstance() != null) {
                json.writeStringProperty("instance", problem.getInstance().toString());
            }
            Map<String, Object> properties = problem.getProperties();
            if (properties != null && properties.get("errors") instanceof List<?> errors) {
                json.writeArrayPropertyStart("errors");
                for (Object error : errors) {
                    Violation violation = (Violation) error;
                    json.writeStartObject();
                    json.writeStringProperty("pointer", violation.pointer());
                    json.writeStringProperty("message", violation.message());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        }
    }
}
