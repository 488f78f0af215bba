from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, **kwargs) -> None:
    from .services import roles_sync

    roles_sync()


def _audit_login_lockout(sender, request, username, ip_address, **kwargs) -> None:
    # django-axes sends this for the failure that makes a lock and again for each try refused during it;
    # only the first has counted failures, and only the lock itself is worth an audit event.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    from .selectors import login_lockout_ends_at
    from .services import login_lockout_record

    locked_until = login_lockout_ends_at(username=username, ip_address=ip_address)
    if locked_until is not None:
        login_lockout_record(username=username, ip_address=ip_address, path=request.path, locked_until=locked_until)


class CommonConfig(AppConfig):
    name = "voiceassist.common"
    label = "common"
    verbose_name = "System"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        # After every app's migrations, not only this one's: an app migrated later brings permissions of its
        # own, and back office must hold them after the first ``migrate`` of a new database.
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="common.sync_roles_after_migrate")
        user_locked_out.connect(_audit_login_lockout, dispatch_uid="common.audit_login_lockout")
