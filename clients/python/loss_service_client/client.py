"""The client: one kept-alive connection to a loss-service, every loss of its catalogue, two transports."""

from __future__ import annotations

import atexit
import json
import os
import threading
import types
import urllib.parse
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple, Union, cast

from . import _v2
from ._generated import CATALOGUE as _SNAPSHOT_DOCUMENT, GeneratedLosses
from ._http import Connection
from .catalogue import Catalogue, InputSpec, LossSpec, ScalarSpec, camel_case, docstring, signature, snake_case
from .errors import LossServiceConnectionError, LossServiceError, NotFoundError
from .results import LossResult, first_float

__all__ = [
    "ALL_OUTPUTS",
    "DEFAULT_BASE_URL",
    "LossServiceClient",
    "TRANSPORTS",
    "backend",
    "default_client",
    "snapshot_catalogue",
]

#: Where the module functions send requests when no ``base_url`` is given: the ``LOSS_SERVICE_URL``
#: environment variable at call time, else this.
DEFAULT_BASE_URL = "http://localhost:8080"

#: Cross-entropy's optional outputs, as ``include`` names them on the wire.
ALL_OUTPUTS = ("smoothedTargets", "perSampleLoss", "probabilities", "gradient")

#: The transports: ``"json"`` (``POST /v1/losses/{name}``), ``"v2"`` (``POST /v2/models/{name}/infer`` with binary
#: tensors both ways), ``"auto"`` (V2 when an input is a numpy array, JSON otherwise).
TRANSPORTS = ("auto", "json", "v2")

_ACCEPT = "application/json, application/problem+json"
_LOSSES_PATH = "/v1/losses"
_BACKEND_PATH = "/v1/backend"
_HEADER_LENGTH = "Inference-Header-Content-Length"
_NUMPY_DTYPES = {"float32": "float32", "float64": "float64"}


def snapshot_catalogue() -> Catalogue:
    """The catalogue this version of the client was generated from (see ``loss_service_client.generate``)."""
    return Catalogue.from_json(_SNAPSHOT_DOCUMENT, source="snapshot")


_SNAPSHOT = snapshot_catalogue()


