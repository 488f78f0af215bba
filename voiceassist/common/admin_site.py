from django.contrib import admin
from django.urls import reverse_lazy

from .roles import user_is_back_office


class BackOfficeAdminSite(admin.AdminSite):
    """The admin is the back office: staff in the ``back_office`` group (or superusers) only. Its own styles
    are on every page through ``templates/admin/base_site.html``."""

    site_header = "voiceassist back office"
    site_title = "voiceassist"
    index_title = "Back office"
    # "View site" opens the agents' pages, which back office uses too.
    site_url = reverse_lazy("dashboard")

    def has_permission(self, request) -> bool:
        return request.user.is_active and user_is_back_office(request.user)
