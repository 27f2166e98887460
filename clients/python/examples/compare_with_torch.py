#!/usr/bin/env python3
"""Computes losses with loss-service and with PyTorch, and compares them: a label-smoothed, weighted cross-entropy
(numpy float32 arrays: binary tensors of the Open Inference Protocol), the same as lists (JSON), a float64
segmentation map, and a binary cross-entropy.

Usage (from clients/python, or with the package installed):
    python3 examples/compare_with_torch.py [http://localhost:8080]

Needs only the standard library and numpy; without torch (Debian: python3-torch) it prints the service's answers
and says there is nothing to compare with.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from a checkout

import numpy as np

from loss_service_client import LossServiceClient, LossServiceError

base_url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LOSS_SERVICE_URL", "http://localhost:8080")
rng = np.random.default_rng(7)
logits = rng.standard_normal((4, 5)).astype(np.float32)
targets = np.array([2, 0, 4, -100])  # -100 is ignored, as in PyTorch
weights = np.array([1.0, 2.0, 0.5, 1.0, 1.5], dtype=np.float32)
segmentation = rng.standard_normal((2, 21, 16, 16))  # float64: computed in float64
labels = rng.integers(0, 21, (2, 16, 16))
bce_logits = rng.standard_normal((3, 4)).astype(np.float32)
bce_targets = (rng.random((3, 4)) > 0.5).astype(np.float32)

with LossServiceClient(base_url) as client:
    try:
        answers = {
            "cross-entropy, numpy over V2": client.cross_entropy(
                logits, targets, epsilon=0.1, class_weights=weights, include=["per_sample_loss", "gradient"]),
            "cross-entropy, lists over JSON": client.cross_entropy(
                logits.tolist(), targets.tolist(), epsilon=0.1, class_weights=weights.tolist(), include=["gradient"],
                as_numpy=True),
            "segmentation, float64": client.cross_entropy(segmentation, labels, epsilon=0.0, include=["gradient"]),
            "binary cross-entropy": client.binary_cross_entropy(bce_logits, bce_targets, include=["gradient"]),
        }
        backend = client.backend()["backend"]
    except LossServiceError as error:
        sys.exit(f"the service refused the request: {error}")
for name, result in answers.items():
    print(f"loss-service, {name}: loss {result.loss:.10g} ({result.dtype}, {result.transport})")
print(f"computed on {backend}, over {client.connections_opened} connection(s)")

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("torch is not installed: nothing to compare with")
    sys.exit(0)


def reference(function, x, *args, **kwargs):
    """The loss and its gradient with respect to x, in float64."""
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    loss = function(x, *args, **kwargs)
    loss.backward()
    return loss.item(), x.grad.numpy()


expected = {
    "cross-entropy, numpy over V2": reference(F.cross_entropy, logits, torch.tensor(targets),
                                              weight=torch.tensor(weights, dtype=torch.float64), label_smoothing=0.1),
    "segmentation, float64": reference(F.cross_entropy, segmentation, torch.tensor(labels)),
    "binary cross-entropy": reference(F.binary_cross_entropy_with_logits, bce_logits,
                                      torch.tensor(bce_targets, dtype=torch.float64)),
}
expected["cross-entropy, lists over JSON"] = expected["cross-entropy, numpy over V2"]
disagreements = []
for name, (loss, gradient) in expected.items():
    result = answers[name]
    rtol, atol = (1e-10, 1e-12) if result.dtype == "float64" else (1e-5, 1e-6)
    if not (np.isclose(result.loss, loss, rtol=rtol, atol=atol)
            and np.allclose(result.gradient, gradient, rtol=rtol, atol=atol)):
        disagreements.append(name)
    print(f"torch,        {name}: loss {loss:.10g}")
if disagreements:
    sys.exit("loss-service and torch disagree: " + ", ".join(disagreements))
print("every loss and gradient agrees with torch.nn.functional")
