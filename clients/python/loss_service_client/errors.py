"""The errors the client raises: the service's RFC 9457 problem details, as an exception."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

__all__ = ["LossServiceError", "LossServiceConnectionError", "ProblemError"]


@dataclass(frozen=True)
class ProblemError:
    """One violation of a 422 ``invalid-request`` problem.

    ``pointer`` is an RFC 6901 JSON pointer into the request body as sent (camelCase field names),
    e.g. ``"/logits/1/1"`` or ``"/targets/0"``.
    """

    pointer: str
    message: str


class LossServiceError(Exception):
    """The service answered with a 4xx or 5xx status.

    The attributes are the members of the ``application/problem+json`` body (RFC 9457):

    - ``status``: the HTTP status (``None`` only for :class:`LossServiceConnectionError`);
    - ``type``: a stable URI per kind of error, e.g. ``"tag:loss-service,2026:problems/invalid-request"``;
    - ``title``: a short summary of that kind; ``detail``: what went wrong with this request;
    - ``instance``: the path of the request;
    - ``errors``: for an invalid request, every violation with its JSON pointer;
    - ``problem``: the whole body as a dict, members unknown to this client included.

    When the body is not a problem document (a proxy's error page, say), ``type`` is ``"about:blank"``,
    ``title`` the HTTP reason and ``detail`` the start of the body.
    """

    def __init__(
        self,
        status: Optional[int],
        type: str = "about:blank",
        title: str = "",
        detail: str = "",
        instance: Optional[str] = None,
        errors: Tuple[ProblemError, ...] = (),
        problem: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.instance = instance
        self.errors: List[ProblemError] = list(errors)
        self.problem: Mapping[str, Any] = dict(problem) if problem is not None else {}
        super().__init__(self._describe())

    @property
    def pointers(self) -> List[str]:
        """The JSON pointers of :attr:`errors`, in the service's order."""
        return [error.pointer for error in self.errors]

    def _describe(self) -> str:
        head = " ".join(part for part in (str(self.status) if self.status else "", self.title) if part)
        text = f"{head}: {self.detail}" if self.detail else head
        for error in self.errors[:10]:
            text += f"\n  {error.pointer}: {error.message}"
        if len(self.errors) > 10:
            text += f"\n  ... and {len(self.errors) - 10} more"
        return text

    @classmethod
    def from_response(cls, status: int, reason: str, body: bytes) -> "LossServiceError":
        """Builds the error from an HTTP error response, problem+json or not."""
        try:
            problem = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            problem = None
        if not isinstance(problem, dict):
            snippet = body[:500].decode("utf-8", errors="replace").strip()
            return cls(status, title=reason or "", detail=snippet)
        errors = tuple(
            ProblemError(pointer=str(item.get("pointer", "")), message=str(item.get("message", "")))
            for item in problem.get("errors") or ()
            if isinstance(item, dict)
        )
        return cls(
            status=int(problem.get("status") or status),
            type=str(problem.get("type") or "about:blank"),
            title=str(problem.get("title") or reason or ""),
            detail=str(problem.get("detail") or ""),
            instance=problem.get("instance"),
            errors=errors,
            problem=problem,
        )


class LossServiceConnectionError(LossServiceError, ConnectionError):
    """The service could not be reached (refused, unknown host, timeout): there is no HTTP status."""

    def __init__(self, url: str, reason: object) -> None:
        super().__init__(None, title="Service unreachable", detail=f"{url}: {reason}")
