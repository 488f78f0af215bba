from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, **kwargs) -> None:
    from .services import roles_sync

    roles_sync()


class CommonConfig(AppConfig):
    name = "voiceassist.common"
    label = "common"
    verbose_name = "System"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, sender=self)
