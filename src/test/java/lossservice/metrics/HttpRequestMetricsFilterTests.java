package lossservice.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.HandlerMapping;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The tags of Spring's HTTP server observation, for every way a request can end. */
class HttpRequestMetricsFilterTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpRequestMetricsFilter filter = new HttpRequestMetricsFilter(registry);

    @Test
    void aMatchedRequestIsTaggedWithItsPatternAndStatus() throws Exception {
        run("POST", (request, response) -> {
            request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, "/v1/losses/{name}");
            ((MockHttpServletResponse) response).setStatus(422);
        });

        assertThat(onlyTimerTags()).isEqualTo(Map.of("error", "none", "exception", "none", "method", "POST",
                "outcome", "CLIENT_ERROR", "status", "422", "uri", "/v1/losses/{name}"));
        assertThat(registry.get(HttpRequestMetricsFilter.TIMER).timer().count()).isEqualTo(1);
    }

    @Test
    void withoutAPatternTheUriSaysHowTheRequestEnded() throws Exception {
        assertThat(uriOf(404)).isEqualTo("NOT_FOUND");
        assertThat(uriOf(302)).isEqualTo("REDIRECTION");
        assertThat(uriOf(400)).isEqualTo("UNKNOWN");
        assertThat(uriOf(200)).isEqualTo("UNKNOWN");
    }

    @Test
    void theEmptyPatternIsRoot() throws Exception {
        run("GET", (request, response) -> request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, ""));

        assertThat(onlyTimerTags()).containsEntry("uri", "root").containsEntry("outcome", "SUCCESS");
    }

    @Test
    void aMethodOutsideHttpsOwnIsUnknown() throws Exception {
        run("BREW", (request, response) -> ((MockHttpServletResponse) response).setStatus(501));

        assertThat(onlyTimerTags()).containsEntry("method", "UNKNOWN").containsEntry("outcome", "SERVER_ERROR");
    }

    @Test
    void anExceptionLeavingTheChainIsCountedAsA500WithItsName() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/losses/cross-entropy");
        MockHttpServletResponse response = new MockHttpServletResponse();
        IllegalStateException cause = new IllegalStateException("broken");

        assertThatThrownBy(() -> filter.doFilter(request, response, (req, res) -> {
            throw new ServletException("wrapped", cause);
        })).isInstanceOf(ServletException.class);

        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(onlyTimerTags()).containsEntry("exception", "IllegalStateException")
                .containsEntry("error", "IllegalStateException").containsEntry("status", "500")
                .containsEntry("outcome", "SERVER_ERROR");
    }

    @Test
    void anErrorTheContainerRecordedNamesTheException() throws Exception {
        run("GET", (request, response) -> {
            request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new UnsupportedOperationException());
            ((MockHttpServletResponse) response).setStatus(503);
        });

        assertThat(onlyTimerTags()).containsEntry("exception", "UnsupportedOperationException")
                .containsEntry("status", "503");
    }

    @Test
    void anAsynchronousRequestIsRecordedWhenItCompletesWithWhatItsLastDispatchSet() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/losses/cross-entropy");
        request.setAsyncSupported(true);
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(request, response, (req, res) -> req.startAsync());
        assertThat(registry.find(HttpRequestMetricsFilter.TIMER).timer()).isNull();
        assertThat(activeRequests()).isEqualTo(1);

        request.setDispatcherType(DispatcherType.ASYNC);
        filter.doFilter(request, response, (req, res) -> {
            req.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, "/v1/losses/{name}");
            ((MockHttpServletResponse) res).setStatus(200);
        });
        assertThat(registry.find(HttpRequestMetricsFilter.TIMER).timer()).isNull();

        request.getAsyncContext().complete();
        assertThat(onlyTimerTags()).containsEntry("uri", "/v1/losses/{name}").containsEntry("status", "200");
        assertThat(registry.get(HttpRequestMetricsFilter.TIMER).timer().count()).isEqualTo(1);
        assertThat(activeRequests()).isZero();
    }

    @Test
    void aRequestIsActiveWhileItIsServed() throws Exception {
        long[] duringTheRequest = new long[1];
        run("POST", (request, response) -> duringTheRequest[0] = activeRequests());

        assertThat(duringTheRequest[0]).isEqualTo(1);
        assertThat(activeRequests()).isZero();
        LongTaskTimer active = registry.get(HttpRequestMetricsFilter.ACTIVE).longTaskTimer();
        assertThat(tags(active.getId().getTags())).isEqualTo(Map.of("exception", "none", "method", "POST",
                "outcome", "SUCCESS", "status", "200", "uri", "UNKNOWN"));
    }

    @Test
    void requestsWithTheSameTagsShareATimer() throws Exception {
        for (int i = 0; i < 3; i++) {
            run("POST", (request, response) ->
                    request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, "/v1/losses/{name}"));
        }
        run("GET", (request, response) ->
                request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, "/v1/losses"));

        assertThat(registry.find(HttpRequestMetricsFilter.TIMER).timers()).hasSize(2);
        assertThat(registry.get(HttpRequestMetricsFilter.TIMER).tag("method", "POST").timer().count()).isEqualTo(3);
    }

    private String uriOf(int status) throws Exception {
        registry.clear();
        run("POST", (request, response) -> ((MockHttpServletResponse) response).setStatus(status));
        return onlyTimerTags().get("uri");
    }

    private void run(String method, FilterChain chain) throws Exception {
        filter.doFilter(new MockHttpServletRequest(method, "/somewhere"), new MockHttpServletResponse(), chain);
    }

    private long activeRequests() {
        LongTaskTimer active = registry.find(HttpRequestMetricsFilter.ACTIVE).longTaskTimer();
        return active == null ? 0 : active.activeTasks();
    }

    private Map<String, String> onlyTimerTags() {
        assertThat(registry.find(HttpRequestMetricsFilter.TIMER).timers()).hasSize(1);
        Timer timer = registry.get(HttpRequestMetricsFilter.TIMER).timer();
        return tags(timer.getId().getTags());
    }

    private static Map<String, String> tags(Iterable<Tag> tags) {
        Map<String, String> map = new TreeMap<>();
        tags.forEach(tag -> map.put(tag.getKey(), tag.getValue()));
        return map;
    }
}
