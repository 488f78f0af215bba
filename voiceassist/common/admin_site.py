from django.contrib import admin
from django.urls import reverse_lazy

from .roles import user_is_back_office


class BackOfficeStyles:
    """The back office's own admin styles (list cells that fit a laptop's screen, the campaign form's
    tables), loaded with the admin's on every model's pages."""

    css = {"all": ("css/back-office-admin.css",)}


class BackOfficeAdminSite(admin.AdminSite):
    """The admin is the back office: staff in the ``back_office`` group (or superusers) only."""

    site_header = "voiceassist back office"
    site_title = "voiceassist"
    index_title = "Back office"
    # "View site" opens the agents' pages, which back office uses too.
    site_url = reverse_lazy("dashboard")

    def has_permission(self, request) -> bool:
        return request.user.is_active and user_is_back_office(request.user)

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        """Register as usual, with the back office's styles added to the model admin's media."""
        admin_class = admin_class or admin.ModelAdmin
        styled = type(
            admin_class.__name__, (admin_class,), {"__module__": admin_class.__module__, "Media": BackOfficeStyles}
        )
        super().register(model_or_iterable, styled, **options)
