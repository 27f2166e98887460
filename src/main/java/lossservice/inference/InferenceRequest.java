package lossservice.inference;

import java.util.List;
import java.util.Map;

import lossservice.loss.RawScalar;
import lossservice.problem.Violations;

/**
 * An Open Inference Protocol inference request as read from the wire: the tensors with their data, the
 * requested outputs and the request parameters as sent.
 *
 * @param id                the request's {@code id}, echoed in the response, or null
 * @param outputs           the requested outputs in request order, or null when the request lists none
 * @param parameters        every request parameter but the protocol's own, by name, for the loss to judge
 * @param binaryDataOutput  the {@code binary_data_output} parameter: the default of every output's
 *                          {@code binary_data}
 * @param dataViolations    what values of the inputs' data break, found as they were read (their places hold 0):
 *                          listed with what the loss's rules find
 */
public record InferenceRequest(
        String id,
        List<InputTensor> inputs,
        List<RequestedOutput> outputs,
        Map<String, RawScalar> parameters,
        boolean binaryDataOutput,
        Violations dataViolations) {
}
