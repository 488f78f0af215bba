"""The customers API under /api/v1/: customers, their do-not-call flag and suppressions, loans and their payments."""

from django.urls import path

from voiceassist.common.api import api_by_method

from . import apis

urlpatterns = [
    path("customers/", apis.CustomerListApi.as_view(), name="api-customer-list"),
    path("customers/<int:pk>/", apis.CustomerDetailApi.as_view(), name="api-customer-detail"),
    path("customers/<int:pk>/do-not-call/", apis.CustomerDoNotCallApi.as_view(), name="api-customer-do-not-call"),
    path(
        "customers/<int:pk>/suppressions/",
        api_by_method(get=apis.CustomerSuppressionListApi, post=apis.CustomerSuppressionCreateApi),
        name="api-customer-suppressions",
    ),
    path("loans/", apis.LoanListApi.as_view(), name="api-loan-list"),
    path("loans/<int:pk>/", apis.LoanDetailApi.as_view(), name="api-loan-detail"),
    path("loans/<int:pk>/payments/", apis.LoanPaymentCreateApi.as_view(), name="api-loan-payments"),
]
