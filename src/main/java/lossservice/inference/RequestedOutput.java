package lossservice.inference;

/**
 * An entry of the request's {@code outputs}.
 *
 * @param binaryData  its {@code binary_data} parameter, or null when absent (the request's
 *                    {@code binary_data_output} decides)
 */
public record RequestedOutput(String name, Boolean binaryData) {
}
