"""How refused requests are logged."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """Django logs a refused request (PermissionDenied, Http404, a body too large)
    with the exception that refused it. That is not an error of the service: keep
    the one line ("Forbidden (Permission denied): /review/") and drop the
    traceback, so real server errors stand out."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
