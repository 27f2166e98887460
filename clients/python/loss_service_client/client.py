"""HTTP client of loss-service's JSON API, on the standard library only (numpy is optional)."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Union

from .errors import LossServiceConnectionError, LossServiceError

__all__ = [
    "ALL_OUTPUTS",
    "CrossEntropyResult",
    "DEFAULT_BASE_URL",
    "LossServiceClient",
    "backend",
    "cross_entropy",
]

#: Where the module functions send requests when no ``base_url`` is given: the ``LOSS_SERVICE_URL``
#: environment variable at call time, else this.
DEFAULT_BASE_URL = "http://localhost:8080"

#: Every optional output, as ``include`` names them on the wire.
ALL_OUTPUTS = ("smoothedTargets", "perSampleLoss", "probabilities", "gradient")

#: Anything the client turns into a JSON array: nested lists or tuples of numbers (any depth), a numpy
#: array, or any object with ``tolist()`` (a torch tensor, for one).
ArrayLike = Any

_CROSS_ENTROPY_PATH = "/v1/losses/cross-entropy"
_BACKEND_PATH = "/v1/backend"
_ACCEPT = "application/json, application/problem+json"
# The response members the result object has attributes for; any other member stays in ``raw``.
_KNOWN_RESPONSE_FIELDS = frozenset(
    ("loss", "perSampleLoss", "smoothedTargets", "probabilities", "gradient",
     "batchSize", "numClasses", "epsilon", "reduction", "backend", "shape", "dtype"))


def _camel_case(name: str) -> str:
    """``per_sample_loss`` -> ``perSampleLoss``; names without underscores are returned unchanged."""
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), name)


def _json_default(value: Any) -> Any:
    """Lets json.dumps write numpy arrays and scalars, torch tensors and the like."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def _encode(body: Mapping[str, Any]) -> bytes:
    try:
        text = json.dumps(body, default=_json_default, allow_nan=False, separators=(",", ":"))
    except ValueError as error:
        # JSON has no NaN or infinity; the service would reject them anyway.
        raise ValueError(f"the request holds NaN or an infinity, which JSON cannot carry ({error})") from None
    return text.encode("utf-8")


def _numpy_array_type() -> Optional[type]:
    # numpy is looked up, not imported: an array can only come from a program that imported numpy itself.
    numpy = sys.modules.get("numpy")
    return getattr(numpy, "ndarray", None)


@dataclass(frozen=True)
class CrossEntropyResult:
    """The answer of ``POST /v1/losses/cross-entropy``.

    ``loss`` is ``None`` for reduction ``"none"`` and when the mean is undefined (every row ignored, or
    every target class weighted 0); ``gradient`` is then ``None`` too. The arrays are ``None`` unless
    ``include`` asked for them (``smoothed_targets`` is included by default, ``per_sample_loss`` always
    comes with reduction ``"none"``). They are numpy arrays when the logits were one (or ``as_numpy``
    asked), else nested lists of floats. ``raw`` is the decoded JSON response, members this client does not
    know included.
    """

    loss: Optional[float]
    batch_size: int
    num_classes: int
    epsilon: float
    reduction: str
    backend: str
    shape: Optional[Sequence[int]] = None
    dtype: Optional[str] = None
    per_sample_loss: Optional[ArrayLike] = None
    smoothed_targets: Optional[ArrayLike] = None
    probabilities: Optional[ArrayLike] = None
    gradient: Optional[ArrayLike] = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def extra_fields(self) -> Dict[str, Any]:
        """Response members without an attribute here (fields newer than this client)."""
        return {name: value for name, value in self.raw.items() if name not in _KNOWN_RESPONSE_FIELDS}

    @classmethod
    def from_json(cls, response: Mapping[str, Any], array_dtype: Any = None) -> "CrossEntropyResult":
        """Builds the result from the decoded response; ``array_dtype`` makes numpy arrays of that dtype."""

        def array(name: str) -> Optional[ArrayLike]:
            value = response.get(name)
            if value is None or array_dtype is None:
                return value
            import numpy

            return numpy.asarray(value, dtype=array_dtype)

        return cls(
            loss=response.get("loss"),
            batch_size=response.get("batchSize"),
            num_classes=response.get("numClasses"),
            epsilon=response.get("epsilon"),
            reduction=response.get("reduction"),
            backend=response.get("backend"),
            shape=response.get("shape"),
            dtype=response.get("dtype"),
            per_sample_loss=array("perSampleLoss"),
            smoothed_targets=array("smoothedTargets"),
            probabilities=array("probabilities"),
            gradient=array("gradient"),
            raw=response,
        )


