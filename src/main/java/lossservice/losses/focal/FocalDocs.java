package lossservice.losses.focal;

import java.util.List;

import lossservice.loss.Example;

/** The documentation of the focal loss: its description and examples for the OpenAPI document and Swagger UI. */
final class FocalDocs {

    private FocalDocs() {
    }

    static final String DESCRIPTION = """
            The softmax focal loss (Lin et al., with the softmax over the classes) with label smoothing, class \
            weights and `ignoreIndex`, built exactly as cross-entropy builds them, with ND4J in float32 (default) \
            or float64 (`dtype`). There is no torch function for it; the reference is the formula below written \
            in torch, and `gamma` 0 is `torch.nn.functional.cross_entropy` in every number.

            **Shapes.** `logits` is N x C, or N x C x d1 .. x dk with k <= 3: the classes are dimension 1, as in \
            PyTorch. Targets are class indices of shape [N, d1..dk] or probabilities of the logits' shape. Every \
            formula below holds per element (n, d1..dk) in place of "row"; `perSampleLoss` has shape \
            [N, d1..dk], the other arrays the logits' shape.

            **Per-sample loss.** `L_i = -sum_c w_c q_ic (1 - p_ic)^gamma log p_ic`, with `p` the softmax of the \
            logits along dimension 1, `w` the class weights (all 1 when absent) and `q` the smoothed targets: \
            `(1 - eps) * onehot + eps / C` for class indices, `(1 - eps) * t + eps / C` for probability targets \
            `t`, all 0 for a row whose target equals `ignoreIndex`. `eps` is `epsilon`, 0 by default (unlike \
            cross-entropy). `gamma` (default 2) scales down the classes the model already predicts well; it \
            modulates the smoothing term too, class by class.

            **Reduction.** `sum` adds the `L_i`. `mean` divides that sum by cross-entropy's `D`: for class indices \
            the sum of the target classes' weights over the rows that are not ignored; for probability targets \
            the row count N (N * d1 * .. * dk), weights or not. When `D` is 0 the mean is undefined: `loss` is \
            `null`, and so is a requested `gradient`. `none` returns `perSampleLoss` and a `null` loss.

            **Gradient.** `dL_i/dx_ij = p_ij sum_c h_ic - h_ij` with \
            `h_ic = w_c q_ic [(1 - p_ic)^gamma - gamma p_ic (1 - p_ic)^(gamma - 1) log p_ic]`, divided by `D` \
            for `mean` (for `none`, of the sum). Where a probability rounds to 1, the focal factor and its \
            derivative take their limits (0 for gamma > 0): the answer is never NaN. The factor is computed from \
            the other classes' probability mass, not as `1 - p`, so a probability close to 1 keeps its precision.

            No number in a response is NaN or infinite: results that would overflow the dtype are answered 422 \
            (`result-out-of-range`).""";

    static final List<Example> EXAMPLES = List.of(
            new Example("plain", "N = 3, C = 4, class indices, the defaults", """
            Three rows of four logits with class indices: gamma 2, no smoothing, mean reduction; returns the \
            smoothed targets (the default) and the per-sample losses.""", """
            {
              "logits": [[2.0, 0.5, -1.0, 0.1], [0.3, 1.8, 0.2, -0.7], [-0.5, 0.0, 0.4, 2.2]],
              "targets": [0, 2, 3],
              "include": ["smoothedTargets", "perSampleLoss"]
            }""", """
            {
              "loss": 0.51935047,
              "perSampleLoss": [0.03108649, 1.507688, 0.019276867],
              "smoothedTargets": [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
              "gamma": 2.0,
              "epsilon": 0.0,
              "ignoreIndex": -100,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [3, 4]
            }"""),
            new Example("weightsSmoothingGradient", "Class weights, epsilon 0.1, an ignored row, gamma 1", """
            Class weights, label smoothing 0.1, gamma 1 and a row whose target equals `ignoreIndex` (-1): it adds \
            nothing, and the mean divides by the weights of the other rows' targets. Returns the probabilities \
            and the gradient.""", """
            {
              "logits": [[1.5, -0.3, 0.8], [0.2, 2.1, -1.0], [-0.5, 0.4, 1.9]],
              "targets": [0, -1, 2],
              "classWeights": [1.0, 2.0, 0.5],
              "gamma": 1.0,
              "epsilon": 0.1,
              "ignoreIndex": -1,
              "include": ["probabilities", "gradient"]
            }""", """
            {
              "loss": 0.36866143,
              "probabilities": [[0.60172665, 0.09946475, 0.2988086], [0.12520209, 0.83708775, 0.037710138],
                                [0.06904751, 0.1698295, 0.761123]],
              "gradient": [[-0.13711815, -4.917299E-4, 0.13760984], [0.0, 0.0, 0.0],
                           [-0.010011612, -0.013931728, 0.02394335]],
              "gamma": 1.0,
              "epsilon": 0.1,
              "ignoreIndex": -1,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [3, 3]
            }"""));
}
