package lossservice.binarycrossentropy;

import java.io.IOException;

import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractHttpMessageConverter;
import org.springframework.util.StreamUtils;

/**
 * Reads {@link BinaryCrossEntropyRequest}s from and writes {@link BinaryCrossEntropyResult}s to HTTP bodies
 * through the streaming decoder and encoder.
 */
final class BinaryCrossEntropyMessageConverter extends AbstractHttpMessageConverter<Object> {

    private final BinaryCrossEntropyRequestDecoder decoder;
    private final BinaryCrossEntropyResultEncoder encoder = new BinaryCrossEntropyResultEncoder();

    BinaryCrossEntropyMessageConverter(BinaryCrossEntropyRequestDecoder decoder) {
        super(MediaType.APPLICATION_JSON);
        this.decoder = decoder;
    }

    @Override
    protected boolean supports(Class<?> clazz) {
        return clazz == BinaryCrossEntropyRequest.class || clazz == BinaryCrossEntropyResult.class;
    }

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
        return clazz == BinaryCrossEntropyRequest.class && canRead(mediaType);
    }

    @Override
    public boolean canWrite(Class<?> clazz, MediaType mediaType) {
        return clazz == BinaryCrossEntropyResult.class && canWrite(mediaType);
    }

    @Override
    protected Object readInternal(Class<?> clazz, HttpInputMessage inputMessage) throws IOException {
        return decoder.decode(inputMessage.getBody());
    }

    @Override
    protected void writeInternal(Object result, HttpOutputMessage outputMessage) throws IOException {
        encoder.encode((BinaryCrossEntropyResult) result, StreamUtils.nonClosing(outputMessage.getBody()));
    }
}
