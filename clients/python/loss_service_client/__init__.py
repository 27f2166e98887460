"""Python client of loss-service: PyTorch-equal losses over HTTP, every loss of the service's catalogue.

>>> import numpy as np
>>> from loss_service_client import LossServiceClient
>>> client = LossServiceClient("http://localhost:8080")                                # doctest: +SKIP
>>> logits = np.random.default_rng(7).standard_normal((256, 1000)).astype(np.float32)
>>> targets = np.arange(256) % 1000
>>> result = client.cross_entropy(logits, targets, include=["gradient"])               # doctest: +SKIP
>>> result.loss, result.gradient.dtype, result.gradient.shape                          # doctest: +SKIP
(6.98..., dtype('float32'), (256, 1000))

One method of :class:`LossServiceClient` and one module function per loss (``cross_entropy``,
``binary_cross_entropy``, ``nll``, ``kl_divergence``, ``focal``, ``sigmoid_focal``, and any loss the service gains
later, made from its catalogue). numpy arrays travel as binary tensors of the Open Inference Protocol, lists as
JSON. Standard library only; numpy is used when the caller has it.
"""

import re as _re
from typing import Callable as _Callable

from .catalogue import Catalogue, InputSpec, LossSpec, OutputSpec, ScalarSpec
from .client import (
    ALL_OUTPUTS,
    DEFAULT_BASE_URL,
    TRANSPORTS,
    LossServiceClient,
    backend,
    default_client,
    module_function as _module_function,
    snapshot_catalogue,
)
from .errors import (
    InvalidRequestError,
    LossServiceConnectionError,
    LossServiceError,
    LossServiceTimeoutError,
    NotFoundError,
    OverloadedError,
    ProblemError,
    ServerError,
)
from .results import CrossEntropyResult, LossResult

__version__ = "0.2.0"

__all__ = [
    "ALL_OUTPUTS",
    "DEFAULT_BASE_URL",
    "TRANSPORTS",
    "Catalogue",
    "CrossEntropyResult",
    "InputSpec",
    "InvalidRequestError",
    "LossResult",
    "LossServiceClient",
    "LossServiceConnectionError",
    "LossServiceError",
    "LossServiceTimeoutError",
    "LossSpec",
    "NotFoundError",
    "OutputSpec",
    "OverloadedError",
    "ProblemError",
    "ScalarSpec",
    "ServerError",
    "backend",
    "default_client",
    "snapshot_catalogue",
]

# The module function of every loss of _generated.py, written with it by python3 -m loss_service_client.generate:
# BEGIN GENERATED (do not edit down to END GENERATED)
from ._generated import (
    binary_cross_entropy,
    cross_entropy,
    focal,
    kl_divergence,
    nll,
    sigmoid_focal,
)

__all__ += [
    "binary_cross_entropy",
    "cross_entropy",
    "focal",
    "kl_divergence",
    "nll",
    "sigmoid_focal",
]
# END GENERATED


def __getattr__(name: str) -> _Callable[..., LossResult]:
    """A loss newer than the generated functions, e.g. ``loss_service_client.new_loss(...)``: its function is made
    from the catalogue of the default service (``$LOSS_SERVICE_URL``, else http://localhost:8080)."""
    if not _re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in _NOT_LOSSES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _module_function(name)


_NOT_LOSSES = frozenset({"load_tests", "pytestmark", "setup_module", "teardown_module"})  # test runners' probes
