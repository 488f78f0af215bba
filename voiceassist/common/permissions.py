from rest_framework.permissions import BasePermission


def model_permission(*perms: str) -> type[BasePermission]:
    """A DRF permission requiring every one of ``perms`` (``"app.codename"``) of the user.

    Back office holds them through its group; an integration user holds what the admin gave it.
    """

    class HasModelPermission(BasePermission):
        message = "Your account may not do this. Ask an administrator for access."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    HasModelPermission.__name__ = f"Has({', '.join(perms)})"
    return HasModelPermission
