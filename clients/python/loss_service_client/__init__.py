"""Python client of loss-service: PyTorch-exact cross-entropy with label smoothing over HTTP.

>>> from loss_service_client import cross_entropy
>>> result = cross_entropy([[0.2, 1.5, -0.3], [1.0, 0.1, 0.4]], [1, 0], epsilon=0.1,
...                        base_url="http://localhost:8080")                 # doctest: +SKIP
>>> result.loss, result.smoothed_targets                                     # doctest: +SKIP

Standard library only; numpy arrays are accepted, and returned when the logits are one.
"""

from .client import (
    ALL_OUTPUTS,
    DEFAULT_BASE_URL,
    CrossEntropyResult,
    LossServiceClient,
    backend,
    cross_entropy,
)
from .errors import LossServiceConnectionError, LossServiceError, ProblemError

__version__ = "0.1.0"

__all__ = [
    "ALL_OUTPUTS",
    "DEFAULT_BASE_URL",
    "CrossEntropyResult",
    "LossServiceClient",
    "LossServiceConnectionError",
    "LossServiceError",
    "ProblemError",
    "backend",
    "cross_entropy",
]
