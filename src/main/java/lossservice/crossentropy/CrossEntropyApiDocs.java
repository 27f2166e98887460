package lossservice.crossentropy;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.AdditionalPropertiesValue;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/**
 * POST /v1/losses/cross-entropy as the OpenAPI document describes it. The endpoint's Java types are not
 * wire-shaped ({@link CrossEntropyRequest} is the decoded, validated form; {@link CrossEntropyResult} is
 * written by a streaming encoder), so the JSON shapes are described here: these types are never
 * instantiated. {@code Number} stands for any JSON number; nested arrays whose depth depends on the request are
 * {@code Object}s described as arrays. The classes annotated with {@code @ArraySchema} are arrays that need a schema of
 * their own: the two forms of {@code targets}, and {@code include} with its default.
 */
final class CrossEntropyApiDocs {

    private CrossEntropyApiDocs() {
    }

    static final String SUMMARY = "Cross-entropy loss with label smoothing";

    static final String DESCRIPTION = """
            Computes `torch.nn.functional.cross_entropy(logits, targets, weight=classWeights, \
            ignore_index=ignoreIndex, reduction=reduction, label_smoothing=eps)` exactly, for every combination \
            of the fields, with ND4J in float32 (default) or float64 (`dtype`).

            **Shapes.** `logits` is N x C, or N x C x d1 .. x dk with k <= 3 (segmentation maps, sequences): the \
            classes are dimension 1, as in PyTorch. Targets are class indices of shape [N, d1..dk] or \
            probabilities of the logits' shape. Every formula below holds per element (n, d1..dk) in place of \
            "row"; `perSampleLoss` has shape [N, d1..dk], the other arrays the logits' shape.

            **Label smoothing.** `eps` is `epsilon` (default 0.1) when `labelSmooth` is true (the default), \
            else 0. The smoothed targets are `(1 - eps) * onehot + eps / C` for class indices and \
            `(1 - eps) * t + eps / C` for probability targets `t`; rows whose target equals `ignoreIndex` \
            are all 0.

            **Per-sample loss.** `L_i = -sum_c w_c q_ic log_softmax(logits)_ic`, with `q` the smoothed \
            targets and `w` the class weights (all 1 when absent). The smoothing term is weighted by every \
            class's weight, as in PyTorch.

            **Reduction.** `sum` adds the `L_i`. `mean` divides that sum by `D`: for class indices the sum of \
            the target classes' weights over the rows that are not ignored (their number, without weights); \
            for probability targets always N (N * d1 * .. * dk). So `loss` differs from the mean of `perSampleLoss` when weights \
            or ignored rows are present. When `D` is 0 (every row ignored, or every target weight 0) the mean \
            is undefined: `loss` is `null`, and so is a requested `gradient`. `none` returns `perSampleLoss` \
            and a `null` loss.

            With class indices, `reduction` mean, no `classWeights` and no ignored rows, the loss equals the \
            seed `LabelSmoothingLoss`, `(-q * log_softmax(logits)).mean(0).sum()`; its `num_classes` is \
            `numClasses`, which must equal C.

            No number in a response is NaN or infinite: inputs whose results would overflow the dtype are \
            answered 422 (`result-out-of-range`).""";

    static final String SEGMENTATION_EXAMPLE_DESCRIPTION = """
            A 2 x 3 x 2 x 2 segmentation map (N = 2, C = 3, 2 x 2 pixels) with one pixel ignored (255) and \
            computed in float64; the per-pixel losses come back as [2, 2, 2].""";

    static final String SEGMENTATION_EXAMPLE = """
            {
              "logits": [
                [[[1.2, -0.4], [0.3, 2.0]], [[0.1, 0.8], [-1.0, 0.5]], [[-0.6, 0.2], [1.4, -0.3]]],
                [[[0.0, 1.1], [-0.2, 0.7]], [[2.3, -0.9], [0.4, 0.6]], [[-1.5, 0.3], [0.9, 1.8]]]
              ],
              "targets": [[[0, 1], [2, 0]], [[1, 255], [2, 2]]],
              "ignoreIndex": 255,
              "epsilon": 0.1,
              "dtype": "float64",
              "include": ["perSampleLoss"]
            }""";

    static final String RESPONSE_200 = "The loss, and the arrays `include` asked for.";

    static final String SEED_EXAMPLE = """
            {
              "logits": [
                [0.29657506942749023, 0.3719976842403412, -0.7769638895988464, -0.34608492255210876,
                 -0.9752207398414612, 1.6493006944656372, 0.528856098651886, 0.5702930092811584,
                 1.2381970882415771, -0.4267520308494568],
                [-0.94538414478302, -1.0840734243392944, 0.11295679211616516, 0.8149017691612244,
                 -0.28811436891555786, -1.1548830270767212, -0.1923118233680725, -0.38785624504089355,
                 0.22792109847068787, 2.011714220046997]
              ],
              "targets": [2, 5],
              "epsilon": 0.1,
              "numClasses": 10,
              "reduction": "mean"
            }""";

