package lossservice;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Contact;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.servers.Server;
import io.swagger.v3.oas.models.media.Schema;

/**
 * The top of the OpenAPI document served at {@code /v3/api-docs}; the operations are described on their
 * controllers. {@code openapi.yaml} at the root of the project is the committed copy of that document.
 */
@OpenAPIDefinition(info = @Info(title = "loss-service", version = "from the build",
        contact = @Contact(name = "loss-service", url = "https://github.com/loss-service/loss-service"),
        license = @License(name = "Apache-2.0", identifier = "Apache-2.0"),
        description = """
        Losses on demand, computed with ND4J exactly as PyTorch (or torchvision) computes them: cross-entropy with \
        label smoothing (`torch.nn.functional.cross_entropy`), binary cross-entropy on logits, and the catalogue \
        `GET /v1/losses` lists, each with its gradient and the arrays a training or evaluation job needs.

        Every loss is served the same way: `POST /v1/losses/{name}` with JSON arrays, and the Open Inference \
        Protocol (KServe V2) model `{name}` with JSON or binary tensors (and the same protocol over gRPC, on its own \
        port, outside this document). Every error of the JSON endpoints is \
        `application/problem+json` (RFC 9457) with a stable `type` URI per kind of error; invalid input is \
        answered 422 with every violation and its JSON pointer in `errors`.

        Swagger UI: `/swagger-ui.html`. This document: `/v3/api-docs` (`/v3/api-docs.yaml`). Health: \
        `/actuator/health` (groups `liveness` and `readiness`).

        The service asks for no credentials (`security: []`); where callers are not trusted, serve it behind a \
        gateway that authenticates them."""),
        servers = @Server(url = "/", description = """
                The service that serves this document (the URL is relative to it), as Swagger UI calls it. A \
                generated client takes its base URL as a setting."""))
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    /**
     * No operation asks for credentials: said explicitly ({@code security: []}) rather than by saying nothing.
     */
    @Bean
    OpenApiCustomizer noSecurity() {
        return openApi -> openApi.setSecurity(new ArrayList<>());
    }

    /**
     * In OpenAPI 3.1 documents swagger-core (2.2.47) writes a decimal default such as
     * {@code @Schema(defaultValue = "0.1")} as the string "0.1": its {@code JsonSchema.cast} parses integers
     * only. This turns the defaults of number schemas back into numbers.
     */
    @Bean
    OpenApiCustomizer numericDefaults() {
        return openApi -> {
            if (openApi.getComponents() != null && openApi.getComponents().getSchemas() != null) {
                openApi.getComponents().getSchemas().values().forEach(OpenApiConfiguration::numericDefaults);
            }
        };
    }

    private static void numericDefaults(Schema<?> schema) {
        if (schema == null) {
            return;
        }
        if (schema.getDefault() instanceof String text && schema.getTypes() != null
                && schema.getTypes().contains("number")) {
            schema.setDefault(new BigDecimal(text));
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(OpenApiConfiguration::numericDefaults);
        }
        numericDefaults(schema.getItems());
        Stream.of(schema.getOneOf(), schema.getAnyOf(), schema.getAllOf())
                .filter(Objects::nonNull)
                .flatMap(List::stream)
                .forEach(OpenApiConfiguration::numericDefaults);
    }
}
