package lossservice.loss;

/**
 * A request that shows a loss at work, for the OpenAPI document and Swagger UI, with the answer the service
 * gives it (a test keeps the two in agreement).
 *
 * @param name      a short identifier ("seed")
 * @param summary   one line
 * @param request   the JSON request body
 * @param response  the JSON response body, or null
 */
public record Example(String name, String summary, String description, String request, String response) {
}