    static final String SEED_EXAMPLE_DESCRIPTION = """
            The example of the seed `LabelSmoothingLoss`: two rows of ten logits, class indices 2 and 5, epsilon \
            0.1, mean reduction (loss 3.6503).""";

    static final String SOFT_TARGETS_EXAMPLE_DESCRIPTION = """
            Rows of probabilities instead of class indices, smoothed to `(1 - eps) * t + eps / C`; the softmax \
            is returned too.""";

    static final String WEIGHTS_AND_IGNORE_INDEX_EXAMPLE_DESCRIPTION = """
            Class weights, and a row whose target equals `ignoreIndex` (-1): it adds nothing to the loss, and \
            the mean divides by the weights of the other rows' targets. Returns the per-sample losses and the \
            gradient.""";

    static final String SOFT_TARGETS_EXAMPLE = """
            {
              "logits": [[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]],
              "targets": [[0.7, 0.2, 0.1], [0.0, 0.9, 0.1]],
              "epsilon": 0.1,
              "include": ["smoothedTargets", "probabilities"]
            }""";

    static final String WEIGHTS_AND_IGNORE_INDEX_EXAMPLE = """
            {
              "logits": [[1.5, -0.3, 0.8], [0.2, 2.1, -1.0], [-0.5, 0.4, 1.9], [1.1, 0.0, -0.7]],
              "targets": [0, 1, -1, 2],
              "ignoreIndex": -1,
              "classWeights": [1.0, 2.0, 0.5],
              "epsilon": 0.1,
              "reduction": "mean",
              "include": ["perSampleLoss", "gradient"]
            }""";

    static final String SEED_RESPONSE_EXAMPLE = """
            {
              "loss": 3.6503465,
              "smoothedTargets": [
                [0.01, 0.01, 0.90999997, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01],
                [0.01, 0.01, 0.01, 0.01, 0.01, 0.90999997, 0.01, 0.01, 0.01, 0.01]
              ],
              "batchSize": 2,
              "numClasses": 10,
              "epsilon": 0.1,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [2, 10]
            }""";

    static final String UNPROCESSABLE = """
            Well-formed JSON that breaks a rule of the request schema: ragged rows, wrong types, strings such \
            as "NaN", numbers beyond the dtype (1e39 in float32, 1e400 always), an unknown `dtype`, a class index out of range or not a JSON \
            integer, epsilon outside [0, 1], wrong lengths, negative weights or probabilities, unknown \
            `include` or `reduction` values, unknown or repeated fields, `numClasses` other than C, \
            `ignoreIndex` other than -100 with probability targets. Type \
            `tag:loss-service,2026:problems/invalid-request`, whose `errors` list every violation with its JSON \
            pointer. Type `tag:loss-service,2026:problems/result-out-of-range` (no `errors`) when the inputs are \
            valid but a result would overflow the dtype.""";

