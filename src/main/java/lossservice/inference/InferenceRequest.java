package lossservice.inference;

import java.util.List;

import lossservice.crossentropy.Reduction;

/**
 * An Open Inference Protocol inference request as read from the wire: the tensors with their data, the
 * requested outputs and the request parameters. Parameters that were absent are null.
 *
 * @param numClasses        the optional {@code num_classes} parameter, which must equal C when present
 * @param id                the request's {@code id}, echoed in the response, or null
 * @param outputs           the requested outputs in request order, or null when the request lists none
 * @param binaryDataOutput  the {@code binary_data_output} parameter: the default of every output's
 *                          {@code binary_data}
 */
record InferenceRequest(
        String id,
        List<InputTensor> inputs,
        List<RequestedOutput> outputs,
        Double epsilon,
        Boolean labelSmooth,
        Reduction reduction,
        Long ignoreIndex,
        Long numClasses,
        boolean binaryDataOutput) {
}