class LossServiceClient:
    """A connection-less client of one loss-service instance.

    >>> client = LossServiceClient("http://localhost:8080", timeout=30)
    >>> result = client.cross_entropy([[0.2, 1.5, -0.3]], [1], epsilon=0.1)   # doctest: +SKIP
    >>> result.loss                                                             # doctest: +SKIP
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, timeout: Optional[float] = 60.0,
                 headers: Optional[Mapping[str, str]] = None) -> None:
        """``base_url`` is the service's root (``http://host:port``, a path prefix allowed); ``timeout`` is
        in seconds, per request (``None``: wait forever); ``headers`` are added to every request."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"LossServiceClient({self.base_url!r}, timeout={self.timeout!r})"

    def cross_entropy(
        self,
        logits: ArrayLike,
        targets: ArrayLike,
        epsilon: Optional[float] = 0.1,
        label_smooth: Optional[bool] = True,
        reduction: Optional[str] = "mean",
        class_weights: Optional[ArrayLike] = None,
        ignore_index: Optional[int] = -100,
        num_classes: Optional[int] = None,
        include: Union[None, str, Iterable[str]] = None,
        *,
        as_numpy: Optional[bool] = None,
        extra: Optional[Mapping[str, Any]] = None,
        **fields: Any,
    ) -> CrossEntropyResult:
        """Computes ``torch.nn.functional.cross_entropy(logits, targets, weight=class_weights,
        ignore_index=ignore_index, reduction=reduction, label_smoothing=epsilon)`` with the service.

        :param logits: N x C numbers (nested lists of any depth, a numpy array, a tensor); the service
            checks the shape.
        :param targets: N class indices, or N x C probabilities.
        :param epsilon: label smoothing in [0, 1]; ``label_smooth=False`` makes it 0.
        :param reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        :param class_weights: C weights >= 0 (PyTorch's ``weight``).
        :param ignore_index: rows whose target equals it contribute nothing.
        :param num_classes: when given, the service checks that it equals C.
        :param include: the arrays to return, any of :data:`ALL_OUTPUTS` (snake_case accepted, e.g.
            ``"per_sample_loss"``); ``None`` leaves the service's default (smoothed targets), ``"all"``
            asks for every one.
        :param as_numpy: return numpy arrays (``True``), nested lists (``False``), or numpy arrays exactly
            when ``logits`` is a numpy array (``None``). Numpy results keep a floating dtype of the logits
            and are float64 otherwise.
        :param extra: request members sent as they are, under their wire names (fields newer than this
            client, e.g. ``{"dtype": "float64"}``).
        :param fields: more request members as keyword arguments; snake_case names are sent in camelCase.
            A parameter left ``None`` is not sent, so the service's default applies.
        :raises LossServiceError: on a 4xx or 5xx answer, with its problem details.
        :raises LossServiceConnectionError: when the service cannot be reached.
        :raises ValueError: when the request holds NaN or an infinity.
        """
        body: Dict[str, Any] = {
            "logits": logits,
            "targets": targets,
            "epsilon": epsilon,
            "labelSmooth": label_smooth,
            "numClasses": num_classes,
            "reduction": reduction,
            "classWeights": class_weights,
            "ignoreIndex": ignore_index,
            "include": _include_names(include),
        }
        body = {name: value for name, value in body.items() if value is not None}
        more_fields = [(_camel_case(name), value) for name, value in fields.items()]
        for wire_name, value in more_fields + list((extra or {}).items()):
            if wire_name in body:
                raise TypeError(f"the request field {wire_name!r} is given twice")
            body[wire_name] = value

        response = self._call("POST", _CROSS_ENTROPY_PATH, _encode(body))
        return CrossEntropyResult.from_json(response, _result_dtype(logits, as_numpy))

    def backend(self) -> Dict[str, Any]:
        """``GET /v1/backend``: the ND4J backend computing the losses (``backend``, ``requested``,
        ``reason``, the CUDA devices, the ND4J version, data type and thread count), as a dict."""
        return self._call("GET", _BACKEND_PATH, None)

    def _call(self, method: str, path: str, body: Optional[bytes]) -> Any:
        url = self.base_url + path
        headers = {"Accept": _ACCEPT, **self.headers}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, reason, payload = response.status, response.reason, response.read()
        except urllib.error.HTTPError as error:
            try:
                problem_body = error.read()
            finally:
                error.close()
            raise LossServiceError.from_response(error.code, str(error.reason), problem_body) from None
        except (urllib.error.URLError, socket.timeout, ConnectionError) as error:
            raise LossServiceConnectionError(url, getattr(error, "reason", error)) from None
        try:
            return json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise LossServiceError(status, title=reason or "Unexpected response",
                                   detail="the response is not JSON: " + payload[:200].decode("utf-8", "replace"))


