"""The errors the client raises: the service's answers as typed exceptions carrying the problem details.

Both transports raise the same types. The JSON API answers with RFC 9457 ``application/problem+json``; the Open
Inference Protocol (V2) with ``{"error": "message"}``, whose message lists every rule broken, each after the name of
an input tensor or a parameter. The client turns those names back into the JSON pointers of the JSON API
(``input targets[1]`` is ``/targets/1``, ``parameter ignore_index`` is ``/ignoreIndex``), so that
:attr:`LossServiceError.pointers` means the same whichever transport carried the request.
"""

from __future__ import annotations

import http
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Type

__all__ = [
    "InvalidRequestError",
    "LossServiceConnectionError",
    "LossServiceError",
    "LossServiceTimeoutError",
    "NotFoundError",
    "OverloadedError",
    "ProblemError",
    "ServerError",
]


@dataclass(frozen=True)
class ProblemError:
    """One violation of an invalid request.

    ``pointer`` is an RFC 6901 JSON pointer into the request body of the JSON API (camelCase field names),
    e.g. ``"/logits/1/1"`` or ``"/targets/0"``, for both transports (see the module's documentation); ``""`` is
    the request as a whole.
    """

    pointer: str
    message: str


class LossServiceError(Exception):
    """The service answered with a 4xx or 5xx status (or could not be reached: :class:`LossServiceConnectionError`).

    The attributes are the members of the ``application/problem+json`` body (RFC 9457):

    - ``status``: the HTTP status (``None`` only for :class:`LossServiceConnectionError`);
    - ``type``: a stable URI per kind of error, e.g. ``"tag:loss-service,2026:problems/invalid-request"``
      (``"about:blank"`` when the answer was not a problem document: a V2 error, a proxy's page);
    - ``title``: a short summary of that kind; ``detail``: what went wrong with this request;
    - ``instance``: the path of the request;
    - ``errors``: for an invalid request, every violation with its JSON pointer (:class:`ProblemError`);
    - ``problem``: the whole body as a dict, members unknown to this client included;
    - ``retry_after``: the seconds of a ``Retry-After`` header, when the answer had one;
    - ``transport``: ``"json"`` or ``"v2"``, the API that answered.

    The subclasses sort the statuses: :class:`InvalidRequestError` (400, 413, 415, 422), :class:`NotFoundError`
    (404), :class:`OverloadedError` (503), :class:`ServerError` (other 5xx).
    """

    def __init__(
        self,
        status: Optional[int],
        type: str = "about:blank",
        title: str = "",
        detail: str = "",
        instance: Optional[str] = None,
        errors: Sequence[ProblemError] = (),
        problem: Optional[Mapping[str, Any]] = None,
        retry_after: Optional[float] = None,
        transport: Optional[str] = None,
    ) -> None:
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.instance = instance
        self.errors: List[ProblemError] = list(errors)
        self.problem: Mapping[str, Any] = dict(problem) if problem is not None else {}
        self.retry_after = retry_after
        self.transport = transport
        super().__init__(self._describe())

    @property
    def pointers(self) -> List[str]:
        """The JSON pointers of :attr:`errors`, in the service's order."""
        return [error.pointer for error in self.errors]

    def _describe(self) -> str:
        head = " ".join(part for part in (str(self.status) if self.status else "", self.title) if part)
        text = f"{head}: {self.detail}" if self.detail else head
        for error in self.errors[:10]:
            text += f"\n  {error.pointer or '(the request)'}: {error.message}"
        if len(self.errors) > 10:
            text += f"\n  ... and {len(self.errors) - 10} more"
        return text

    @classmethod
    def from_response(cls, status: int, reason: str, body: bytes, retry_after: Optional[float] = None,
                      instance: Optional[str] = None) -> "LossServiceError":
        """Builds the error of a JSON API answer, problem+json or not, as the subclass its status calls for."""
        problem = _json_object(body)
        error_class = error_class_for(status)
        reason = _reason(status, reason)
        if problem is None:
            snippet = body[:500].decode("utf-8", errors="replace").strip()
            return error_class(status, title=reason or "", detail=snippet, instance=instance,
                               retry_after=retry_after, transport="json")
        errors = tuple(
            ProblemError(pointer=str(item.get("pointer", "")), message=str(item.get("message", "")))
            for item in problem.get("errors") or ()
            if isinstance(item, dict)
        )
        return error_class(
            status=int(problem.get("status") or status),
            type=str(problem.get("type") or "about:blank"),
            title=str(problem.get("title") or reason or ""),
            detail=str(problem.get("detail") or ""),
            instance=problem.get("instance", instance),
            errors=errors,
            problem=problem,
            retry_after=retry_after,
            transport="json",
        )

    @classmethod
    def from_inference_response(cls, status: int, reason: str, body: bytes, path: str,
                                json_name: Callable[[str, str], Optional[str]],
                                retry_after: Optional[float] = None) -> "LossServiceError":
        """Builds the error of an Open Inference Protocol answer (``{"error": "..."}``).

        ``json_name(kind, name)`` gives the JSON API's field of an input tensor (kind ``"input"``) or a parameter
        (kind ``"parameter"``), or None; it turns the message's names back into JSON pointers.
        """
        document = _json_object(body)
        error_class = error_class_for(status)
        reason = _reason(status, reason)
        if document is None or not isinstance(document.get("error"), str):
            snippet = body[:500].decode("utf-8", errors="replace").strip()
            return error_class(status, title=reason or "", detail=snippet, instance=path, retry_after=retry_after,
                               transport="v2")
        message = document["error"]
        return error_class(status, title=reason or "", detail=message, instance=path,
                           errors=parse_inference_message(message, json_name), problem=document,
                           retry_after=retry_after, transport="v2")


