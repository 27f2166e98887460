#!/usr/bin/env python3
"""Computes a label-smoothed, weighted cross-entropy with loss-service and with PyTorch, and compares them.

Usage (from clients/python, or with the package installed):
    python3 examples/compare_with_torch.py [http://localhost:8080]

Needs only the standard library and numpy; without torch (Debian: python3-torch) it prints the service's
answer and says there is nothing to compare with.
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

try:
    result = LossServiceClient(base_url).cross_entropy(logits, targets, epsilon=0.1, class_weights=weights,
                                                       include=["smoothed_targets", "per_sample_loss", "gradient"])
except LossServiceError as error:
    sys.exit(f"the service refused the request: {error}")
print(f"loss-service: loss {result.loss:.7f}, computed on {result.backend}")

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("torch is not installed: nothing to compare with")
    sys.exit(0)

x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
expected = F.cross_entropy(x, torch.tensor(targets), weight=torch.tensor(weights, dtype=torch.float64),
                           label_smoothing=0.1)
expected.backward()
print(f"torch:        loss {expected.item():.7f}")
loss_agrees = np.isclose(result.loss, expected.item(), rtol=1e-5, atol=1e-6)
gradient_agrees = np.allclose(result.gradient, x.grad.numpy(), rtol=1e-5, atol=1e-6)
if not (loss_agrees and gradient_agrees):
    sys.exit("loss-service and torch.nn.functional.cross_entropy disagree")
print("loss and gradient agree with torch.nn.functional.cross_entropy")
