"""The result of a loss call, the same object for both transports."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional

__all__ = ["ArrayLike", "LossResult", "CrossEntropyResult"]

#: Anything the client sends as an array: a numpy array (or an array-like such as a torch tensor), or nested lists
#: or tuples of numbers.
ArrayLike = Any

# Response members of the JSON API that every loss (or the seed's cross-entropy) has, besides its outputs and scalars.
_COMMON = ("loss", "shape", "dtype", "reduction", "backend", "batch_size", "num_classes")


def _member(name: str, doc: str) -> property:
    def get(self: "LossResult") -> Any:
        return self._values.get(name)

    get.__name__ = name
    return property(get, doc=doc)


class LossResult:
    """The answer to a loss call: every member of the answer as an attribute, in Python names.

    - ``loss``: the reduced loss as a float, or ``None`` (reduction ``"none"``, or an undefined mean: every element
      ignored, or every weight 0; ``gradient`` is then ``None`` too);
    - the loss's outputs under their Python names (``gradient``, ``per_sample_loss``, ``smoothed_targets``,
      ``probabilities``, ``element_loss``, ``teacher_probabilities``, ...): numpy arrays in the computed precision
      when the inputs were numpy arrays (or ``as_numpy=True``), else nested lists; ``None`` when not requested;
    - ``shape`` (the first input's shape), ``dtype`` (``"float32"`` or ``"float64"``: the precision computed in),
      ``reduction``; and, from the JSON transport, ``backend`` (``"cpu"``/``"cuda"``) and the scalars the service
      echoes (``epsilon``: the effective one, ``batch_size`` and ``num_classes`` for cross-entropy, ...), which the
      V2 transport does not carry (``None`` there);
    - ``transport``: ``"json"`` or ``"v2"``; ``raw``: the JSON answer (the JSON part, for V2).

    Members newer than this client are attributes too (``futureMember`` as ``result.future_member``) and are listed in
    :attr:`extra_fields`.
    """

    loss = _member("loss", "The reduced loss, or None (reduction \"none\", or an undefined mean).")
    shape = _member("shape", "The shape of the first input (the logits).")
    dtype = _member("dtype", "The precision computed in: \"float32\" or \"float64\".")
    reduction = _member("reduction", "The reduction applied.")
    backend = _member("backend", "The ND4J backend that computed it, \"cpu\" or \"cuda\" (JSON transport only).")
    gradient = _member("gradient", "d loss / d first input for the reduction (for \"none\": of the sum), or None.")
    per_sample_loss = _member("per_sample_loss", "The loss of each sample (element) before reduction, or None.")
    element_loss = _member("element_loss", "The loss of each element before reduction, or None.")
    smoothed_targets = _member("smoothed_targets", "The smoothed targets, or None.")
    probabilities = _member("probabilities", "softmax (or sigmoid) of the logits, or None.")
    epsilon = _member("epsilon", "The effective label smoothing (JSON transport only).")
    batch_size = _member("batch_size", "N (cross-entropy, JSON transport only).")
    num_classes = _member("num_classes", "C (cross-entropy, JSON transport only).")

    def __init__(self, loss_name: str, values: Mapping[str, Any], raw: Mapping[str, Any], transport: str,
                 known: Iterable[str] = (), wire_names: Optional[Mapping[str, str]] = None) -> None:
        self.loss_name = loss_name
        self.transport = transport
        self.raw = raw
        self._values: Dict[str, Any] = dict(values)
        self._known = frozenset(known) | frozenset(_COMMON)
        self._wire_names: Mapping[str, str] = dict(wire_names or {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        if name in self.__dict__.get("_known", ()):
            return None  # an output of this loss that was not requested
        raise AttributeError(f"the result of {self.__dict__.get('loss_name')} has no member {name!r}; it has "
                             f"{sorted(values)}")

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self._values) | self._known)

    @property
    def extra_fields(self) -> Dict[str, Any]:
        """Members of the answer that the loss's catalogue entry does not name (fields newer than this client), by
        their names on the wire (``futureMember``; they are attributes too: ``result.future_member``)."""
        return {self._wire_names.get(name, name): value for name, value in self._values.items()
                if name not in self._known}

    def as_dict(self) -> Dict[str, Any]:
        """Every member, by Python name."""
        return dict(self._values)

    def __repr__(self) -> str:
        parts = []
        for name, value in self._values.items():
            if hasattr(value, "shape") and hasattr(value, "dtype"):
                parts.append(f"{name}=<{value.dtype} array {tuple(value.shape)}>")
            elif isinstance(value, list) and name != "shape":
                parts.append(f"{name}=<list of {len(value)}>")
            else:
                parts.append(f"{name}={value!r}")
        return f"LossResult({self.loss_name}, {self.transport}: " + ", ".join(parts) + ")"



#: The result type of :func:`cross_entropy` before the catalogue; every loss now gives a :class:`LossResult`.
CrossEntropyResult = LossResult


def first_float(value: Any) -> Optional[float]:
    """A loss tensor's value: shape [0] is undefined (None), shape [1] or [] its only element."""
    if value is None:
        return None
    if hasattr(value, "size"):
        return float(value.reshape(-1)[0]) if value.size else None
    while isinstance(value, list):
        if not value:
            return None
        value = value[0]
    return float(value)