class InvalidRequestError(LossServiceError, ValueError):
    """The request was refused as it is: 422 (a rule broken: see :attr:`errors` and :attr:`pointers`), 400 (not
    well-formed, or any rule broken on the V2 transport), 413 (too large) or 415 (wrong media type)."""


class NotFoundError(LossServiceError, LookupError):
    """404: no such loss (or model, on V2), or no such path: check the client's ``base_url``."""


class OverloadedError(LossServiceError):
    """503: the service is overloaded (with :attr:`retry_after`, once the client's retries are spent) or the
    request passed the service's processing deadline (``type`` ending in ``deadline-exceeded``, not retried)."""


class ServerError(LossServiceError):
    """A 5xx answer other than 503: the service (or a proxy before it) failed."""


class LossServiceConnectionError(LossServiceError, ConnectionError):
    """The service could not be reached, or the connection broke, after the client's retries: there is no HTTP
    status."""

    def __init__(self, url: str, reason: object) -> None:
        super().__init__(None, title="Service unreachable", detail=f"{url}: {reason}")


class LossServiceTimeoutError(LossServiceConnectionError, TimeoutError):
    """No answer within the client's ``timeout`` (not retried: the request may still be computing)."""


def error_class_for(status: int) -> Type[LossServiceError]:
    """The exception type of an HTTP error status."""
    if status in (400, 413, 415, 422):
        return InvalidRequestError
    if status == 404:
        return NotFoundError
    if status == 503:
        return OverloadedError
    if status >= 500:
        return ServerError
    return LossServiceError


def _reason(status: int, reason: Optional[str]) -> str:
    """The reason phrase as sent, or the standard one (servers may send none)."""
    if reason:
        return reason
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _json_object(body: bytes) -> Optional[Dict[str, Any]]:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return document if isinstance(document, dict) else None


# "The request breaks 2 rules: parameter epsilon: must be in [0, 1], found 2.0; input targets[1]: class index 5
# is outside [0, 2)." -- every rule after the name of what breaks it; a single rule has no preamble.
_PREAMBLE = re.compile(r"^The request breaks \d+ rules: ")
_SUBJECT = r"(?:input [A-Za-z0-9_]+(?:\[\d+\])*|parameter [A-Za-z0-9_]+|outputs|/[^\s:;]*|the request)"
_RULE = re.compile(r"^(" + _SUBJECT + r"): (.*)$", re.DOTALL)
_SEPARATOR = re.compile(r"; (?=" + _SUBJECT + r": |and \d+ more$)")


def parse_inference_message(message: str, json_name: Callable[[str, str], Optional[str]]) -> Tuple[ProblemError, ...]:
    """The violations listed in a V2 error message, with JSON API pointers; empty when it lists none."""
    text = _PREAMBLE.sub("", message.strip())
    if text.endswith("."):
        text = text[:-1]
    errors: List[ProblemError] = []
    for part in _SEPARATOR.split(text):
        match = _RULE.match(part)
        if match is None:
            if errors or not part.startswith("and "):
                continue
            return ()
        subject, rule = match.groups()
        errors.append(ProblemError(_pointer(subject, json_name), rule))
    return tuple(errors)


def _pointer(subject: str, json_name: Callable[[str, str], Optional[str]]) -> str:
    if subject == "the request":
        return ""
    if subject == "outputs":
        return "/include"
    if subject.startswith("/"):
        return subject  # a pointer into the protocol's own document, e.g. /inputs/0/shape
    kind, _, rest = subject.partition(" ")
    name, _, indices = rest.partition("[")
    field = json_name(kind, name) or name
    pointer = "/" + field
    if indices:
        pointer += "/" + "/".join(index.rstrip("]") for index in ("[" + indices).split("[")[1:])
    return pointer
