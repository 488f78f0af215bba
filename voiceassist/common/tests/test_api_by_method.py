"""``api_by_method``: one path, one API class per method, each with its own rules; one path in the schema."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from customers.models import Customer
from voiceassist.common.api import api_by_method, error_responses
from voiceassist.common.permissions import model_permission
from voiceassist.common.tests.factories import UserFactory, api_token_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

CanViewThings = model_permission("customers.view_customer")
CanAddThings = model_permission("customers.view_customer", "customers.add_customer")
ALL_METHODS = "GET, POST, HEAD, OPTIONS"


class ThingOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "full_name"]


class ThingListApi(ListAPIView):
    """Things, by name."""

    permission_classes = [CanViewThings]
    serializer_class = ThingOutputSerializer

    def get_queryset(self):
        return Customer.objects.order_by("full_name", "id")


class ThingCreateApi(APIView):
    """Make a thing."""

    parser_classes = [JSONParser]
    permission_classes = [CanAddThings]

    @extend_schema_serializer(component_name="ThingCreateInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=20)

    @extend_schema(request=InputSerializer, responses={201: ThingOutputSerializer, **error_responses(400)})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"id": 1, "full_name": data.validated_data["name"]}, status=201)


urlpatterns = [path("things/", api_by_method(get=ThingListApi, post=ThingCreateApi), name="things")]


def _client(*codenames: str) -> APIClient:
    user = UserFactory()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


@pytest.fixture
def may_add() -> APIClient:
    return _client("view_customer", "add_customer")


def test_each_method_goes_to_its_own_api(may_add):
    listed = may_add.get("/things/")
    created = may_add.post("/things/", {"name": "Asha"}, format="json")
    head = may_add.head("/things/")

    assert listed.status_code == 200 and set(listed.json()) == {"count", "next", "previous", "results"}
    assert created.status_code == 201 and created.json() == {"id": 1, "full_name": "Asha"}
    assert head.status_code == 200 and head.content == b""


def test_each_api_applies_its_own_permissions():
    may_list = _client("view_customer")

    assert may_list.get("/things/").status_code == 200
    refused = may_list.post("/things/", {"name": "Asha"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert APIClient().get("/things/").status_code == 401


def test_each_api_parses_bodies_its_own_way(may_add):
    form = may_add.post("/things/", {"name": "Asha"})  # multipart: the create API takes JSON only

    assert form.status_code == 415
    assert form.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_method_the_path_lacks_is_405_naming_the_paths_methods(may_add, method):
    response = getattr(may_add, method)("/things/", {}, format="json")

    assert response.status_code == 405
    assert response["Allow"] == ALL_METHODS
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_every_answer_names_all_the_paths_methods(may_add):
    assert may_add.get("/things/")["Allow"] == ALL_METHODS
    assert may_add.post("/things/", {"name": "Asha"}, format="json")["Allow"] == ALL_METHODS
    assert may_add.post("/things/", {}, format="json")["Allow"] == ALL_METHODS  # an error too


def test_options_describes_the_whole_path(may_add):
    response = may_add.options("/things/")

    assert response.status_code == 200
    assert response["Allow"] == ALL_METHODS
    body = response.json()
    assert body["name"] == "Thing List Api / Thing Create Api"
    assert body["description"] == "GET: Things, by name.\n\nPOST: Make a thing."
    assert body["parses"] == ["application/json"]


def test_the_csrf_check_is_each_apis_own():
    """Django's CSRF middleware leaves the path to DRF, as it does any DRF view: a session must send the
    CSRF token to write, a token needs none."""
    user = UserFactory()
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_customer", "add_customer"]))
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(user)
    with_token = APIClient(enforce_csrf_checks=True)
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")

    assert session.get("/things/").status_code == 200
    refused = session.post("/things/", {"name": "Asha"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    assert with_token.post("/things/", {"name": "Asha"}, format="json").status_code == 201


def _operations(view) -> dict:
    schema = SchemaGenerator(patterns=[path("things/", view)]).get_schema(request=None, public=True)
    return {"paths": schema["paths"]["/things/"], "components": schema["components"]}


def test_the_schema_shows_each_method_as_its_own_api_alone_would():
    by_method = _operations(api_by_method(get=ThingListApi, post=ThingCreateApi))
    listed, created = _operations(ThingListApi.as_view()), _operations(ThingCreateApi.as_view())

    assert by_method["paths"] == {**listed["paths"], **created["paths"]}
    assert by_method["paths"]["get"]["operationId"] == "things_list"
    assert by_method["paths"]["get"]["description"] == "Things, by name."
    assert {p["name"] for p in by_method["paths"]["get"]["parameters"]} == {"page", "page_size"}
    assert by_method["paths"]["post"]["operationId"] == "things_create"
    assert list(by_method["paths"]["post"]["requestBody"]["content"]) == ["application/json"]
    assert set(by_method["components"]["schemas"]) >= {
        "ThingCreateInputRequest",
        "ThingOutput",
        "PaginatedThingOutputList",
    }


def test_only_http_methods_and_their_handlers_are_taken():
    with pytest.raises(TypeError, match="handler"):
        api_by_method(get=ThingListApi, post=ThingListApi)
    with pytest.raises(TypeError, match="HTTP methods"):
        api_by_method(options=ThingListApi)
    with pytest.raises(TypeError, match="HTTP methods"):
        api_by_method(fetch=ThingListApi)
