#!/usr/bin/env python3
"""Computes losses with loss-service and with PyTorch, and compares them: a label-smoothed cross-entropy
(float32, 2-D), a segmentation-shaped one in float64, and a binary cross-entropy with label smoothing.

Usage: python3 examples/compare_with_torch.py [http://localhost:8080]
Needs requests and numpy; the comparison needs torch (Debian: python3-torch).
"""
import sys

import numpy as np
import requests

base_url = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8080"
rng = np.random.default_rng(7)
logits = rng.standard_normal((4, 5)).astype(np.float32)
targets = [2, 0, 4, -100]  # -100 is ignored, as in PyTorch
weights = [1.0, 2.0, 0.5, 1.0, 1.5]

response = requests.post(f"{base_url}/v1/losses/cross-entropy", json={
    "logits": logits.tolist(),
    "targets": targets,
    "epsilon": 0.1,
    "classWeights": weights,
    "include": ["smoothedTargets", "perSampleLoss", "gradient"],
})
if response.status_code != 200:
    problem = response.json()  # application/problem+json
    sys.exit(f"{problem['status']} {problem['title']}: {problem['detail']} {problem.get('errors', '')}")
result = response.json()
print("loss", result["loss"], "computed on", result["backend"])
smoothed = np.array(result["smoothedTargets"])

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("torch is not installed: nothing to compare with")

x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
expected = F.cross_entropy(x, torch.tensor(targets), weight=torch.tensor(weights, dtype=torch.float64),
                           label_smoothing=0.1)
expected.backward()
print("torch", expected.item())
assert np.isclose(result["loss"], expected.item(), rtol=1e-5, atol=1e-6)
assert np.allclose(result["gradient"], x.grad.numpy(), rtol=1e-5, atol=1e-6)
print("loss and gradient agree with torch.nn.functional.cross_entropy")


def post(path, body):
    reply = requests.post(f"{base_url}{path}", json=body)
    if reply.status_code != 200:
        problem = reply.json()
        sys.exit(f"{problem['status']} {problem['title']}: {problem['detail']} {problem.get('errors', '')}")
    return reply.json()


# Segmentation maps [N, C, H, W] with an ignored label, in float64: the numbers carry every digit.
seg_logits = rng.standard_normal((2, 4, 3, 5))
seg_targets = rng.integers(0, 4, (2, 3, 5))
seg_targets[0, 1, 2] = 255
seg = post("/v1/losses/cross-entropy", {
    "logits": seg_logits.tolist(), "targets": seg_targets.tolist(), "ignoreIndex": 255, "epsilon": 0.1,
    "dtype": "float64", "include": ["perSampleLoss", "gradient"]})
x = torch.tensor(seg_logits, requires_grad=True)
expected = F.cross_entropy(x, torch.tensor(seg_targets), ignore_index=255, label_smoothing=0.1)
expected.backward()
assert seg["shape"] == [2, 4, 3, 5] and seg["dtype"] == "float64"
assert np.isclose(seg["loss"], expected.item(), rtol=1e-10, atol=1e-12)
assert np.allclose(seg["gradient"], x.grad.numpy(), rtol=1e-10, atol=1e-12)
print("float64 segmentation loss", seg["loss"], "agrees with torch to 1e-10")

# Binary cross-entropy on logits, targets smoothed towards 0.5: t' = t (1 - eps) + eps / 2.
bce_logits = rng.standard_normal((4, 3)).astype(np.float32)
bce_targets = rng.integers(0, 2, (4, 3)).astype(np.float64)
pos_weight = [1.0, 3.0, 0.5]
bce = post("/v1/losses/binary-cross-entropy", {
    "logits": bce_logits.tolist(), "targets": bce_targets.tolist(), "epsilon": 0.1, "posWeight": pos_weight,
    "include": ["elementLoss", "gradient"]})
x = torch.tensor(bce_logits, dtype=torch.float64, requires_grad=True)
smoothed = torch.tensor(bce_targets) * 0.9 + 0.05
expected = F.binary_cross_entropy_with_logits(x, smoothed, pos_weight=torch.tensor(pos_weight, dtype=torch.float64))
expected.backward()
assert np.isclose(bce["loss"], expected.item(), rtol=1e-5, atol=1e-6)
assert np.allclose(bce["gradient"], x.grad.numpy(), rtol=1e-5, atol=1e-6)
print("binary cross-entropy", bce["loss"], "agrees with torch.nn.functional.binary_cross_entropy_with_logits")
