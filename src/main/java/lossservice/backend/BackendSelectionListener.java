package lossservice.backend;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * Chooses the ND4J backend as soon as the configuration is known and before anything touches ND4J
 * (registered in {@code META-INF/spring.factories}, so it runs before the context exists), then
 * hands the decision to the context as a bean. ND4J's backend is process-wide: later contexts in
 * the same JVM keep it.
 */
class BackendSelectionListener implements SmartApplicationListener {

    static final String PROPERTY = "loss.backend";
    private static final ConfigurationPropertyName PROPERTY_NAME = ConfigurationPropertyName.of(PROPERTY);

    private static final Logger log = LoggerFactory.getLogger(BackendSelectionListener.class);

    private BackendDecision decision;

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
        return ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(eventType)
                || ApplicationPreparedEvent.class.isAssignableFrom(eventType);
    }

    @Override
    public int getOrder() {
        // After the configuration files are loaded and logging is initialised.
        return LoggingApplicationListener.DEFAULT_ORDER + 1;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            decide(prepared.getEnvironment());
        } else if (event instanceof ApplicationPreparedEvent prepared) {
            ConfigurableApplicationContext context = prepared.getApplicationContext();
            BackendDecision chosen = decide(context.getEnvironment());
            context.getBeanFactory().registerSingleton("backendDecision", chosen);
            log.info("ND4J backend: {} (requested {}; {})",
                    chosen.backend().wireName(), chosen.requested().wireName(), chosen.reason());
        }
    }

    private synchronized BackendDecision decide(Environment environment) {
        if (decision == null) {
            RequestedBackend requested = requestedBackend(environment);
            ClassLoader classLoader = applicationClassLoader();
            BackendDecision selected = BackendSelector.select(requested,
                    CudaProbe.cudaBackendOnClasspath(classLoader), new CudaProbe(classLoader));
            decision = BackendSelector.reconcile(selected, BackendServiceClassLoader.installedBackend());
            BackendServiceClassLoader.install(decision.backend(), classLoader);
            Nd4jPreloader.start();
        }
        return decision;
    }

    private static RequestedBackend requestedBackend(Environment environment) {
        String value = environment.getProperty(PROPERTY, RequestedBackend.AUTO.wireName());
        return RequestedBackend.fromProperty(value).orElseThrow(() -> new BackendUnavailableException(
                PROPERTY + "=" + value + " is not a backend: use auto, cpu or cuda" + origin(environment),
                "Set " + PROPERTY + " to auto, cpu or cuda (any case)."));
    }

    /** Where the property was set, e.g. " (from System Environment Property \"LOSS_BACKEND\")". */
    private static String origin(Environment environment) {
        if (environment instanceof ConfigurableEnvironment configurable) {
            for (ConfigurationPropertySource source : ConfigurationPropertySources.get(configurable)) {
                ConfigurationProperty property = source.getConfigurationProperty(PROPERTY_NAME);
                if (property != null && property.getOrigin() != null) {
                    return " (from " + property.getOrigin() + ")";
                }
            }
        }
        return "";
    }

    private static ClassLoader applicationClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : BackendSelectionListener.class.getClassLoader();
    }
}
