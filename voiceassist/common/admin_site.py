from django.contrib import admin

from .roles import user_is_back_office


class BackOfficeAdminSite(admin.AdminSite):
    """The admin is the back office: staff in the ``back_office`` group (or superusers) only."""

    site_header = "voiceassist back office"
    site_title = "voiceassist"
    index_title = "Back office"

    def has_permission(self, request) -> bool:
        return request.user.is_active and user_is_back_office(request.user)
