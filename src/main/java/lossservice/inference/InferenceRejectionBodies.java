package lossservice.inference;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

import lossservice.limits.RejectionBodies;

/** Requests to {@code /v2} turned away by the request limits get the protocol's {@code {"error": "..."}}. */
@Component
class InferenceRejectionBodies implements RejectionBodies {

    @Override
    public boolean covers(String path) {
        return path.equals("/v2") || path.startsWith("/v2/");
    }

    @Override
    public String contentType() {
        return MediaType.APPLICATION_JSON_VALUE;
    }

    @Override
    public byte[] body(String message) {
        return InferenceResponseWriter.error(message);
    }
}
