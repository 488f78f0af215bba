from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    """The Django admin, served by the back-office site (see ``admin_site.py``)."""

    default_site = "voiceassist.common.admin_site.BackOfficeAdminSite"


class LoginAttemptsConfig(AxesAppConfig):
    """django-axes (failed log-ins and lockouts), under a name back office understands in the admin."""

    verbose_name = "Log-in attempts"
