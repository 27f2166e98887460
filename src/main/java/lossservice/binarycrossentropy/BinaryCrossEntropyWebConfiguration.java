package lossservice.binarycrossentropy;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts the streaming binary cross-entropy codec in front of Spring's generic JSON converter. */
@Configuration(proxyBeanMethods = false)
class BinaryCrossEntropyWebConfiguration implements WebMvcConfigurer {

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.addCustomConverter(new BinaryCrossEntropyMessageConverter());
    }
}
