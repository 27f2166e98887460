"""The Open Inference Protocol's binary tensor extension, both ways: numpy arrays (or nested lists, with the standard
library's ``array`` when numpy is not installed) to little-endian tensors after a JSON header, and back.

The datatype of each input follows the catalogue: an input that takes class indices is sent as INT64 (INT32 arrays
as they are) when it holds integers and is not of the first input's rank (cross-entropy's targets: indices have one
dimension fewer than the logits, probabilities the same number); every other input is sent in the precision, FP32 or
FP64, the service is to compute in.
"""

from __future__ import annotations

import array
import json
import math
import sys
import types
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .catalogue import InputSpec

if TYPE_CHECKING:  # numpy is optional: imported where an array is at hand
    from numpy.typing import NDArray

_NUMPY_DTYPES = {"FP32": "<f4", "FP64": "<f8", "INT64": "<i8", "INT32": "<i4"}
_ARRAY_CODES = {"FP32": "f", "FP64": "d", "INT64": "q", "INT32": "i"}
_DATATYPE_OF_PRECISION = {"float32": "FP32", "float64": "FP64"}
_PRECISION_OF_DATATYPE = {"FP32": "float32", "FP64": "float64"}


def numpy_module() -> Optional[types.ModuleType]:
    """numpy if the program has imported it, else None: an array can only come from a program that has."""
    return sys.modules.get("numpy")


def installed_numpy(required: bool = False) -> Optional[types.ModuleType]:
    """numpy, imported; None when it is not installed (its ImportError instead when ``required``)."""
    try:
        import numpy
    except ImportError:
        if required:
            raise
        return None
    module: types.ModuleType = numpy  # a module to type checkers too, whether they find numpy or not
    return module


def is_array(value: Any) -> bool:
    """A numpy array, or an array-like with ``__array__`` and at least one dimension (a torch tensor, ...)."""
    numpy = numpy_module()
    if numpy is None:
        return False
    if isinstance(value, numpy.ndarray):
        return True
    return hasattr(value, "__array__") and not isinstance(value, (list, tuple)) and getattr(value, "ndim", 0) >= 1


def as_ndarray(value: Any) -> NDArray[Any]:
    import numpy

    try:
        return numpy.asarray(value)
    except (RuntimeError, TypeError):  # a tensor that requires grad, say: its values are what is meant
        return numpy.asarray(value.tolist())


class Tensor:
    """An input tensor ready to send: name, datatype, shape and its little-endian bytes."""

    __slots__ = ("name", "datatype", "shape", "data")

    def __init__(self, name: str, datatype: str, shape: Sequence[int], data: memoryview) -> None:
        self.name = name
        self.datatype = datatype
        self.shape = [int(size) for size in shape]
        self.data = data

    def header(self) -> Dict[str, Any]:
        return {"name": self.name, "shape": self.shape, "datatype": self.datatype,
                "parameters": {"binary_data_size": self.data.nbytes}}


def input_datatype(spec: Optional[InputSpec], integral: bool, rank: int, first_rank: Optional[int],
                   precision: str) -> str:
    """The datatype to send an input in (see the module's documentation)."""
    if spec is not None and integral and spec.takes_class_indices and (
            not spec.takes_reals or first_rank is None or rank != first_rank):
        return "INT64"
    return _DATATYPE_OF_PRECISION.get(precision, "FP32")


def encode(name: str, value: Any, spec: Optional[InputSpec], first_rank: Optional[int], precision: str) -> Tensor:
    """One input as a binary tensor; numpy is used when it is installed, else the ``array`` module."""
    numpy = installed_numpy()
    if numpy is not None:
        values = as_ndarray(value)
        if values.dtype.kind not in "biuf":
            raise TypeError(f"{name}: cannot send an array of dtype {values.dtype} as a tensor; send numbers")
        integral = values.dtype.kind in "biu"
        datatype = input_datatype(spec, integral, values.ndim, first_rank, precision)
        if datatype == "INT64" and values.dtype == numpy.int32:
            datatype = "INT32"  # the service widens it; no copy here
        values = numpy.ascontiguousarray(values, dtype=_NUMPY_DTYPES[datatype])
        return Tensor(name, datatype, values.shape, values.data.cast("B"))
    shape, flat, integral = flatten(name, value)
    datatype = input_datatype(spec, integral, len(shape), first_rank, precision)
    packed = array.array(_ARRAY_CODES[datatype], flat)
    if sys.byteorder == "big":
        packed.byteswap()
    return Tensor(name, datatype, shape, memoryview(packed).cast("B"))


