"""The refusals of exports, each an ``ApplicationError`` with its code and status (one JSON error shape)."""

from voiceassist.common.exceptions import ApplicationError


class ExportForbidden(ApplicationError):
    code = "permission_denied"
    status_code = 403


class ExportTooLarge(ApplicationError):
    """Too many rows to send in one request before the web server's timeout: start a job instead.

    409 (the table's present size conflicts with a direct download), not 413, which is about the size of
    what the client sent.
    """

    code = "export_too_large"
    status_code = 409


class ExportNotReady(ApplicationError):
    code = "export_not_ready"
    status_code = 409


class ExportExpired(ApplicationError):
    code = "export_expired"
    status_code = 410


class ExportQueueUnavailable(ApplicationError):
    code = "queue_unavailable"
    status_code = 503


class IllegalTransition(ApplicationError):
    code = "illegal_transition"
