#!/usr/bin/env python3
"""Computes a label-smoothed cross-entropy with loss-service and with PyTorch, and compares them.

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
