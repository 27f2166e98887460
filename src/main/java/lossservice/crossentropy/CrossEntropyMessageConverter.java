package lossservice.crossentropy;

import java.io.IOException;

import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractHttpMessageConverter;
import org.springframework.util.StreamUtils;

/**
 * Reads {@link CrossEntropyRequest}s from and writes {@link CrossEntropyResult}s to HTTP bodies through the
 * streaming decoder and encoder, so that no JSON object tree is ever built for the large arrays.
 */
final class CrossEntropyMessageConverter extends AbstractHttpMessageConverter<Object> {

    private final CrossEntropyRequestDecoder decoder;
    private final CrossEntropyResultEncoder encoder = new CrossEntropyResultEncoder();

    CrossEntropyMessageConverter(CrossEntropyRequestDecoder decoder) {
        super(MediaType.APPLICATION_JSON);
        this.decoder = decoder;
    }

    @Override
    protected boolean supports(Class<?> clazz) {
        return clazz == CrossEntropyRequest.class || clazz == CrossEntropyResult.class;
    }

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
        return clazz == CrossEntropyRequest.class && canRead(mediaType);
    }

    @Override
    public boolean canWrite(Class<?> clazz, MediaType mediaType) {
        return clazz == CrossEntropyResult.class && canWrite(mediaType);
    }

    @Override
    protected Object readInternal(Class<?> clazz, HttpInputMessage inputMessage) throws IOException {
        return decoder.decode(inputMessage.getBody());
    }

    @Override
    protected void writeInternal(Object result, HttpOutputMessage outputMessage) throws IOException {
        encoder.encode((CrossEntropyResult) result, StreamUtils.nonClosing(outputMessage.getBody()));
    }
}
