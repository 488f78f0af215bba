"""The roles of the product and what each may do.

- ``back_office``: the Django admin and uploads; every permission on the product's own models.
- ``agent``: the agents' pages only, never the admin.
- Integrations are users with an API token and the permissions they are given in the admin. Back office
  makes and revokes tokens for users who are not staff; only a superuser may for staff or a superuser.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

BACK_OFFICE = "back_office"
AGENT = "agent"
ALL_ROLES = (BACK_OFFICE, AGENT)

# Apps whose models back-office staff manage in full through the admin.
BACK_OFFICE_APPS = ("customers", "uploads", "calls", "payments", "exports")
# Extra (app_label, codename) permissions for back-office staff.
BACK_OFFICE_EXTRA_PERMISSIONS = (
    ("common", "view_auditevent"),
    ("common", "view_workerheartbeat"),
    # API tokens: made (key shown once) and revoked; only superusers may do either for staff.
    ("api_tokens", "view_apitoken"),
    ("api_tokens", "add_apitoken"),
    ("api_tokens", "delete_apitoken"),
    # Login lockouts (django-axes): see who is locked out, and lift a lock by deleting its attempt.
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accesslog"),
)


def user_has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


def user_is_back_office(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_staff and user_has_role(user, BACK_OFFICE))


def user_is_agent(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user_has_role(user, AGENT)


def user_may_use_agents_pages(user) -> bool:
    """Who may open the agents' pages (and the pages beside them, such as payments'): agents and back office
    (back office alone for uploads)."""
    return user_is_agent(user) or user_is_back_office(user)