class LossServiceClient(GeneratedLosses):
    """A client of one loss-service: a method per loss of its catalogue, over one kept-alive connection.

    >>> client = LossServiceClient("http://localhost:8080", timeout=30)
    >>> result = client.cross_entropy(logits, targets, include=["gradient"])      # doctest: +SKIP
    >>> result.loss, result.gradient                                             # doctest: +SKIP

    **Losses.** The client reads the service's catalogue (``GET /v1/losses``) once, at its first loss call, and maps
    every call by it. The methods of the losses this version was generated from are written out (``help()`` and
    IDEs show their parameters); a loss the service has gained since, or defines otherwise now, becomes a method of
    the client made from the service's catalogue, with the same kind of signature. :meth:`compute` calls any loss by
    name.

    **Transports.** ``"auto"`` (the default) sends a call whose inputs include a numpy array to the Open Inference
    Protocol model of the loss, as binary tensors both ways (no JSON numbers at all), and a call of lists to the JSON
    API; ``"json"`` and ``"v2"`` force one (per client, or per call with ``transport=``). Results are the same
    :class:`LossResult` either way.

    **Connections and threads.** The client keeps one HTTP/1.1 connection open and reuses it for every call; it is
    opened again when the server has closed it. A lock makes one client safe to share between threads: their calls
    take turns on the connection. For calls in parallel, give each thread its own client. Close it with
    :meth:`close` or a ``with`` block (the socket is also closed when the client is garbage-collected).

    **Retries.** A 503 answered with ``Retry-After`` is sent again after that many seconds, up to ``retries`` times
    and while the wait is at most ``max_retry_wait`` seconds; so is a call whose connection was refused or broke
    (after 0.1 s, 0.2 s, ...). A loss call is a pure function: sending it twice is safe. Timeouts are not retried.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, timeout: Optional[float] = 60.0,
                 headers: Optional[Mapping[str, str]] = None, *, retries: int = 3, transport: str = "auto",
                 max_retry_wait: float = 30.0, ssl_context: Any = None) -> None:
        """``base_url`` is the service's root (``http://host:port``, a path prefix allowed); ``timeout`` is in
        seconds, per request (``None``: wait forever); ``headers`` are added to every request; ``retries`` bounds the
        retries of one call; ``transport`` is ``"auto"``, ``"json"`` or ``"v2"``."""
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {transport!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.transport = transport
        self._http = Connection(self.base_url, timeout, retries=retries, max_retry_wait=max_retry_wait,
                                ssl_context=ssl_context)
        self._catalogue: Optional[Catalogue] = None
        self._changed: FrozenSet[str] = frozenset()  # generated losses that the service defines otherwise

    def __repr__(self) -> str:
        return f"LossServiceClient({self.base_url!r}, timeout={self.timeout!r}, transport={self.transport!r})"

    def __enter__(self) -> "LossServiceClient":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection (a later call opens a new one)."""
        self._http.close()

    @property
    def retries(self) -> int:
        return self._http.retries

    @property
    def connections_opened(self) -> int:
        """How many connections this client has opened: 1 for any number of calls while the server keeps it open."""
        return self._http.connections_opened

    @property
    def retried(self) -> int:
        """How many requests this client has sent again (after a 503 with Retry-After, or a broken connection)."""
        return self._http.retried

    # ---- the service ---------------------------------------------------------------------------------------------

    def backend(self) -> Dict[str, Any]:
        """``GET /v1/backend``: the ND4J backend computing the losses (``backend``, ``requested``, ``reason``, the
        CUDA devices, the ND4J version, data type and thread count), as a dict."""
        return self._json_call("GET", _BACKEND_PATH, None)

    def catalogue(self, refresh: bool = False) -> Catalogue:
        """``GET /v1/losses``, read at the first call of a loss and kept (``refresh=True`` reads it again). A service
        without it (older than the catalogue), or one that fails to answer it, gives the catalogue this client was
        generated from."""
        catalogue = self._catalogue
        if catalogue is None or refresh:
            try:
                catalogue = Catalogue.from_json(self._json_call("GET", _LOSSES_PATH, None), source=self.base_url)
            except NotFoundError:
                catalogue = _SNAPSHOT
            except LossServiceConnectionError:
                raise
            except LossServiceError:
                return _SNAPSHOT  # not kept: the next call asks again
            self._install_methods(catalogue)
            self._catalogue = catalogue
        return catalogue

    def _install_methods(self, catalogue: Catalogue) -> None:
        """Gives this client a method, made from the service's catalogue, for each loss that the generated methods
        lack or have with other parameters (an instance's attribute hides the class's method)."""
        changed = set()
        for spec in catalogue:
            name = spec.python_name
            written = _SNAPSHOT.get(spec.name)
            if written is not None and _same_parameters(written, spec):
                self.__dict__.pop(name, None)
                continue
            if written is not None:
                changed.add(spec.name)
            if written is not None or not hasattr(LossServiceClient, name):  # never hide close(), compute(), ...
                self.__dict__[name] = types.MethodType(loss_method(spec), self)
        self._changed = frozenset(changed)

    def losses(self) -> List[str]:
        """The names of the service's losses."""
        return self.catalogue().names()

    # ---- losses ----------------------------------------------------------------------------------------------------

    def compute(self, loss: str, /, *, reduction: Optional[str] = None, include: Union[None, str, Iterable[str]] = None,
                dtype: Optional[str] = None, transport: Optional[str] = None, as_numpy: Optional[bool] = None,
                extra: Optional[Mapping[str, Any]] = None, **arguments: Any) -> LossResult:
        """Computes the loss named ``loss`` (``"focal"``, or its Python name ``"sigmoid_focal"``) with the arguments
        in Python names, as its method does: ``client.compute("nll", log_probabilities=x, targets=t)`` is
        ``client.nll(x, t)``. An argument given as ``None`` is not sent (the service's default applies)."""
        chosen = transport or self.transport
        if chosen not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {chosen!r}")
        arguments = {name: value for name, value in arguments.items() if value is not None}
        extra = dict(extra or {})
        has_array = any(_v2.is_array(value) for value in list(arguments.values()) + list(extra.values()))
        if chosen == "auto":
            chosen = "v2" if has_array else "json"
        numpy_results = has_array if as_numpy is None else bool(as_numpy)
        spec = self._spec(loss)
        written = _SNAPSHOT.get(spec.name) if spec.name in self._changed else None
        if written is not None and spec is not written:
            arguments, reduction = _adapt(spec, written, arguments, reduction)
        if chosen == "json":
            return self._compute_json(spec, arguments, reduction, include, dtype, extra, numpy_results)
        return self._compute_v2(spec, arguments, reduction, include, dtype, extra, numpy_results)

    def __getattr__(self, name: str) -> Any:
        # A loss newer than the generated methods: reading the service's catalogue gives this client its method.
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            catalogue = self.catalogue()
        except LossServiceError as error:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}, and the service's catalogue "
                                 f"could not be read: {error}") from None
        if name in self.__dict__:
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}; the losses of {self.base_url} are "
                             f"{', '.join(catalogue.names())}")

    def __dir__(self) -> List[str]:
        names = set(super().__dir__())
        if self._catalogue is not None:
            names.update(spec.python_name for spec in self._catalogue)
        return sorted(names)

    # ---- transports ------------------------------------------------------------------------------------------------

    def _spec(self, name: str) -> LossSpec:
        """The loss's entry in the service's catalogue (read at the first call, and again when it lacks the loss),
        else in the catalogue the client was generated from."""
        cached = self._catalogue
        spec = cached.get(name) if cached is not None else None
        if spec is None:
            spec = self.catalogue(refresh=cached is not None).get(name) or _SNAPSHOT.get(name)
        if spec is None:
            raise NotFoundError(404, type="tag:loss-service,2026:problems/not-found", title="Not found",
                                detail=f"There is no loss {name!r}; the losses of {self.base_url} are "
                                       f"{', '.join(self.catalogue().names())}.")
        return spec

    def _precision(self, spec: LossSpec, arguments: Mapping[str, Any], dtype: Optional[str]) -> Optional[str]:
        """``dtype`` when given; else float64 when the first input is a float64 array; else None (float32)."""
        if dtype is not None:
            return dtype
        first = arguments.get(spec.first_input.tensor) if spec.inputs else None
        if first is not None and _v2.is_array(first):
            array_dtype = getattr(first, "dtype", None)
            if (getattr(array_dtype, "kind", None) == "f" and getattr(array_dtype, "itemsize", 0) == 8) \
                    or str(array_dtype) == "torch.float64":
                return "float64"
        return None

    def _compute_json(self, spec: LossSpec, arguments: Mapping[str, Any], reduction: Optional[str],
                      include: Any, dtype: Optional[str], extra: Mapping[str, Any], numpy_results: bool) -> LossResult:
        body: Dict[str, Any] = {}

        def put(wire_name: str, value: Any) -> None:
            if wire_name in body:
                raise TypeError(f"the request field {wire_name!r} is given twice")
            body[wire_name] = value

        for name, value in arguments.items():
            field = spec.input(name) or spec.scalar(name)
            put(field.name if field is not None else camel_case(name), value)
        if reduction is not None:
            put("reduction", reduction)
        if include is not None:
            put("include", [output.name if output is not None else camel_case(name)
                            for name, output in _included(spec, include)])
        precision = self._precision(spec, arguments, dtype)
        if precision is not None and not (dtype is None and "dtype" in extra):
            put("dtype", precision)
        for wire_name, value in extra.items():
            put(wire_name, value)

        response = self._json_call("POST", spec.path, _encode_json(body))
        array_dtype = _NUMPY_DTYPES.get(response.get("dtype") or precision or "float32", "float64")
        values: Dict[str, Any] = {}
        wire_names: Dict[str, str] = {}
        numpy = _import_numpy() if numpy_results else None
        for wire_name, value in response.items():
            name = snake_case(wire_name)
            wire_names[name] = wire_name
            if numpy is not None and isinstance(value, list) and wire_name != "shape":
                value = numpy.asarray(value, dtype=array_dtype)
            values[name] = value
        return LossResult(spec.name, values, response, "json", _known(spec), wire_names)

    def _compute_v2(self, spec: LossSpec, arguments: Mapping[str, Any], reduction: Optional[str], include: Any,
                    dtype: Optional[str], extra: Mapping[str, Any], numpy_results: bool) -> LossResult:
        precision = self._precision(spec, arguments, dtype) or "float32"
        first = arguments.get(spec.first_input.tensor) if spec.inputs else None
        first_rank = _rank(first) if first is not None else None
        tensors: List[_v2.Tensor] = []
        parameters: Dict[str, Any] = {}

        def add(python_name: str, value: Any, wire_name: Optional[str] = None) -> None:
            input_spec = spec.input(python_name)
            scalar = spec.scalar(python_name)
            if input_spec is not None or (scalar is None and _is_array_like(value)):
                tensor_name = input_spec.tensor if input_spec is not None else python_name
                if any(tensor.name == tensor_name for tensor in tensors):
                    raise TypeError(f"the input {wire_name or python_name!r} is given twice")
                tensors.append(_v2.encode(tensor_name, value, input_spec, first_rank, precision))
            else:
                parameter = scalar.parameter if scalar is not None else python_name
                if parameter in parameters:
                    raise TypeError(f"the parameter {wire_name or python_name!r} is given twice")
                parameters[parameter] = value

        for name, value in arguments.items():
            add(name, value)
        if reduction is not None:
            add("reduction", reduction)
        if dtype is not None:
            add("dtype", dtype)
        for wire_name, value in extra.items():
            add(snake_case(wire_name), value, wire_name)
        effective_reduction = reduction or parameters.get("reduction") or spec.default_reduction
        outputs = ["loss"]
        for name, output in (_included(spec, include) if include is not None else
                             [(output.tensor, output) for output in spec.outputs if output.by_default]):
            outputs.append(output.tensor if output is not None else snake_case(name))
        if effective_reduction == "none":
            outputs += [output.tensor for output in spec.outputs if output.unreduced]
        outputs = list(dict.fromkeys(outputs))

        header = _v2.request_header(tensors, parameters, outputs)
        path = "/v2/models/" + urllib.parse.quote(spec.model, safe="") + "/infer"
        headers = {"Content-Type": "application/octet-stream", _HEADER_LENGTH: str(len(header)),
                   "Accept": "application/octet-stream, application/json", **self.headers}
        response = self._http.request("POST", path, headers, [header] + [tensor.data for tensor in tensors])
        if response.status != 200:
            raise LossServiceError.from_inference_response(
                response.status, response.reason, bytes(response.body), path, _json_names(spec),
                retry_after=response.retry_after)
        length = response.header(_HEADER_LENGTH)
        document, decoded, out_precision = _v2.decode(response.body, int(length) if length else None, numpy_results)
        values: Dict[str, Any] = {"loss": first_float(decoded.pop("loss", None))}
        for name, value in decoded.items():
            values[name] = None if _is_empty(value) else value
        shape = next((tensor.shape for tensor in tensors if spec.inputs and tensor.name == spec.first_input.tensor),
                     None)
        values.update(shape=shape, dtype=out_precision or precision, reduction=effective_reduction)
        return LossResult(spec.name, values, document, "v2", _known(spec))

    def _json_call(self, method: str, path: str, body: Optional[bytes]) -> Dict[str, Any]:
        """The JSON object the service answers (every answer of its JSON API is an object)."""
        headers = {"Accept": _ACCEPT, **self.headers}
        if body is not None:
            headers["Content-Type"] = "application/json"
        response = self._http.request(method, path, headers, [body] if body is not None else [])
        if response.status >= 400:
            raise LossServiceError.from_response(response.status, response.reason, bytes(response.body),
                                                 retry_after=response.retry_after, instance=path)
        try:
            return cast(Dict[str, Any], json.loads(response.body))
        except (UnicodeDecodeError, ValueError):
            raise LossServiceError(response.status, title=response.reason or "Unexpected response",
                                   detail="the response is not JSON: "
                                          + bytes(response.body[:200]).decode("utf-8", "replace")) from None


