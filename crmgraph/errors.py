"""Domain errors: each carries its HTTP status and the documented JSON body."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str = "Bad request", **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.message, **self.extra}


class BadRequest(DomainError):
    pass


class ValidationFailed(DomainError):
    code = "validation_failed"

    def __init__(self, details: list[dict[str, Any]], message: str = "Validation failed") -> None:
        super().__init__(message, details=details)


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message)


class Forbidden(DomainError):
    status = 403
    code = "forbidden"

    def __init__(self, required: list[str] | None = None, message: str = "Forbidden") -> None:
        if required:
            super().__init__(message, requiredFeatures=list(required))
        else:
            super().__init__(message)


class NotFound(DomainError):
    status = 404
    code = "not_found"

    def __init__(self, message: str = "Not found") -> None:
        super().__init__(message)


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unprocessable(DomainError):
    status = 422
    code = "unprocessable"


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str = "Too many requests") -> None:
        super().__init__(message)


def issue(path: str | list[Any], message: str, code: str = "invalid") -> dict[str, Any]:
    """One validation issue in the documented ``{code, message, path}`` shape."""
    return {"code": code, "message": message, "path": [path] if isinstance(path, str) else list(path)}
