package lossservice.crossentropy;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import lossservice.compute.ComputePool;
import lossservice.metrics.LossMetrics;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** The HTTP contract of the cross-entropy endpoint: media types, statuses and problem bodies. */
@WebMvcTest(CrossEntropyController.class)
class CrossEntropyControllerTests {

    private static final String SEED = """
            {"logits": [[0.29657507, 0.37199768, -0.77696386, -0.34608492, -0.97522074, 1.6493007, 0.5288561,
                         0.570293, 1.2381971, -0.42675203],
                        [-0.94538414, -1.0840734, 0.11295679, 0.81490177, -0.28811437, -1.154883, -0.19231182,
                         -0.38785625, 0.2279211, 2.0117142]],
             "targets": [2, 5], "epsilon": 0.1, "numClasses": 10}""";

    @TestConfiguration
    static class LossOnCpu {
        @Bean
        CrossEntropyLoss crossEntropyLoss() {
            return new CrossEntropyLoss("cpu");
        }

        @Bean
        ComputePool computePool() {
            return new ComputePool(1);
        }

        @Bean
        LossMetrics lossMetrics() {
            return new LossMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "cpu");
        }
    }

    @Autowired
    MockMvc mvc;

    @Test
    void answersTheSeedExample() throws Exception {
        mvc.perform(post("/v1/losses/cross-entropy").contentType(MediaType.APPLICATION_JSON).content(SEED))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.loss").value(org.hamcrest.Matchers.closeTo(3.6503466, 1e-5)))
                .andExpect(jsonPath("$.smoothedTargets[0][2]").value(org.hamcrest.Matchers.closeTo(0.91, 1e-6)))
                .andExpect(jsonPath("$.batchSize").value(2))
                .andExpect(jsonPath("$.numClasses").value(10))
                .andExpect(jsonPath("$.epsilon").value(0.1))
                .andExpect(jsonPath("$.reduction").value("mean"))
                .andExpect(jsonPath("$.backend").value("cpu"))
                .andExpect(jsonPath("$.gradient").doesNotExist());
    }

    @Test
    void anUndefinedMeanIsNullNotNaN() throws Exception {
        mvc.perform(post("/v1/losses/cross-entropy").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"logits\": [[1, 2], [3, 4]], \"targets\": [-100, -100], \"include\": [\"gradient\"]}"))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("\"loss\":null")))
                .andExpect(content().string(containsString("\"gradient\":null")))
                .andExpect(content().string(not(containsString("NaN"))));
    }

    @Test
    void invalidInputIs422WithEveryViolation() throws Exception {
        mvc.perform(post("/v1/losses/cross-entropy").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"logits\": [[1, 2], [3, \"NaN\"]], \"targets\": [0, 1], \"epsilon\": -1}"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("tag:loss-service,2026:problems/invalid-request"))
                .andExpect(jsonPath("$.title").value("Invalid request"))
                .andExpect(jsonPath("$.status").value(422))
                .andExpect(jsonPath("$.instance").value("/v1/losses/cross-entropy"))
                .andExpect(jsonPath("$.errors[*].pointer").value(hasItem("/logits/1/1")))
                .andExpect(jsonPath("$.errors[*].pointer").value(hasItem("/epsilon")));
    }

    @Test
    void malformedJsonIs400() throws Exception {
        mvc.perform(post("/v1/losses/cross-entropy").contentType(MediaType.APPLICATION_JSON).content("{\"logits\": [[1,"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("tag:loss-service,2026:problems/malformed-json"));
    }

    @Test
    void anEmptyBodyIs400() throws Exception {
        mvc.perform(post("/v1/losses/cross-entropy").contentType(MediaType.APPLICATION_JSON).content(""))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("tag:loss-service,2026:problems/malformed-json"));
    }

    @Test
    void aBodyThatIsNotJsonIs415() throws Exception {
        mvc.perform(post("/v1/losses/cross-entropy").contentType(MediaType.TEXT_PLAIN).content(SEED))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("tag:loss-service,2026:problems/unsupported-media-type"));
    }

    @Test
    void getIs405WithAllow() throws Exception {
        mvc.perform(get("/v1/losses/cross-entropy"))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(header().string("Allow", "POST"))
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("tag:loss-service,2026:problems/method-not-allowed"));
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        mvc.perform(post("/v1/losses/hinge").contentType(MediaType.APPLICATION_JSON).content(SEED))
                .andExpect(status().isNotFound())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("tag:loss-service,2026:problems/not-found"));
    }

    @Test
    void anUnacceptableAcceptIs406() throws Exception {
        mvc.perform(post("/v1/losses/cross-entropy").contentType(MediaType.APPLICATION_JSON)
                        .accept(MediaType.TEXT_HTML).content(SEED))
                .andExpect(status().isNotAcceptable());
    }

    @Test
    void aResultBeyondFloat32Is422() throws Exception {
        mvc.perform(post("/v1/losses/cross-entropy").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"logits\": [[3e38, -3e38]], \"targets\": [1], \"classWeights\": [3e38, 3e38]}"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("tag:loss-service,2026:problems/result-out-of-range"));
    }
}