# ---- helpers ------------------------------------------------------------------------------------------------------


def _import_numpy() -> types.ModuleType:
    import numpy  # as_numpy=True without numpy raises ImportError here, as it should

    module: types.ModuleType = numpy  # a module to type checkers too, whether they find numpy or not
    return module


def _json_default(value: Any) -> Any:
    """Lets json.dumps write numpy arrays and scalars, torch tensors and the like."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def _encode_json(body: Mapping[str, Any]) -> bytes:
    try:
        text = json.dumps(body, default=_json_default, allow_nan=False, separators=(",", ":"))
    except ValueError as error:
        # JSON has no NaN or infinity; the service would reject them anyway.
        raise ValueError(f"the request holds NaN or an infinity, which JSON cannot carry ({error})") from None
    return text.encode("utf-8")


def _included(spec: LossSpec, include: Union[str, Iterable[str]]) -> List[Tuple[str, Any]]:
    """``include`` as (name as given, the output's spec or None): ``"all"``, one name or several, in Python or wire
    names."""
    if isinstance(include, str):
        if include == "all":
            return [(output.tensor, output) for output in spec.outputs]
        include = [include]
    return [(name, spec.output(name) or spec.output(snake_case(name))) for name in include]


def _known(spec: LossSpec) -> List[str]:
    return [output.tensor for output in spec.outputs] + [scalar.parameter for scalar in spec.scalars]


def _json_names(spec: LossSpec) -> Callable[[str, str], Optional[str]]:
    def json_name(kind: str, name: str) -> Optional[str]:
        found: Union[InputSpec, ScalarSpec, None]
        if kind == "input":
            found = spec.input(name)
        else:
            found = spec.scalar(name)
        return found.name if found is not None else camel_case(name)

    return json_name


def _same_parameters(written: LossSpec, served: LossSpec) -> bool:
    """Whether a generated method has exactly the parameters the service's catalogue gives the loss (and maps them
    alike: the same inputs, kinds, scalars, defaults, reductions and outputs)."""
    def summary(spec: LossSpec) -> Tuple[Any, ...]:
        return (tuple((p.name, p.kind, p.default) for p in signature(spec).parameters.values()),
                tuple((item.name, item.tensor, item.kinds) for item in spec.inputs),
                tuple(sorted((item.name, item.parameter) for item in spec.scalars)),
                tuple(sorted((item.name, item.tensor, item.by_default, item.unreduced) for item in spec.outputs)),
                spec.path, spec.model)

    return summary(written) == summary(served)


def _adapt(served: LossSpec, written: LossSpec, arguments: Mapping[str, Any],
           reduction: Optional[str]) -> Tuple[Dict[str, Any], Optional[str]]:
    """The arguments of a generated method whose loss the service now defines otherwise, made to fit the service:
    the generated default of a parameter (or reduction) the service no longer has is not sent (the service's default
    applies), and a required input renamed since is passed under its new name, by position. Everything else is
    sent as given: what the signature shows is what is sent."""
    served_required = [item.tensor for item in served.inputs if item.required]
    written_required = [item.tensor for item in written.inputs if item.required]
    adapted: Dict[str, Any] = {}
    for name, value in arguments.items():
        written_scalar = written.scalar(name)
        if served.input(name) is not None or served.scalar(name) is not None:
            adapted[name] = value
        elif written_scalar is not None and _equals(value, written_scalar.default):
            continue
        elif name in written_required and written_required.index(name) < len(served_required) and \
                served_required[written_required.index(name)] not in arguments:
            adapted[served_required[written_required.index(name)]] = value
        else:
            adapted[name] = value  # a field the service does not know: it says so, with its pointer
    if reduction == written.default_reduction and reduction not in served.reductions:
        reduction = None
    return adapted, reduction


def _equals(value: Any, default: Any) -> bool:
    if _is_array_like(value) or default is None:
        return False
    try:
        return type(value) is type(default) and bool(value == default) or (
            isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(default, (int, float))
            and not isinstance(default, bool) and value == default)
    except (TypeError, ValueError):
        return False


def _is_array_like(value: Any) -> bool:
    return isinstance(value, (list, tuple)) or _v2.is_array(value)


def _rank(value: Any) -> int:
    if hasattr(value, "ndim"):
        return int(value.ndim)
    rank = 0
    while isinstance(value, (list, tuple)):
        rank += 1
        if not value:
            break
        value = value[0]
    return rank


def _is_empty(value: Any) -> bool:
    if hasattr(value, "size"):
        return bool(value.size == 0)
    return isinstance(value, list) and not value


def loss_method(spec: LossSpec) -> Callable[..., LossResult]:
    """A method for a loss of the service's catalogue that the generated methods do not have."""
    method_signature = signature(spec)
    options = ("reduction", "include", "dtype", "transport", "as_numpy", "extra")

    def method(self: LossServiceClient, *args: Any, **kwargs: Any) -> LossResult:
        bound = method_signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop("self")
        fields = arguments.pop("fields", {})
        chosen = {name: arguments.pop(name) for name in options}
        return self.compute(spec.name, **chosen, **arguments, **fields)

    method.__name__ = method.__qualname__ = spec.python_name
    method.__doc__ = docstring(spec)
    method.__signature__ = method_signature  # type: ignore[attr-defined]
    return method


