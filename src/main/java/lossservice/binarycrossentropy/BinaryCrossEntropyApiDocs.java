package lossservice.binarycrossentropy;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.AdditionalPropertiesValue;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/**
 * POST /v1/losses/binary-cross-entropy as the OpenAPI document describes it. As for cross-entropy, the Java
 * types of the endpoint are not wire-shaped, so the JSON shapes are described here; these types are never
 * instantiated.
 */
final class BinaryCrossEntropyApiDocs {

    private BinaryCrossEntropyApiDocs() {
    }

    static final String SUMMARY = "Binary cross-entropy on logits with label smoothing";

    static final String DESCRIPTION = """
            Computes `torch.nn.functional.binary_cross_entropy_with_logits(logits, t', weight=classWeights, \
            pos_weight=posWeight, reduction=reduction)` on the smoothed targets \
            `t' = targets * (1 - epsilon) + epsilon / 2` (Keras' `label_smoothing`: towards 0.5), with ND4J in \
            float32 (default) or float64 (`dtype`).

            **Element loss.** `l = w * (pw * t' * softplus(-x) + (1 - t') * softplus(x))`, with `pw` = \
            `posWeight` and `w` = `classWeights` taken at the element's position in the last dimension (both 1 \
            when absent). The form used is stable for logits of +-1e4.

            **Reduction.** `mean` divides the sum of the element losses by the number of elements, weights or \
            not (a weight of 0 still counts); `sum` adds them; `none` returns `elementLoss` and a `null` loss.

            **Gradient.** d loss / d logits for the requested reduction (for `none`, of the sum): \
            `w * ((1 + (pw - 1) * t') * sigmoid(x) - pw * t')`, divided by the element count for `mean`.

            No number in a response is NaN or infinite: results that would overflow the dtype are answered 422 \
            (`result-out-of-range`).""";

    static final String RESPONSE_200 = "The loss, and the arrays `include` asked for, in the logits' shape.";

    static final String MULTI_LABEL_EXAMPLE = """
            {
              "logits": [[2.0, -1.0, 0.5], [-0.3, 1.2, -2.5]],
              "targets": [[1, 0, 1], [0, 1, 0]],
              "epsilon": 0.1,
              "include": ["smoothedTargets", "elementLoss"]
            }""";

    static final String MULTI_LABEL_EXAMPLE_DESCRIPTION = """
            Two samples with three labels each, targets 0/1 smoothed towards 0.5 by epsilon 0.1 (to 0.05 and \
            0.95); the mean over the six elements.""";

    static final String WEIGHTS_EXAMPLE = """
            {
              "logits": [[[1.5, -0.5], [0.2, 3.0]], [[-1.0, 0.0], [2.2, -4.0]]],
              "targets": [[[1, 0], [0.25, 1]], [[0, 0], [1, 0]]],
              "posWeight": [3.0, 1.0],
              "classWeights": [1.0, 0.5],
              "reduction": "sum",
              "dtype": "float64",
              "include": ["probabilities", "gradient"]
            }""";

    static final String WEIGHTS_EXAMPLE_DESCRIPTION = """
            A 2 x 2 x 2 tensor with positive weights and weights along the last dimension, summed, in float64, \
            with the sigmoid and the gradient.""";

    static final String RESPONSE_EXAMPLE = """
            {
              "loss": 0.36429903,
              "elementLoss": [[0.22692801, 0.3632617, 0.499077], [0.56935525, 0.32328245, 0.20388973]],
              "smoothedTargets": [[0.95, 0.05, 0.95], [0.05, 0.95, 0.05]],
              "shape": [2, 3],
              "epsilon": 0.1,
              "reduction": "mean",
              "dtype": "float32",
              "backend": "cpu"
            }""";

    static final String UNPROCESSABLE = """
            Well-formed JSON that breaks a rule of the request schema: ragged or empty arrays, targets of another \
            shape or outside [0, 1], wrong types, strings such as "NaN", numbers beyond the dtype (1e39 in \
            float32, 1e400 always), `posWeight` or `classWeights` of another length than the last dimension or \
            negative, epsilon outside [0, 1], unknown `reduction`, `include` or `dtype` values, unknown or \
            repeated fields. Type `tag:loss-service,2026:problems/invalid-request`, whose `errors` list every \
            violation with its JSON pointer. Type `tag:loss-service,2026:problems/result-out-of-range` when the \
            inputs are valid but a result would overflow the dtype.""";

