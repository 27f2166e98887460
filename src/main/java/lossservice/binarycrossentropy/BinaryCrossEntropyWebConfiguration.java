package lossservice.binarycrossentropy;

import lossservice.limits.LimitsProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts the streaming binary cross-entropy codec, with the request limits, in front of Spring's generic JSON converter. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LimitsProperties.class)
class BinaryCrossEntropyWebConfiguration implements WebMvcConfigurer {

    private final LimitsProperties limits;

    BinaryCrossEntropyWebConfiguration(LimitsProperties limits) {
        this.limits = limits;
    }

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.addCustomConverter(new BinaryCrossEntropyMessageConverter(new BinaryCrossEntropyRequestDecoder(limits)));
    }
}
