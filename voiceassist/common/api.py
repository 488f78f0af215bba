"""What the public API's views share: pagination, the agents-or-permissions rule, the error schema."""

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission

from voiceassist.common.roles import user_is_agent

# The largest id a path may carry (PostgreSQL ``bigint``); larger ones cannot name any row.
MAX_ID = 2**63 - 1


class ApiPagination(PageNumberPagination):
    """Pages of 50 by default; ``?page_size=`` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A filter on an id: a whole number that can name a row (``NumberFilter`` would take ``1.5`` or ``10**30``)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "example": "09:30:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A time of day without a zone (``HH:MM[:SS]``), the customer's local time.

    (OpenAPI's ``format: time`` means RFC 3339 ``full-time``, which needs a UTC offset: not what this is.)
    """


def agent_or_model_permission(*perms: str) -> type[BasePermission]:
    """A DRF permission for what agents do: any agent may, and so may any user holding every one of ``perms``.

    Agents hold no model permissions (their group is a role, not a set of grants); back office holds
    them all through its group; an integration user holds what the admin gave it.
    """

    class IsAgentOrHasPerms(BasePermission):
        message = "Your account may not do this. Ask an administrator for access."

        def has_permission(self, request, view) -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False
            return user_is_agent(user) or user.has_perms(perms)

    IsAgentOrHasPerms.__name__ = f"IsAgentOrHas({', '.join(perms)})"
    return IsAgentOrHasPerms


# --- The one error shape, as the schema describes it ---------------------------------------------


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable: invalid, not_found, outside_window…")
    message = serializers.CharField(help_text="For the person who made the request.")
    details = serializers.JSONField(help_text="Per-field messages for ``invalid``; otherwise context, or {}.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


_ERROR_DESCRIPTIONS = {
    400: "The values sent are not valid, or a business rule refused the request.",
    401: "Not authenticated: send `Authorization: Token …` or log in.",
    403: "Authenticated, but this account may not do this.",
    404: "No such object.",
    429: "Too many requests; try again later.",
}


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """The error responses of an operation, all in the one shape (401, 403 and 429 always apply)."""
    codes = sorted({*status_codes, 401, 403, 429})
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]) for code in codes}


def schema_postprocess_ids(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: integer ids in paths are positive and fit a ``bigint``, as the database's ids do."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    schema.setdefault("minimum", 1)
                    schema.setdefault("maximum", MAX_ID)
    return result
