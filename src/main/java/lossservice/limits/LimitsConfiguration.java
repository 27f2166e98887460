package lossservice.limits;

import java.util.EnumSet;

import lossservice.metrics.LossMetrics;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerMapping;

import jakarta.servlet.DispatcherType;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LimitsProperties.class)
class LimitsConfiguration {

    @Bean
    Admission admission(LimitsProperties limits) {
        return Admission.from(limits);
    }

    @Bean
    BodyMemory bodyMemory(LimitsProperties limits) {
        return new BodyMemory(limits.maxBufferedBytes().toBytes());
    }

    /** The deadline of the request a thread serves, for the compute pool ({@code compute.CurrentDeadline}). */
    @Bean
    RequestDeadlines requestDeadlines() {
        return new RequestDeadlines();
    }

    /**
     * Early in the chain, but inside the filter that times every request ({@code metrics.HttpRequestMetricsFilter},
     * {@code HIGHEST_PRECEDENCE + 1}), so that requests turned away here still appear in
     * {@code http_server_requests_seconds}. Also on the asynchronous dispatch that follows a body read without
     * blocking.
     */
    @Bean
    FilterRegistrationBean<RequestLimitsFilter> requestLimitsFilter(LimitsProperties limits, Admission admission,
            BodyMemory bodyMemory, RequestDeadlines requestDeadlines, LossMetrics metrics,
            ObjectProvider<RejectionBodies> rejectionBodies, ObjectProvider<HandlerMapping> handlerMappings) {
        FilterRegistrationBean<RequestLimitsFilter> registration = new FilterRegistrationBean<>(
                new RequestLimitsFilter(limits, admission, bodyMemory, requestDeadlines, metrics,
                        rejectionBodies.orderedStream().toList(), new HeadRefusals(handlerMappings)));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        registration.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        registration.setAsyncSupported(true);
        return registration;
    }

    /**
     * Tomcat's part: {@code 100 Continue} only when the service decides to read a body (never before a refusal
     * decided from the head), and {@link TomcatConnectionValve}, which closes connections instead of swallowing the
     * bodies nobody read.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> tomcatConnectionControl() {
        return factory -> {
            factory.addEngineValves(new TomcatConnectionValve());
            factory.addConnectorCustomizers(connector -> {
                if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http11) {
                    http11.setContinueResponseTiming("onRead");
                }
            });
        };
    }
}
