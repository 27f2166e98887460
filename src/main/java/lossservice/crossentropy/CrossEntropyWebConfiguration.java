package lossservice.crossentropy;

import lossservice.limits.LimitsProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts the streaming cross-entropy codec in front of Spring's generic JSON converter. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LimitsProperties.class)
class CrossEntropyWebConfiguration implements WebMvcConfigurer {

    private final LimitsProperties limits;

    CrossEntropyWebConfiguration(LimitsProperties limits) {
        this.limits = limits;
    }

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.addCustomConverter(new CrossEntropyMessageConverter(new CrossEntropyRequestDecoder(limits)));
    }
}
