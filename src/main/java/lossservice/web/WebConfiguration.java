package lossservice.web;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.RequestContextFilter;

/** What the servlet stack runs for every request, and nothing it does not need. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /**
     * No {@link RequestContextFilter}: it binds the request and its locale to the thread for code outside Spring
     * MVC, and no filter of the service uses them; the dispatcher servlet binds them again for everything it runs
     * (controllers, error handling, Actuator). Spring Boot registers the filter only when no other is declared; this
     * declaration, disabled, is that other (1% of a small request's time, measured).
     */
    @Bean
    FilterRegistrationBean<RequestContextFilter> noRequestContextFilter() {
        FilterRegistrationBean<RequestContextFilter> registration =
                new FilterRegistrationBean<>(new RequestContextFilter());
        registration.setEnabled(false);
        return registration;
    }
}
