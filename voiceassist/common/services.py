"""Writes shared by every app: the audit trail (including login lockouts), roles, and the worker heartbeat."""

import socket
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .models import AuditAction, AuditEvent, WorkerHeartbeat
from .roles import AGENT, BACK_OFFICE, BACK_OFFICE_APPS, BACK_OFFICE_EXTRA_PERMISSIONS


def audit_event_record(
    *,
    actor: AbstractBaseUser | None,
    action: AuditAction,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what. Called inside the service's own transaction, so both land or neither. ``action`` is
    one of ``AuditAction`` (a string that is not one raises ``ValueError``: the trail reads only known words)."""
    action = AuditAction(action)
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        details=details or {},
    )


def login_lockout_record(
    *, username: str | None, ip_address: str | None, path: str, locked_until: datetime
) -> AuditEvent:
    """django-axes locked a username out of logging in from an address. The username is recorded only when it
    names a user: a stranger one may be a password typed into the wrong field."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    return audit_event_record(
        actor=None,
        action=AuditAction.LOGIN_LOCKED_OUT,
        target=user,
        details={
            "username": user.get_username() if user else None,
            "ip_address": ip_address,
            "path": path,
            "locked_until": locked_until.isoformat(),
        },
    )


def roles_sync() -> None:
    """Create the role groups and give back office the permissions of the product's models.

    Runs after every ``migrate``, so models added later are granted without another migration.
    """
    Group.objects.get_or_create(name=AGENT)
    back_office, _ = Group.objects.get_or_create(name=BACK_OFFICE)
    extra = Q()
    for app_label, codename in BACK_OFFICE_EXTRA_PERMISSIONS:
        extra |= Q(content_type__app_label=app_label, codename=codename)
    permissions = Permission.objects.filter(Q(content_type__app_label__in=BACK_OFFICE_APPS) | extra)
    back_office.permissions.add(*permissions)


def worker_heartbeat_record() -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname()[:200], defaults={"seen_at": timezone.now()}
    )
    return heartbeat


def user_ensure_with_role(*, username: str, password: str, role: str, full_name: str = "") -> AbstractBaseUser:
    """Create (or reset) a user in one role; back-office users may open the admin."""
    from django.contrib.auth import get_user_model

    first_name, _, last_name = full_name.partition(" ")
    user, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "is_staff": role == BACK_OFFICE, "is_active": True},
    )
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user
