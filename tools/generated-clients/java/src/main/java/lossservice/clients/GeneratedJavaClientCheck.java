package lossservice.clients;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.api.LossesApi;
import org.openapitools.client.model.Problem;
import org.openapitools.client.model.Violation;

/**
 * Calls every loss of openapi.yaml through the Java client OpenAPI Generator made from it (default options, library
 * native), with the first example of each {@code POST /v1/losses/...} operation, and checks the answer against the
 * documented one; then one invalid request, whose problem details are read through the client's {@code Problem}.
 * Losses are found in the document, and their request classes and methods by the generator's naming, so that a loss
 * added to the catalogue is called without changing this class.
 *
 * <p>Usage: {@code GeneratedJavaClientCheck <base URL> <openapi.yaml>}; exits non-zero on any failure.
 */
public final class GeneratedJavaClientCheck {

    private static final String MODELS = "org.openapitools.client.model.";

    public static void main(String[] args) throws Exception {
        ApiClient client = new ApiClient();
        client.updateBaseUri(args[0]);
        JsonNode document = new ObjectMapper(new YAMLFactory()).readTree(new File(args[1]));
        LossesApi api = new LossesApi(client);
        ObjectMapper mapper = client.getObjectMapper();
        int passed = 0;
        List<String> failures = new ArrayList<>();

        JsonNode firstExample = null;
        String firstOperation = null;
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            JsonNode operation = path.getValue().get("post");
            if (!path.getKey().startsWith("/v1/losses/") || operation == null) {
                continue;
            }
            String operationId = operation.get("operationId").asText();
            JsonNode json = operation.at("/requestBody/content/application~1json");
            Map.Entry<String, JsonNode> example = json.get("examples").fields().next();
            JsonNode documented = operation.at("/responses/200/content/application~1json/examples/"
                    + example.getKey() + "/value");
            Class<?> requestClass = Class.forName(MODELS + schemaName(json.get("schema")));
            Object request = mapper.treeToValue(example.getValue().get("value"), requestClass);
            try {
                Method method = LossesApi.class.getMethod(operationId, requestClass);
                Object response = method.invoke(api, request);
                BigDecimal loss = (BigDecimal) response.getClass().getMethod("getLoss").invoke(response);
                List<String> differences = new ArrayList<>();
                compare("", documented, mapper.valueToTree(response), differences);
                if (loss == null || loss.doubleValue() != documented.get("loss").doubleValue()
                        || !differences.isEmpty()) {
                    failures.add(path.getKey() + " " + example.getKey() + ": loss " + loss + ", documented "
                            + documented.get("loss") + "; differences " + differences);
                } else {
                    passed++;
                    System.out.printf("java  %-40s %-28s loss %s (as documented)%n", path.getKey(),
                            example.getKey(), loss);
                }
            } catch (InvocationTargetException e) {
                failures.add(path.getKey() + " " + example.getKey() + ": " + describe(e.getCause()));
            }
            if (firstExample == null) {
                firstExample = example.getValue().get("value");
                firstOperation = operationId;
            }
        }

        // One invalid request: the first example with its first array ragged, answered 422 with every violation.
        ObjectNode invalid = firstExample.deepCopy();
        String field = invalid.fieldNames().next();
        invalid.set(field, mapper.readTree("[[0.5, 1.0], [2.0]]"));
        for (Method method : LossesApi.class.getMethods()) {
            if (method.getName().equals(firstOperation) && method.getParameterCount() == 1) {
                Class<?> requestClass = method.getParameterTypes()[0];
                try {
                    method.invoke(api, mapper.treeToValue(invalid, requestClass));
                    failures.add("422: the ragged /" + field + " was answered 2xx");
                } catch (InvocationTargetException e) {
                    String problem = checkProblem(e.getCause(), mapper, "/" + field + "/1");
                    if (problem.startsWith("ok")) {
                        passed++;
                        System.out.println("java  422 read through the client: " + problem.substring(3));
                    } else {
                        failures.add("422: " + problem);
                    }
                }
            }
        }

        failures.forEach(failure -> System.out.println("java  FAILED " + failure));
        System.out.printf("java client: %d passed, %d failed%n", passed, failures.size());
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** The problem details of a 422, read with the generated {@code Problem} model; "ok ..." when as expected. */
    private static String checkProblem(Throwable thrown, ObjectMapper mapper, String pointer) throws Exception {
        if (!(thrown instanceof ApiException e)) {
            return describe(thrown);
        }
        Problem problem = mapper.readValue(e.getResponseBody(), Problem.class);
        List<String> pointers = problem.getErrors() == null ? List.of()
                : problem.getErrors().stream().map(Violation::getPointer).toList();
        boolean expected = e.getCode() == 422 && Integer.valueOf(422).equals(problem.getStatus())
                && "tag:loss-service,2026:problems/invalid-request".equals(String.valueOf(problem.getType()))
                && pointers.contains(pointer) && problem.getErrors().stream().allMatch(v -> v.getMessage() != null);
        String read = "status " + problem.getStatus() + ", type " + problem.getType() + ", errors "
                + problem.getErrors().stream().map(v -> v.getPointer() + ": " + v.getMessage()).toList();
        return (expected ? "ok " : "unexpected (HTTP " + e.getCode() + ") ") + read;
    }

    private static String schemaName(JsonNode schema) {
        String reference = schema.get("$ref").asText();
        return reference.substring(reference.lastIndexOf('/') + 1);
    }

    /** Every place where the answer read by the client differs from the documented one (numbers by value). */
    private static void compare(String at, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected.isNumber() && actual.isNumber()) {
            if (expected.doubleValue() != actual.doubleValue()) {
                differences.add(at + ": " + actual + " instead of " + expected);
            }
        } else if (expected.isContainerNode() && actual.isContainerNode() && expected.size() == actual.size()
                && expected.isArray() == actual.isArray()) {
            if (expected.isArray()) {
                for (int i = 0; i < expected.size(); i++) {
                    compare(at + "/" + i, expected.get(i), actual.get(i), differences);
                }
            } else {
                for (Iterator<String> names = expected.fieldNames(); names.hasNext();) {
                    String name = names.next();
                    if (!actual.has(name)) {
                        differences.add(at + "/" + name + ": missing");
                    } else {
                        compare(at + "/" + name, expected.get(name), actual.get(name), differences);
                    }
                }
            }
        } else if (!expected.equals(actual)) {
            differences.add(at + ": " + actual + " instead of " + expected);
        }
    }

    private static String describe(Throwable thrown) {
        return thrown instanceof ApiException e ? "HTTP " + e.getCode() + " " + e.getResponseBody()
                : thrown.toString();
    }
}
