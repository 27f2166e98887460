"""The loss catalogue (``GET /v1/losses``) as Python objects, and the Python signature of each loss.

Every loss has the same shape of call: its input arrays (required ones first, positional), its scalar parameters,
``reduction``, ``include`` and ``dtype``. The Python names are the service's own snake_case names, those of the
Open Inference Protocol: an input's tensor name (``class_weights``), a scalar's parameter name (``ignore_index``),
an output's tensor name (``per_sample_loss``); a loss's Python name is its name with ``_`` for ``-``
(``binary_cross_entropy``). :func:`parameters` builds the signature from a catalogue entry: the generated methods
(``_generated.py``) are written from it, methods for losses newer than them are made from it at run time, and the
tests compare both with the running service's catalogue.
"""

from __future__ import annotations

import inspect
import keyword
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

__all__ = ["Catalogue", "InputSpec", "LossSpec", "OutputSpec", "ScalarSpec", "camel_case", "parameters",
           "python_name", "snake_case", "CLIENT_OPTIONS"]

#: The keyword-only options every loss method takes after the loss's own parameters, with their defaults.
CLIENT_OPTIONS: Tuple[Tuple[str, Any], ...] = (
    ("dtype", None), ("transport", None), ("as_numpy", None), ("extra", None))
#: The options of the module-level functions, which make (or reuse) a client.
MODULE_OPTIONS: Tuple[Tuple[str, Any], ...] = (("base_url", None), ("timeout", 60.0))

# Parameters that cross-entropy took positionally before the catalogue existed; kept so that old calls still work.
_LEGACY_POSITIONAL: Mapping[str, Tuple[str, ...]] = {
    "cross-entropy": ("logits", "targets", "epsilon", "label_smooth", "reduction", "class_weights", "ignore_index",
                      "num_classes", "include"),
}
_RESERVED = {"self", "reduction", "include", "fields"} | {name for name, _ in CLIENT_OPTIONS + MODULE_OPTIONS}


def camel_case(name: str) -> str:
    """``per_sample_loss`` -> ``perSampleLoss``; names without underscores are returned unchanged."""
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), name)