    static final String INVALID_REQUEST_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/invalid-request",
              "title": "Invalid request",
              "status": 422,
              "detail": "The request breaks 2 rules; see errors.",
              "instance": "/v1/losses/cross-entropy",
              "errors": [
                {"pointer": "/epsilon", "message": "must be in [0, 1], found 1.5"},
                {"pointer": "/targets/1", "message": "class index 3 is outside [0, 3) and is not the ignoreIndex (-100)"}
              ]
            }""";

    @Schema(name = "CrossEntropyRequest", additionalProperties = AdditionalPropertiesValue.FALSE, description = """
            The inputs of `torch.nn.functional.cross_entropy` and the label-smoothing switches. Fields may come in \
            any order; an optional field given as `null` takes its default; unknown fields and fields given \
            twice are rejected (422).""")
    record Request(
            @Schema(requiredMode = RequiredMode.REQUIRED, types = "array", description = """
                    N x C logits (N >= 1 rows of C >= 2 numbers), or N x C x d1 .. x dk with k <= 3 and no empty \
                    dimension; rectangular. Each value must be finite in the dtype (1e39 only in float64).""")
            Object logits,
            @Schema(requiredMode = RequiredMode.REQUIRED, types = "array",
                    oneOf = {ClassIndexTargets.class, ProbabilityTargets.class}, description = """
                    Class indices of shape [N, d1..dk], or probabilities ("soft targets") of the logits' shape; \
                    the nesting depth tells them apart.""")
            Object targets,
            @Schema(defaultValue = "0.1", minimum = "0", maximum = "1", description = """
                    Label-smoothing factor, in [0, 1]; validated even when `labelSmooth` is false.""")
            Double epsilon,
            @Schema(defaultValue = "true", description = """
                    `false` makes the effective epsilon 0 (the `label_smooth` flag of the seed class).""")
            Boolean labelSmooth,
            @Schema(minimum = "2", description = """
                    The number of classes. When present it must equal C, the length of the logits rows (the \
                    `num_classes` of the seed class). No default: C is taken from the logits.""")
            Integer numClasses,
            @Schema(defaultValue = "mean", allowableValues = {"mean", "sum", "none"}, description = """
                    How the per-sample losses are reduced, as in PyTorch.""")
            String reduction,
            @ArraySchema(minItems = 2, schema = @Schema(minimum = "0"), arraySchema = @Schema(description = """
                    C class weights (PyTorch's `weight`, along dimension 1 of the logits), finite and >= 0. No \
                    default: absent means every weight is 1."""))
            Number[] classWeights,
            @Schema(defaultValue = "-100", description = """
                    Rows whose target equals it contribute nothing (PyTorch's `ignore_index`). Any integer: \
                    negative, a real class (its rows are dropped) or >= C. With probability targets only -100 \
                    is allowed.""")
            Long ignoreIndex,
            @Schema(defaultValue = "[\"smoothedTargets\"]", description = """
                    The arrays to return besides the scalars; `[]` returns none. With `reduction` "none", \
                    `perSampleLoss` is returned anyway.""")
            Include include,
            @Schema(defaultValue = "float32", allowableValues = {"float32", "float64"}, description = """
                    The precision of the computation (case-sensitive). float64 results are printed with every \
                    digit of the double.""")
            String dtype) {
    }

    @Schema(name = "CrossEntropyResponse", description = """
            The loss and the requested arrays. A field that was not requested is absent; `loss` and the scalars \
            are always present. Arrays have the logits' shape (per-class arrays) or [N, d1..dk] (per-element \
            arrays), in the order of the logits; their numbers are float32 or float64 as `dtype`.""")
    record Response(
            @Schema(requiredMode = RequiredMode.REQUIRED, types = {"number", "null"}, description = """
                    The reduced loss; `null` when `reduction` is "none", and when the mean is undefined (its \
                    denominator is 0: every row ignored, or every target weight 0).""")
            Double loss,
            @Schema(types = "array", description = """
                    Present when `reduction` is "none" or `include` has "perSampleLoss": the losses of every \
                    element before reduction, shape [N, d1..dk] (0 for ignored elements).""")
            Object perSampleLoss,
            @Schema(description = """
                    Present when `include` has "smoothedTargets" (the default): `(1 - eps) * onehot + eps / C`, \
                    or `(1 - eps) * t + eps / C` for probability targets; ignored rows are all 0.""")
            Object smoothedTargets,
            @Schema(description = """
                    Present when `include` has "probabilities": the softmax of each row of logits (ignored rows \
                    included).""")
            Object probabilities,
            @Schema(types = {"array", "null"}, description = """
                    Present when `include` has "gradient": d loss / d logits for the requested reduction (for \
                    "none", of the sum of the per-sample losses; 0 for ignored rows); `null` when the loss is \
                    undefined.""")
            Object gradient,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "1", description = "N, the batch size.")
            Integer batchSize,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "2", description = """
                    C, the number of classes (dimension 1 of the logits).""")
            Integer numClasses,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "0", maximum = "1", description = """
                    The effective epsilon: `epsilon`, or 0 when `labelSmooth` is false.""")
            Double epsilon,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"mean", "sum", "none"},
                    description = "The reduction, as requested.")
            String reduction,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"cpu", "cuda"},
                    description = "The ND4J backend that computed the response.")
            String backend,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"float32", "float64"},
                    description = "The precision the numbers were computed in.")
            String dtype,
            @ArraySchema(schema = @Schema(implementation = Integer.class, minimum = "1"), arraySchema = @Schema(
                    requiredMode = RequiredMode.REQUIRED, description = "The logits' shape [N, C, d1..dk]."))
            Integer[] shape) {
    }

    @ArraySchema(minItems = 1, schema = @Schema(implementation = Long.class), arraySchema = @Schema(description = """
            Class indices, N of them or nested [N, d1..dk]: JSON integers in [0, C), or equal to `ignoreIndex`. A number written with a \
            fraction or a decimal point (2.5, 2.0) is rejected."""))
    static final class ClassIndexTargets {
    }

    @ArraySchema(minItems = 1, schema = @Schema(implementation = Number[].class), arraySchema = @Schema(
            description = """
                    Probabilities of the logits' shape (N rows of C for 2-D logits): finite and >= 0; those of one \
                    element need not sum to 1."""))
    static final class ProbabilityTargets {
    }

    @ArraySchema(schema = @Schema(type = "string",
            allowableValues = {"smoothedTargets", "perSampleLoss", "probabilities", "gradient"}))
    static final class Include {
    }
}