def flatten(name: str, value: Any) -> Tuple[List[int], List[Any], bool]:
    """The shape, the row-major values and whether all are integers, of nested lists or tuples of numbers."""
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()
    shape: List[int] = []
    probe = value
    while isinstance(probe, (list, tuple)):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    flat: List[Any] = []

    def walk(node: Any, depth: int, where: str) -> None:
        if depth == len(shape):
            if isinstance(node, (list, tuple)) or not isinstance(node, (int, float)) and not hasattr(node, "__float__"):
                raise ValueError(f"{name}{where}: expected a number, found {type(node).__name__}; the arrays must be "
                                 f"rectangular, of shape {shape}")
            flat.append(node)
            return
        if not isinstance(node, (list, tuple)) or len(node) != shape[depth]:
            raise ValueError(f"{name}{where}: expected {shape[depth]} elements (shape {shape}); the arrays must be "
                             f"rectangular")
        for index, item in enumerate(node):
            walk(item, depth + 1, f"{where}[{index}]")

    walk(value, 0, "")
    integral = all(isinstance(item, int) for item in flat)
    return shape, flat, integral


def request_header(tensors: Sequence[Tensor], parameters: Dict[str, Any], outputs: Sequence[str]) -> bytes:
    document: Dict[str, Any] = {"inputs": [tensor.header() for tensor in tensors]}
    if outputs:
        document["outputs"] = [{"name": name, "parameters": {"binary_data": True}} for name in outputs]
    document["parameters"] = dict(parameters, binary_data_output=True)
    try:
        text = json.dumps(document, separators=(",", ":"), allow_nan=False, default=_scalar)
    except ValueError as error:
        raise ValueError(f"a parameter is NaN or an infinity, which cannot be sent ({error})") from None
    return text.encode("utf-8")


def _scalar(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot send a {type(value).__name__} as a parameter")


def decode(body: Any, header_length: Optional[int], as_numpy: bool) -> Tuple[Dict[str, Any], Dict[str, Any],
                                                                            Optional[str]]:
    """The response's JSON part, its outputs by name (numpy arrays or nested lists, in their shapes) and the
    precision of its floating outputs (``"float32"``/``"float64"``)."""
    length = len(body) if header_length is None else header_length
    document = json.loads(bytes(body[:length]))
    offset = length
    outputs: Dict[str, Any] = {}
    precision = None
    numpy = installed_numpy(required=as_numpy)
    for output in document.get("outputs") or ():
        name, datatype, shape = output["name"], output["datatype"], [int(size) for size in output["shape"]]
        precision = precision or _PRECISION_OF_DATATYPE.get(datatype)
        size = (output.get("parameters") or {}).get("binary_data_size")
        count = math.prod(shape) if shape else 1
        if size is not None:
            if numpy is not None:
                values = numpy.frombuffer(body, dtype=_NUMPY_DTYPES[datatype], count=count, offset=offset)
                values = values.reshape(shape) if as_numpy else values.reshape(shape).tolist()
            else:
                packed = array.array(_ARRAY_CODES[datatype])
                packed.frombytes(bytes(memoryview(body)[offset:offset + size]))
                if sys.byteorder == "big":
                    packed.byteswap()
                values = nest(packed.tolist(), shape)
            offset += size
        else:
            data = output.get("data") or []
            while data and isinstance(data[0], list):
                data = [item for row in data for item in row]
            if as_numpy:
                assert numpy is not None  # installed_numpy(required=True) raised otherwise
                values = numpy.asarray(data, dtype=_NUMPY_DTYPES[datatype]).reshape(shape)
            else:
                values = nest(list(data), shape)
        outputs[name] = values
    return document, outputs, precision


def nest(flat: List[Any], shape: Sequence[int]) -> Any:
    """Row-major values as nested lists of the shape."""
    if not shape:
        return flat[0] if flat else None
    rows: Any = flat
    for size in reversed(shape[1:]):
        rows = [rows[start:start + size] for start in range(0, len(rows), size)]
    return rows