def snake_case(name: str) -> str:
    """``perSampleLoss`` -> ``per_sample_loss``; snake_case names are returned unchanged."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda match: "_" + match.group(1).lower(), name)


def python_name(loss_name: str) -> str:
    """``binary-cross-entropy`` -> ``binary_cross_entropy``."""
    return loss_name.replace("-", "_")


@dataclass(frozen=True)
class InputSpec:
    """An input array: ``name`` its JSON field, ``tensor`` its V2 tensor name (and Python name), ``kinds`` the
    kinds of its forms (``"real"``, ``"classIndices"``), ``shapes`` their shapes as the service describes them."""

    name: str
    tensor: str
    required: bool
    kinds: Tuple[str, ...]
    shapes: Tuple[str, ...] = ()
    values: Tuple[Optional[str], ...] = ()
    description: str = ""

    @property
    def takes_class_indices(self) -> bool:
        return "classIndices" in self.kinds

    @property
    def takes_reals(self) -> bool:
        return "real" in self.kinds


@dataclass(frozen=True)
class ScalarSpec:
    """A scalar parameter: ``name`` its JSON field, ``parameter`` its V2 parameter (and Python name)."""

    name: str
    parameter: str
    type: str
    default: Any = None
    range: Optional[str] = None
    description: str = ""


@dataclass(frozen=True)
class OutputSpec:
    """An optional output: ``name`` as ``include`` names it, ``tensor`` its V2 output (and the result's attribute)."""

    name: str
    tensor: str
    shape: str = ""
    by_default: bool = False
    unreduced: bool = False
    description: str = ""


@dataclass(frozen=True)
class LossSpec:
    """One loss of the catalogue."""

    name: str
    path: str
    model: str
    inputs: Tuple[InputSpec, ...]
    scalars: Tuple[ScalarSpec, ...]
    reductions: Tuple[str, ...]
    default_reduction: str
    outputs: Tuple[OutputSpec, ...]
    title: str = ""
    reference: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def python_name(self) -> str:
        return python_name(self.name)

    @property
    def first_input(self) -> InputSpec:
        return self.inputs[0]

    def input(self, python_or_json_name: str) -> Optional[InputSpec]:
        for spec in self.inputs:
            if python_or_json_name in (spec.tensor, spec.name):
                return spec
        return None

    def scalar(self, python_or_json_name: str) -> Optional[ScalarSpec]:
        for spec in self.scalars:
            if python_or_json_name in (spec.parameter, spec.name):
                return spec
        return None

    def output(self, python_or_json_name: str) -> Optional[OutputSpec]:
        for spec in self.outputs:
            if python_or_json_name in (spec.tensor, spec.name):
                return spec
        return None

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> "LossSpec":
        """A loss from its entry in ``GET /v1/losses``."""
        inputs = tuple(
            InputSpec(name=item["name"], tensor=item.get("tensor") or snake_case(item["name"]),
                      required=bool(item.get("required")),
                      kinds=tuple(form.get("kind", "real") for form in item.get("forms") or ()) or ("real",),
                      shapes=tuple(form.get("shape") or "" for form in item.get("forms") or ()),
                      values=tuple(form.get("values") for form in item.get("forms") or ()),
                      description=item.get("description") or "")
            for item in entry.get("inputs") or ())
        scalars = tuple(
            ScalarSpec(name=item["name"], parameter=item.get("parameter") or snake_case(item["name"]),
                       type=item.get("type") or "number", default=item.get("defaultValue"), range=item.get("range"),
                       description=item.get("description") or "")
            for item in entry.get("scalars") or ())
        outputs = tuple(
            OutputSpec(name=item["name"], tensor=item.get("tensor") or snake_case(item["name"]),
                       shape=item.get("shape") or "", by_default=bool(item.get("byDefault")),
                       unreduced=bool(item.get("unreduced")), description=item.get("description") or "")
            for item in entry.get("outputs") or ())
        reductions = tuple(entry.get("reductions") or ("mean", "sum", "none"))
        return cls(name=entry["name"], path=entry.get("path") or "/v1/losses/" + entry["name"],
                   model=entry.get("model") or entry["name"], inputs=inputs, scalars=scalars, reductions=reductions,
                   default_reduction=entry.get("defaultReduction") or reductions[0], outputs=outputs,
                   title=entry.get("title") or "", reference=entry.get("reference") or "", raw=dict(entry))


class Catalogue:
    """The losses of a service (or of the snapshot this client was generated from), by name."""

    def __init__(self, losses: Iterable[LossSpec], source: str = "") -> None:
        self.losses: Dict[str, LossSpec] = {loss.name: loss for loss in losses}
        #: Where it came from: the service's URL, or ``"snapshot"``.
        self.source = source

    @classmethod
    def from_json(cls, document: Mapping[str, Any], source: str = "") -> "Catalogue":
        return cls((LossSpec.from_json(entry) for entry in document.get("losses") or ()), source)

    def __iter__(self) -> Iterator[LossSpec]:
        return iter(self.losses.values())

    def __len__(self) -> int:
        return len(self.losses)

    def __contains__(self, name: object) -> bool:
        return self.get(name) is not None if isinstance(name, str) else False

    def get(self, name: str) -> Optional[LossSpec]:
        """The loss of that name, Python name (``binary_cross_entropy``) or model name."""
        loss = self.losses.get(name)
        if loss is None:
            for candidate in self.losses.values():
                if name in (candidate.python_name, candidate.model):
                    return candidate
        return loss

    def names(self) -> List[str]:
        return sorted(self.losses)

    def __repr__(self) -> str:
        return f"Catalogue({self.names()!r}, source={self.source!r})"


def parameters(loss: LossSpec, module_function: bool = False) -> List[inspect.Parameter]:
    """The Python parameters of a loss's method (without ``self``) or module-level function.

    Required inputs come first, positional; then, keyword-only, the optional inputs (default ``None``), the scalars
    (default: the catalogue's), ``reduction`` (default: the loss's), ``include`` (``None``: the service's default
    outputs), the client options (``dtype``, ``transport``, ``as_numpy``, ``extra``; for module functions also
    ``base_url`` and ``timeout``) and ``**fields`` for request fields newer than the method. Cross-entropy keeps the
    positional order it had before the catalogue existed.
    """
    positional_or_keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    keyword_only = inspect.Parameter.KEYWORD_ONLY
    own: List[Tuple[str, Any, bool]] = []  # (name, default, required)
    for spec in loss.inputs:
        own.append((spec.tensor, None, spec.required))
    for scalar in loss.scalars:
        own.append((scalar.parameter, scalar.default, False))
    own.append(("reduction", loss.default_reduction, False))
    own.append(("include", None, False))
    for name, _, _ in own:
        if name in _RESERVED - {"reduction", "include"} or keyword.iskeyword(name) or not name.isidentifier():
            raise ValueError(f"loss {loss.name!r}: {name!r} cannot be a Python parameter")

    required_names = [name for name, _, required in own if required]
    legacy = [name for name in _LEGACY_POSITIONAL.get(loss.name, ()) if name in {entry[0] for entry in own}]
    if not set(required_names) <= set(legacy[:len(required_names)]):
        legacy = []  # a new required input: the old order no longer fits, so only the required ones are positional
    positional = legacy or required_names
    result: List[inspect.Parameter] = []
    for name, default, required in sorted(own, key=lambda entry: positional.index(entry[0])
                                          if entry[0] in positional else len(positional)):
        if name in positional:
            result.append(inspect.Parameter(name, positional_or_keyword,
                                            default=inspect.Parameter.empty if required else default))
        else:
            result.append(inspect.Parameter(name, keyword_only, default=default))
    options = CLIENT_OPTIONS if not module_function else CLIENT_OPTIONS[:1] + MODULE_OPTIONS + CLIENT_OPTIONS[1:]
    for name, default in options:
        result.append(inspect.Parameter(name, keyword_only, default=default))
    result.append(inspect.Parameter("fields", inspect.Parameter.VAR_KEYWORD))
    return result


def signature(loss: LossSpec, module_function: bool = False, method: bool = True) -> inspect.Signature:
    """The signature of a loss's method (with ``self`` when ``method``) or module function."""
    own = parameters(loss, module_function)
    if method and not module_function:
        own = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)] + own
    return inspect.Signature(own)


