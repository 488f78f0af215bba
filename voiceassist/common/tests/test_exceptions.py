import pytest
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from voiceassist.common.exceptions import ApplicationError

factory = APIRequestFactory()


class _Input(serializers.Serializer):
    phone = serializers.CharField()


class _View(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        _Input(data=request.data).is_valid(raise_exception=True)
        raise ApplicationError("Loan LN1 belongs to another customer.", code="loan_other_customer")


class _ProtectedView(APIView):
    def get(self, request):
        raise AssertionError("never reached")


def test_a_business_error_becomes_the_one_error_shape():
    response = _View.as_view()(factory.post("/", {"phone": "9876543210"}, format="json"))

    assert response.status_code == 400
    assert response.data == {
        "error": {"code": "loan_other_customer", "message": "Loan LN1 belongs to another customer.", "details": {}}
    }


def test_validation_errors_use_the_same_shape_with_field_details():
    response = _View.as_view()(factory.post("/", {}, format="json"))

    assert response.status_code == 400
    assert response.data["error"]["code"] == "invalid"
    assert "phone" in response.data["error"]["details"]


@pytest.mark.django_db
def test_authentication_errors_use_the_same_shape():
    response = _ProtectedView.as_view()(factory.get("/"))

    assert response.status_code in (401, 403)
    assert response.data["error"]["code"] == "not_authenticated"
    assert response.data["error"]["message"]
