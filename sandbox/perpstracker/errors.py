"""The documented error body `{"error", "code", "details", "timestamp"}` and the exception that carries it."""

from __future__ import annotations

from starlette.responses import JSONResponse

from sandbox.perpstracker.wire import iso_s

TIMEFRAMES = ("24h", "7d", "30d", "365d")


class ApiError(Exception):
    """Raised by a handler; the endpoint wrapper turns it into the documented error response."""

    def __init__(self, status: int, error: str, code: str, details: str) -> None:
        super().__init__(error)
        self.status, self.error, self.code, self.details = status, error, code, details


def error_body(error: str, code: str, details: str, now_ms: int) -> dict[str, object]:
    return {"error": error, "code": code, "details": details, "timestamp": iso_s(now_ms)}


def error_response(exc: ApiError, now_ms: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(exc.error, exc.code, exc.details, now_ms), exc.status, headers=headers)


def invalid(name: str, details: str) -> ApiError:
    """400 INVALID_PARAMETER, worded like the docs' own example (`Invalid timeframe parameter`)."""
    return ApiError(400, f"Invalid {name} parameter", "INVALID_PARAMETER", details)


def bad_timeframe(allowed: tuple[str, ...] = TIMEFRAMES) -> ApiError:
    return invalid("timeframe", "Timeframe must be one of: " + ", ".join(allowed))


def not_found(what: str, details: str) -> ApiError:
    return ApiError(404, what, "NOT_FOUND", details)


def elite_required() -> ApiError:
    return ApiError(403, "Elite subscription required", "ELITE_REQUIRED",
                    "This endpoint is available to Elite subscribers only")