def argument_names(loss: LossSpec) -> Sequence[str]:
    """The Python names of the loss's own arguments (inputs and scalars), in catalogue order."""
    return [spec.tensor for spec in loss.inputs] + [scalar.parameter for scalar in loss.scalars]


def docstring(loss: LossSpec, module_function: bool = False) -> str:
    """The documentation of a loss's method or module function, from its catalogue entry."""
    lines = [(loss.title or loss.name) + "."]
    if loss.reference:
        lines += ["", "Computes ``" + loss.reference + "`` (the arguments named as in the JSON API)."]
    lines += ["", f"JSON: ``POST {loss.path}``; Open Inference Protocol: model ``{loss.model}``.", ""]
    for spec in loss.inputs:
        kinds = " or ".join("class indices" if kind == "classIndices" else "numbers" for kind in spec.kinds)
        requirement = "required" if spec.required else "optional"
        lines.append(f":param {spec.tensor}: ({requirement}; {kinds}) {spec.description}".rstrip())
    for scalar in loss.scalars:
        default = "no default" if scalar.default is None else f"default {scalar.default!r}"
        bounds = f", {scalar.range}" if scalar.range else ""
        lines.append(f":param {scalar.parameter}: ({scalar.type}, {default}{bounds}) {scalar.description}".rstrip())
    lines.append(f":param reduction: one of {', '.join(repr(name) for name in loss.reductions)} "
                 f"(default {loss.default_reduction!r}).")
    outputs = ", ".join(f"``{output.tensor}``" + (" (default)" if output.by_default else "")
                        for output in loss.outputs)
    lines.append(f":param include: the arrays to return, any of {outputs}, or ``\"all\"``; ``None``: the defaults. "
                 "Reduction \"none\" always returns the unreduced loss.")
    lines.append(":param dtype: \"float32\" or \"float64\"; ``None``: float64 when the first input is a float64 numpy "
                 "array, else float32.")
    if module_function:
        lines.append(":param base_url: the service (default: ``$LOSS_SERVICE_URL``, else http://localhost:8080); "
                     "calls to one base_url share a kept-alive client.")
        lines.append(":param timeout: seconds per request.")
    lines.append(":param transport: \"json\", \"v2\" or \"auto\" (``None``: the client's; \"auto\" sends numpy arrays "
                 "as V2 binary tensors and lists as JSON).")
    lines.append(":param as_numpy: numpy arrays back (True), nested lists (False), or numpy exactly when an input "
                 "was a numpy array (None).")
    lines.append(":param extra: request members under their wire names (fields newer than this method).")
    lines.append(":param fields: more request members in snake_case; a parameter given as None is not sent.")
    lines.append(":returns: a :class:`LossResult`.")
    lines.append(":raises InvalidRequestError: the service refused the request (``pointers`` says where).")
    lines.append(":raises LossServiceError: any other answer that is not a 200 (after the retries of a 503).")
    return "\n".join(lines)
