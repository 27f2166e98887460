package lossservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * One version string for the whole release: the project's (which the service reports in {@code GET /v2} and in
 * its OpenAPI document), the chart's version and appVersion (the image tag the chart deploys), the committed
 * {@code openapi.yaml} and the image tags the Dockerfile's usage lines build.
 */
class ReleaseVersionTests {

    @Test
    void theChartTheSpecAndTheImageCarryTheProjectVersion() throws Exception {
        String project = projectVersion();
        assertThat(project).as("a release version, no -SNAPSHOT").matches("\\d+\\.\\d+\\.\\d+");

        Map<String, Object> chart = yaml(HelmChartTests.CHART.resolve("Chart.yaml"));
        assertThat(chart.get("version")).hasToString(project);
        assertThat(chart.get("appVersion")).hasToString(project);

        Map<String, Object> spec = yaml(Path.of("openapi.yaml"));
        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) spec.get("info");
        assertThat(info.get("version")).hasToString(project);

        Matcher tags = Pattern.compile("loss-service:([0-9A-Za-z.\\-]+)").matcher(Files.readString(Path.of("Dockerfile")));
        int found = 0;
        while (tags.find()) {
            assertThat(tags.group(1)).startsWith(project);
            found++;
        }
        assertThat(found).as("image tags in the Dockerfile's usage lines").isPositive();
    }

    /** The web-stack ceiling of the benchmarks (bench/mvc-ceiling) is built on the service's own Spring Boot. */
    @Test
    void theBenchmarkCeilingUsesTheServicesSpringBoot() throws Exception {
        String service = evaluate(Path.of("pom.xml"), "/project/parent/version");
        assertThat(service).isNotBlank();
        assertThat(evaluate(Path.of("bench/mvc-ceiling/pom.xml"), "/project/parent/version")).isEqualTo(service);
    }

    private static String projectVersion() throws Exception {
        return evaluate(Path.of("pom.xml"), "/project/version");
    }

    private static String evaluate(Path xml, String expression) throws Exception {
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        return XPathFactory.newInstance().newXPath().evaluate(expression, document).trim();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws Exception {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }
}
