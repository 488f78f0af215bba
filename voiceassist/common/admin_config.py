from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    """The Django admin, served by the back-office site (see ``admin_site.py``)."""

    default_site = "voiceassist.common.admin_site.BackOfficeAdminSite"
