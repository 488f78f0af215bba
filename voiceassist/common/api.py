"""What the public API's views share: one path served by one class per method, the agents-or-permissions
rule, the error schema. (Their pagination, every list's default, is ``voiceassist.common.pagination``.)"""

from collections.abc import Callable
from typing import ClassVar

from django import forms
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django_filters import rest_framework as filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from voiceassist.common.roles import user_is_agent

# The largest id a path may carry (PostgreSQL ``bigint``); larger ones cannot name any row.
MAX_ID = 2**63 - 1


# --- One path, one class per method -------------------------------------------------------------


class ByMethodSchema(AutoSchema):
    """The schema of a by-method path: each method described on an instance of the class serving it, as
    drf-spectacular would describe it if that class alone served the path."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        path_view = self.view
        api = path_view.apis[method.lower()]()
        api.args, api.kwargs, api.format_kwarg = path_view.args, path_view.kwargs, path_view.format_kwarg
        api.request = path_view.request
        api.swagger_fake_view = True
        # What drf-spectacular does for a view of its own: an ``@extend_schema`` of the handler brings its
        # own schema class.
        handler = getattr(api, method.lower())
        schema = (getattr(handler, "kwargs", {}).get("schema") or api_settings.DEFAULT_SCHEMA_CLASS)()
        schema.view = api
        return schema.get_operation(path, path_regex, path_prefix, method, registry)


class ByMethodApi(APIView):
    """The path of ``api_by_method``: hands each request to its method's own view, and answers the rest.

    Like any DRF view it is exempt from Django's CSRF middleware: the check is each API class's own (DRF's
    session authentication makes it), so a session must send the CSRF token to write and a token need not.
    """

    apis: ClassVar[dict[str, type[APIView]]] = {}
    api_views: ClassVar[dict[str, Callable[..., HttpResponseBase]]] = {}
    schema = ByMethodSchema()

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        method = request.method.lower()
        if method == "head" and "head" not in self.api_views:
            method = "get"
        if method not in self.api_views:
            return super().dispatch(request, *args, **kwargs)  # 405, or OPTIONS: DRF's answer for the path
        response = self.api_views[method](request, *args, **kwargs)
        if response.has_header("Allow"):
            response["Allow"] = ", ".join(self.allowed_methods)
        return response

    def served_by_its_own_api(self, request, *args, **kwargs):
        # Only there so that ``allowed_methods`` names the method (the Allow header, the schema's endpoints).
        raise AssertionError("dispatch() hands this method to its own API class.")

    # What OPTIONS describes: the path's operations, and the bodies its writes accept.

    def get_view_name(self) -> str:
        return " / ".join(api().get_view_name() for api in self.apis.values())

    def get_view_description(self, html: bool = False) -> str:
        return "\n\n".join(f"{method.upper()}: {api().get_view_description(html)}" for method, api in self.apis.items())

    @property
    def parser_classes(self) -> list:
        writes = [api for method, api in self.apis.items() if method.upper() not in SAFE_METHODS]
        return list(dict.fromkeys(parser for api in writes for parser in api.parser_classes))


def api_by_method(**apis: type[APIView]) -> Callable[..., HttpResponseBase]:
    """The view of a path whose methods are separate operations, each its own API class::

        path("campaigns/", api_by_method(get=CampaignListApi, post=CampaignCreateApi), name="api-campaign-list")

    A request goes to the ``as_view()`` of its method's class, which alone decides its authentication, CSRF
    check, permissions, throttles, parsers and serializers; HEAD goes where GET does. Any other method gets
    DRF's own answer for the path (checked as the project's default permissions say): 405, or the OPTIONS
    description. Every answer's ``Allow`` header names all the path's methods, as it would if one class
    served them all.

    The schema shows each method as the operation of its own class (operation id, description, parameters,
    request and responses), as if that class alone served the path.
    """
    methods = {method.lower(): api for method, api in apis.items()}
    for method, api in methods.items():
        if method not in APIView.http_method_names or method in ("head", "options"):
            raise TypeError(f"api_by_method() takes HTTP methods (get=, post=, …), not {method}=.")
        if not (isinstance(api, type) and issubclass(api, APIView) and hasattr(api, method)):
            raise TypeError(f"{method}={api!r} must be an APIView class with a {method}() handler.")
    name = "ByMethodApi[{}]".format(", ".join(f"{method}={api.__name__}" for method, api in methods.items()))
    attributes = {
        "__module__": next(iter(methods.values())).__module__,
        "__qualname__": name,
        "apis": methods,
        "api_views": {method: api.as_view() for method, api in methods.items()},
        **{method: ByMethodApi.served_by_its_own_api for method in methods},
    }
    return type(name, (ByMethodApi,), attributes).as_view()


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
