package lossservice.problem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.AbstractHttpMessageConverter;

/** Writes Spring MVC's {@link ProblemDetail} bodies with {@link ProblemJsonWriter}. */
final class ProblemMessageConverter extends AbstractHttpMessageConverter<ProblemDetail> {

    ProblemMessageConverter() {
        super(MediaType.APPLICATION_PROBLEM_JSON, MediaType.APPLICATION_JSON);
    }

    @Override
    protected boolean supports(Class<?> clazz) {
        return ProblemDetail.class.isAssignableFrom(clazz);
    }

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
        return false;
    }

    @Override
    protected ProblemDetail readInternal(Class<? extends ProblemDetail> clazz, HttpInputMessage inputMessage) {
        throw new UnsupportedOperationException("problem details are only written");
    }

    @Override
    protected void writeInternal(ProblemDetail problem, HttpOutputMessage outputMessage) throws IOException {
        // With a Content-Length the answer is complete for the client even if the connection stays busy
        // afterwards (Tomcat discarding the rest of a request body).
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ProblemJsonWriter.write(problem, body);
        outputMessage.getHeaders().setContentLength(body.size());
        body.writeTo(outputMessage.getBody());
    }
}