def _include_names(include: Union[None, str, Iterable[str]]) -> Optional[list]:
    if include is None:
        return None
    if isinstance(include, str):
        return list(ALL_OUTPUTS) if include == "all" else [_camel_case(include)]
    return [_camel_case(name) for name in include]


def _result_dtype(logits: Any, as_numpy: Optional[bool]) -> Any:
    """The numpy dtype of the returned arrays, or None for nested lists."""
    ndarray = _numpy_array_type()
    logits_is_numpy = ndarray is not None and isinstance(logits, ndarray)
    if as_numpy is False or (as_numpy is None and not logits_is_numpy):
        return None
    import numpy  # as_numpy=True without numpy raises ImportError here, as it should

    if logits_is_numpy and numpy.issubdtype(logits.dtype, numpy.floating):
        return logits.dtype
    return numpy.float64


def _base_url(base_url: Optional[str]) -> str:
    return base_url or os.environ.get("LOSS_SERVICE_URL") or DEFAULT_BASE_URL


def cross_entropy(
    logits: ArrayLike,
    targets: ArrayLike,
    epsilon: Optional[float] = 0.1,
    label_smooth: Optional[bool] = True,
    reduction: Optional[str] = "mean",
    class_weights: Optional[ArrayLike] = None,
    ignore_index: Optional[int] = -100,
    num_classes: Optional[int] = None,
    include: Union[None, str, Iterable[str]] = None,
    *,
    base_url: Optional[str] = None,
    timeout: Optional[float] = 60.0,
    as_numpy: Optional[bool] = None,
    extra: Optional[Mapping[str, Any]] = None,
    **fields: Any,
) -> CrossEntropyResult:
    """:meth:`LossServiceClient.cross_entropy` on ``base_url`` (default: ``$LOSS_SERVICE_URL``, else
    ``http://localhost:8080``)."""
    client = LossServiceClient(_base_url(base_url), timeout)
    return client.cross_entropy(logits, targets, epsilon, label_smooth, reduction, class_weights, ignore_index,
                                num_classes, include, as_numpy=as_numpy, extra=extra, **fields)


def backend(base_url: Optional[str] = None, timeout: Optional[float] = 60.0) -> Dict[str, Any]:
    """:meth:`LossServiceClient.backend` on ``base_url`` (default as for :func:`cross_entropy`)."""
    return LossServiceClient(_base_url(base_url), timeout).backend()