    static final String INVALID_REQUEST_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/invalid-request",
              "title": "Invalid request",
              "status": 422,
              "detail": "The request breaks 2 rules; see errors.",
              "instance": "/v1/losses/binary-cross-entropy",
              "errors": [
                {"pointer": "/targets/1/0", "message": "a target must be in [0, 1], found 1.5"},
                {"pointer": "/posWeight", "message": "expected 3 weights (one per position of the last dimension of the logits), found 2"}
              ]
            }""";

    @Schema(name = "BinaryCrossEntropyRequest", additionalProperties = AdditionalPropertiesValue.FALSE,
            description = """
                    The inputs of `torch.nn.functional.binary_cross_entropy_with_logits` and the label smoothing. \
                    Fields may come in any order; an optional field given as `null` takes its default; unknown \
                    fields and fields given twice are rejected (422).""")
    record Request(
            @Schema(requiredMode = RequiredMode.REQUIRED, types = "array", description = """
                    Logits of any shape: a nested array of numbers, 1 to 8 dimensions, rectangular, no empty \
                    dimension. Each value must be finite in the dtype.""")
            Object logits,
            @Schema(requiredMode = RequiredMode.REQUIRED, types = "array", description = """
                    Targets of the logits' shape, each a number in [0, 1] (0 and 1 may be JSON integers).""")
            Object targets,
            @Schema(defaultValue = "0", minimum = "0", maximum = "1", description = """
                    Label smoothing towards 0.5: `t' = t * (1 - epsilon) + epsilon / 2`; 1 makes every target \
                    0.5.""")
            Double epsilon,
            @ArraySchema(minItems = 1, schema = @Schema(minimum = "0"), arraySchema = @Schema(description = """
                    PyTorch's `pos_weight`: one finite weight >= 0 per position of the last dimension, multiplying \
                    the positive term (`t'`, smoothed). No default: absent means 1."""))
            Number[] posWeight,
            @ArraySchema(minItems = 1, schema = @Schema(minimum = "0"), arraySchema = @Schema(description = """
                    PyTorch's `weight`: one finite weight >= 0 per position of the last dimension, multiplying \
                    the element loss. No default: absent means 1."""))
            Number[] classWeights,
            @Schema(defaultValue = "mean", allowableValues = {"mean", "sum", "none"}, description = """
                    `mean` divides by the number of elements (weights or not), `sum` adds, `none` returns \
                    `elementLoss`.""")
            String reduction,
            @Schema(defaultValue = "[\"smoothedTargets\"]", description = """
                    The arrays to return besides the scalars; `[]` returns none. With `reduction` "none", \
                    `elementLoss` is returned anyway.""")
            Include include,
            @Schema(defaultValue = "float32", allowableValues = {"float32", "float64"}, description = """
                    The precision of the computation (case-sensitive).""")
            String dtype) {
    }

    @Schema(name = "BinaryCrossEntropyResponse", description = """
            The loss and the requested arrays, each in the logits' shape. A field that was not requested is \
            absent; `loss` and the scalars are always present.""")
    record Response(
            @Schema(requiredMode = RequiredMode.REQUIRED, types = {"number", "null"}, description = """
                    The reduced loss; `null` when `reduction` is "none".""")
            Double loss,
            @Schema(types = "array", description = """
                    Present when `reduction` is "none" or `include` has "elementLoss": the loss of every \
                    element before reduction.""")
            Object elementLoss,
            @Schema(types = "array", description = """
                    Present when `include` has "smoothedTargets" (the default): `t * (1 - epsilon) + epsilon / \
                    2`.""")
            Object smoothedTargets,
            @Schema(types = "array", description = "Present when `include` has \"probabilities\": sigmoid(logits).")
            Object probabilities,
            @Schema(types = "array", description = """
                    Present when `include` has "gradient": d loss / d logits for the requested reduction (for \
                    "none", of the sum).""")
            Object gradient,
            @ArraySchema(schema = @Schema(implementation = Integer.class, minimum = "1"), arraySchema = @Schema(
                    requiredMode = RequiredMode.REQUIRED, description = "The logits' shape."))
            Integer[] shape,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "0", maximum = "1",
                    description = "The epsilon used.")
            Double epsilon,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"mean", "sum", "none"},
                    description = "The reduction, as requested.")
            String reduction,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"float32", "float64"},
                    description = "The precision the numbers were computed in.")
            String dtype,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"cpu", "cuda"},
                    description = "The ND4J backend that computed the response.")
            String backend) {
    }

    @ArraySchema(schema = @Schema(type = "string",
            allowableValues = {"smoothedTargets", "elementLoss", "probabilities", "gradient"}))
    static final class Include {
    }
}