# ---- module-level functions ---------------------------------------------------------------------------------------

_DEFAULT_CLIENTS: Dict[Tuple[str, Optional[float]], LossServiceClient] = {}
_DEFAULT_CLIENTS_LOCK = threading.Lock()


@atexit.register
def _close_default_clients() -> None:
    with _DEFAULT_CLIENTS_LOCK:
        for client in _DEFAULT_CLIENTS.values():
            client.close()


def _base_url(base_url: Optional[str]) -> str:
    return (base_url or os.environ.get("LOSS_SERVICE_URL") or DEFAULT_BASE_URL).rstrip("/")


def default_client(base_url: Optional[str] = None, timeout: Optional[float] = 60.0) -> LossServiceClient:
    """The client the module functions use for ``base_url`` (default: ``$LOSS_SERVICE_URL``, else
    ``http://localhost:8080``) and ``timeout``: one per pair, kept, so that they reuse its connection."""
    key = (_base_url(base_url), timeout)
    with _DEFAULT_CLIENTS_LOCK:
        client = _DEFAULT_CLIENTS.get(key)
        if client is None:
            client = _DEFAULT_CLIENTS[key] = LossServiceClient(key[0], timeout)
        return client


def backend(base_url: Optional[str] = None, timeout: Optional[float] = 60.0) -> Dict[str, Any]:
    """:meth:`LossServiceClient.backend` on ``base_url`` (default as for :func:`default_client`)."""
    return default_client(base_url, timeout).backend()


def module_function(name: str) -> Callable[..., LossResult]:
    """The module-level function of a loss that the generated functions do not have, from the catalogue of the
    default service (``$LOSS_SERVICE_URL``)."""
    try:
        spec = default_client().catalogue().get(name)
    except LossServiceError as error:
        raise AttributeError(f"module 'loss_service_client' has no attribute {name!r}, and the catalogue of "
                             f"{_base_url(None)} could not be read: {error}") from None
    if spec is None or spec.python_name != name:
        raise AttributeError(f"module 'loss_service_client' has no attribute {name!r}")
    loss = spec.name
    function_signature = signature(spec, module_function=True)

    def function(*args: Any, **kwargs: Any) -> LossResult:
        bound = function_signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        client = default_client(arguments.pop("base_url"), arguments.pop("timeout"))
        fields = arguments.pop("fields", {})
        return client.compute(loss, **arguments, **fields)

    function.__name__ = function.__qualname__ = spec.python_name
    function.__doc__ = docstring(spec, module_function=True)
    function.__signature__ = function_signature  # type: ignore[attr-defined]
    return function
