"""Making and revoking API tokens: who may, and the audit trail of both. The key is never recorded."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .models import ApiToken


class ApiTokenNotAllowed(ApplicationError):
    code = "api_token_not_allowed"
    status_code = 403


def api_token_check_allowed(*, actor: AbstractBaseUser | None, user: AbstractBaseUser) -> None:
    """A token acts as its user: only a superuser may make or revoke one for staff or a superuser, or back
    office could give itself a superuser's powers. ``actor=None`` is the system (commands, tests)."""
    if actor is None or actor.is_superuser:
        return
    if user.is_staff or user.is_superuser:
        raise ApiTokenNotAllowed(
            f"{user.get_username()} is a staff user: only a superuser may create or revoke their API tokens. "
            "Ask a superuser, or give the integration its own non-staff user."
        )


@transaction.atomic
def api_token_create(
    *, actor: AbstractBaseUser | None, user: AbstractBaseUser, valid_days: int | None
) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``valid_days`` (``None``: until revoked). Returns the token and its key:
    the only time the key exists outside the client that receives it."""
    api_token_check_allowed(actor=actor, user=user)
    if not user.is_active:
        raise ApplicationError(
            f"{user.get_username()} is not active: activate the user before giving it an API token.",
            code="user_inactive",
        )
    if valid_days is not None and valid_days < 1:
        raise ApplicationError("A token must be valid for at least one day.", code="invalid_validity")
    token, key = ApiToken.objects.create(user=user, expiry=timedelta(days=valid_days) if valid_days else None)
    audit_event_record(
        actor=actor,
        action=AuditAction.API_TOKEN_CREATED,
        target=user,
        details={"user": user.get_username(), "token": token.prefix, "expires_at": _iso(token)},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: AbstractBaseUser | None, token: ApiToken) -> None:
    """Delete the token: the next request carrying its key gets 401."""
    api_token_check_allowed(actor=actor, user=token.user)
    details = {"user": token.user.get_username(), "token": token.prefix, "expires_at": _iso(token)}
    token.delete()
    audit_event_record(actor=actor, action=AuditAction.API_TOKEN_REVOKED, target=token.user, details=details)


def _iso(token: ApiToken) -> str | None:
    return token.expiry.isoformat() if token.expiry else None
