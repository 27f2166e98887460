package lossservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * The Helm chart in helm/loss-service, linted and rendered by Helm itself (helm-java embeds Helm as a
 * native library) and every rendered manifest parsed with fabric8's Kubernetes model, which must know
 * every field: a misspelt or misplaced field would be dropped silently by the API server.
 */
class HelmChartTests {

    static final Path CHART = Path.of("helm", "loss-service");
    static final Path GPU_VALUES = CHART.resolve("ci/gpu-values.yaml");
    static final Path AUTOSCALING_VALUES = CHART.resolve("ci/autoscaling-values.yaml");
    static final String RELEASE = "loss";
    static final String FULL_NAME = "loss-loss-service";
    /** Helm's offline default (1.20) predates the chart's kubeVersion; render for a current cluster. */
    static final String KUBERNETES_VERSION = "v1.30.0";

    @Test
    void lintStrictReportsNothing() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).filteredOn(message -> !message.contains("[INFO]")).isEmpty();
    }

    @Test
    void defaultValuesRenderAHardenedCpuDeployment() {
        RenderedChart chart = render(UnaryOperator.identity());

        assertThat(chart.kinds()).containsExactlyInAnyOrder(
                "ServiceAccount", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget");

        Deployment deployment = chart.one(Deployment.class);
        assertThat(deployment.getMetadata().getName()).isEqualTo(FULL_NAME);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = onlyContainer(pod);
        assertThat(container.getImage()).isEqualTo("loss-service:0.1.0");

        assertHttpProbe(container.getStartupProbe(), "/actuator/health/liveness");
        assertHttpProbe(container.getLivenessProbe(), "/actuator/health/liveness");
        assertHttpProbe(container.getReadinessProbe(), "/actuator/health/readiness");
        assertThat(container.getStartupProbe().getPeriodSeconds() * container.getStartupProbe().getFailureThreshold())
                .as("seconds the startup probe allows for ND4J to load and warm up").isGreaterThanOrEqualTo(120);
        assertThat(container.getPorts().get(0).getName()).isEqualTo("http");
        assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8080);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();

        // The read-only root file system leaves JavaCPP's cache and /tmp on emptyDir volumes.
        assertThat(emptyDirMountPaths(pod, container)).containsExactlyInAnyOrder("/var/cache/javacpp", "/tmp");

        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertThat(requests).containsKeys("cpu", "memory");
        assertThat(limits).containsKeys("cpu", "memory").doesNotContainKey("nvidia.com/gpu");
        assertThat(Quantity.getAmountInBytes(limits.get("memory")))
                .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(requests.get("memory")));
        assertThat(env(container, "JDK_JAVA_OPTIONS")).contains("-XX:MaxRAMPercentage=40",
                "-Dorg.bytedeco.javacpp.maxbytes=50%", "-Dorg.bytedeco.javacpp.maxphysicalbytes=210%");

        assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "10");
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(10L);
        assertThat(pod.getNodeSelector()).isNullOrEmpty();
        assertThat(pod.getTolerations()).isNullOrEmpty();

        assertThat(applicationProperties(chart)).contains("loss.backend=cpu\n", "loss.compute.threads=0\n");
        assertThat(env(container, "SPRING_CONFIG_ADDITIONAL_LOCATION")).isEqualTo("optional:file:/etc/loss-service/");
        assertThat(container.getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getMountPath()).isEqualTo("/etc/loss-service");
            assertThat(mount.getReadOnly()).isTrue();
        });

        Service service = chart.one(Service.class);
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "loss-service", "app.kubernetes.io/instance", RELEASE));
        assertThat(service.getSpec().getPorts()).extracting(port -> port.getName() + " " + port.getPort() + " -> "
                + port.getTargetPort().getStrVal() + " " + port.getAppProtocol())
                .containsExactly("http 8080 -> http null", "grpc 8081 -> grpc grpc");
        assertThat(container.getPorts()).extracting(port -> port.getName() + " " + port.getContainerPort())
                .containsExactly("http 8080", "grpc 8081");
        assertThat(applicationProperties(chart)).contains("loss.grpc.enabled=true\n", "loss.grpc.port=8081\n");

        PodDisruptionBudget budget = chart.one(PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

        assertThat(chart.one(ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void helmTestPodPostsTheSeedExampleToTheService(@TempDir Path copy) throws IOException {
        Pod test = renderTestPod(copy, UnaryOperator.identity());

        assertThat(test.getMetadata().getAnnotations()).containsEntry("chart-tests/hook", "test");
        assertThat(test.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        String script = String.join(" ", onlyContainer(test.getSpec()).getCommand());
        assertThat(script)
                .contains("http://" + FULL_NAME + ":8080/v1/losses/cross-entropy")
                .contains("\"targets\":[2,5]")
                .contains("3.650347");
    }

    @Test
    void gpuValuesRequestAGpuOnGpuNodesWithTheCudaImageAndBackend() {
        RenderedChart chart = render(template -> template.withValuesFile(GPU_VALUES));

        PodSpec pod = chart.one(Deployment.class).getSpec().getTemplate().getSpec();
        Container container = onlyContainer(pod);
        assertThat(container.getImage()).isEqualTo("loss-service:0.1.0-cuda");
        assertThat(container.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"))
                .containsKeys("cpu", "memory");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).extracting(Toleration::getKey, Toleration::getOperator, Toleration::getEffect)
                .contains(org.assertj.core.groups.Tuple.tuple("nvidia.com/gpu", "Exists", "NoSchedule"));
        assertThat(applicationProperties(chart)).contains("loss.backend=cuda\n").doesNotContain("loss.backend=cpu");
        // Hardening does not depend on the backend.
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(emptyDirMountPaths(pod, container)).containsExactlyInAnyOrder("/var/cache/javacpp", "/tmp");
    }

    @Test
    void autoscalingValuesHandTheReplicaCountToAnAutoscalingV2Hpa() {
        RenderedChart chart = render(template -> template.withValuesFile(AUTOSCALING_VALUES));

        Deployment deployment = chart.one(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).as("replicas left to the autoscaler").isNull();

        HorizontalPodAutoscaler autoscaler = chart.one(HorizontalPodAutoscaler.class);
        assertThat(autoscaler.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(autoscaler.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(autoscaler.getSpec().getMaxReplicas()).isEqualTo(8);
        assertThat(autoscaler.getSpec().getMetrics())
                .extracting(metric -> metric.getResource().getName() + "="
                        + metric.getResource().getTarget().getAverageUtilization())
                .containsExactly("cpu=70", "memory=85");
        // Utilisation is relative to the requests, so the container must have them.
        assertThat(onlyContainer(deployment.getSpec().getTemplate().getSpec()).getResources().getRequests())
                .containsKeys("cpu", "memory");

        GenericKubernetesResource monitor = chart.all(GenericKubernetesResource.class).stream()
                .filter(resource -> resource.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.<String>get("spec", "endpoints", 0, "port")).isEqualTo("http");
        assertThat(monitor.<Map<String, Object>>get("spec", "selector", "matchLabels"))
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void extraLossPropertiesReachTheConfigMap() {
        RenderedChart chart = render(template -> template
                .set("loss.extraProperties.loss\\.some\\.setting", "42")
                .set("loss.compute.threads", 3));

        assertThat(applicationProperties(chart)).contains("loss.compute.threads=3\n", "loss.some.setting=42\n");
    }

    @Test
    void grpcCanBeTurnedOffAndItsPortIsValidated() {
        RenderedChart chart = render(template -> template.set("service.grpc.enabled", false));

        assertThat(chart.one(Service.class).getSpec().getPorts()).extracting(port -> port.getName())
                .containsExactly("http");
        assertThat(applicationProperties(chart)).contains("loss.grpc.enabled=false\n");
        assertThatThrownBy(() -> render(template -> template.set("service.grpc.port", 70000)))
                .hasMessageContaining("port");
    }

    @Test
    void valuesSchemaRejectsAnUnknownBackendAndMisspeltKeys() {
        assertThatThrownBy(() -> render(template -> template.set("loss.backend", "tpu")))
                .hasMessageContaining("backend");
        assertThatThrownBy(() -> render(template -> template.set("replicaCount", "two")))
                .hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> render(template -> template.set("autoscalling.enabled", true)))
                .hasMessageContaining("autoscalling");
    }

    @Test
    void chartAgreesWithTheImage() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        PodSpec pod = render(UnaryOperator.identity()).one(Deployment.class).getSpec().getTemplate().getSpec();
        Container container = onlyContainer(pod);

        // The pod's user is the image's, its emptyDir is where the image points JavaCPP's cache, its
        // port is the one the image exposes, and its JVM options replace the image's with the same flags.
        assertThat(dockerfile).containsPattern("(?m)^USER " + pod.getSecurityContext().getRunAsUser() + ":")
                .containsPattern("(?m)^EXPOSE " + container.getPorts().get(0).getContainerPort() + " "
                        + container.getPorts().get(1).getContainerPort() + "$")
                .contains("-Dorg.bytedeco.javacpp.cachedir=/var/cache/javacpp")
                .contains("-XX:MaxRAMPercentage=40 -Dorg.bytedeco.javacpp.maxbytes=50% "
                        + "-Dorg.bytedeco.javacpp.maxphysicalbytes=210%");
        assertThat(emptyDirMountPaths(pod, container)).contains("/var/cache/javacpp");
    }

    @Test
    void unknownFieldCheckFindsAFieldTheModelDoesNotKnow() {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                    - name: c
                      image: i
                      livenessProbe:
                        httpGet: {path: /, port: 8080}
                        periodSecond: 5
                """;
        Object parsed = new KubernetesSerialization().unmarshal(manifest);

        assertThat(UnknownFields.in(parsed)).containsExactly("spec.containers[0].livenessProbe.periodSecond");
    }

    static RenderedChart render(UnaryOperator<TemplateCommand> values) {
        String yaml = values.apply(new Helm(CHART).template()
                .withName(RELEASE).withNamespace("default").withKubeVersion(KUBERNETES_VERSION)).call();
        return RenderedChart.parse(yaml);
    }

    /**
     * The helm test pod. helm template (as helm-java runs it) leaves hooks out, so this renders a copy of
     * the chart (in {@code copy}) whose test pod carries its hook annotation under another name,
     * chart-tests/hook, and so renders as a plain manifest.
     */
    static Pod renderTestPod(Path copy, UnaryOperator<TemplateCommand> values) throws IOException {
        FileSystemUtils.copyRecursively(CHART, copy);
        Path testPod = copy.resolve("templates/tests/seed-example.yaml");
        String source = Files.readString(testPod);
        assertThat(source).contains("helm.sh/hook: test");
        Files.writeString(testPod, source.replace("helm.sh/hook", "chart-tests/hook"));
        return RenderedChart.parse(values.apply(new Helm(copy).template()
                .withName(RELEASE).withNamespace("default").withKubeVersion(KUBERNETES_VERSION)).call())
                .one(Pod.class);
    }

    static Container onlyContainer(PodSpec pod) {
        assertThat(pod.getContainers()).hasSize(1);
        return pod.getContainers().get(0);
    }

    static void assertHttpProbe(Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(probe.getPeriodSeconds()).isPositive();
        assertThat(probe.getFailureThreshold()).isPositive();
    }

    static List<String> emptyDirMountPaths(PodSpec pod, Container container) {
        List<String> emptyDirs = pod.getVolumes().stream()
                .filter(volume -> volume.getEmptyDir() != null).map(Volume::getName).toList();
        return container.getVolumeMounts().stream()
                .filter(mount -> emptyDirs.contains(mount.getName())).map(VolumeMount::getMountPath).toList();
    }

    static String env(Container container, String name) {
        return container.getEnv().stream().filter(variable -> variable.getName().equals(name))
                .map(EnvVar::getValue).findFirst().orElseThrow(() -> new AssertionError("no env " + name));
    }

    static String applicationProperties(RenderedChart chart) {
        return Optional.ofNullable(chart.one(ConfigMap.class).getData().get("application.properties"))
                .orElseThrow(() -> new AssertionError("ConfigMap without application.properties"));
    }

    /** The documents of `helm template`, each parsed and checked for fields the Kubernetes model lacks. */
    record RenderedChart(List<HasMetadata> resources) {

        static RenderedChart parse(String yaml) {
            KubernetesSerialization serialization = new KubernetesSerialization();
            List<HasMetadata> resources = new ArrayList<>();
            for (String document : yaml.split("(?m)^---\\s*$")) {
                if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                    continue;
                }
                HasMetadata resource = serialization.unmarshal(document, HasMetadata.class);
                if (!(resource instanceof GenericKubernetesResource)) {
                    // Kinds the model knows must use only fields it knows; custom resources (the
                    // ServiceMonitor) are all "unknown" to it and are checked by their own assertions.
                    assertThat(UnknownFields.in(resource))
                            .as("fields unknown to Kubernetes in %s %s", resource.getKind(), resource.getMetadata().getName())
                            .isEmpty();
                }
                resources.add(resource);
            }
            return new RenderedChart(resources);
        }

        List<String> kinds() {
            return resources.stream().map(HasMetadata::getKind).toList();
        }

        <T> List<T> all(Class<T> type) {
            return resources.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T> T one(Class<T> type) {
            List<T> matching = all(type);
            assertThat(matching).as("rendered %s", type.getSimpleName()).hasSize(1);
            return matching.get(0);
        }
    }
}
