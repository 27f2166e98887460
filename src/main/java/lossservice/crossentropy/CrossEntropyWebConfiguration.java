package lossservice.crossentropy;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts the streaming cross-entropy codec in front of Spring's generic JSON converter. */
@Configuration(proxyBeanMethods = false)
class CrossEntropyWebConfiguration implements WebMvcConfigurer {

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.addCustomConverter(new CrossEntropyMessageConverter());
    }
}
