"""The one error type the API answers with: JSON `{"detail": ...}` and a
status code, plus `errors: [{"field", "message"}]` when one field is at fault.

It sits in `config`, the lowest layer, so every app's API module can raise it
without an upward import; config/api.py turns it into the response."""


class ApiError(Exception):
    """An error the API answers as JSON `{"detail": ...}` with a status code."""

    def __init__(self, status: int, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
