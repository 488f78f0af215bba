"""The public API's routes under /api/v1/ (uploads and provider webhooks have their own url modules).

``calls/`` is also the prefix of ``calls.urls`` (webhooks and voice), included before this module: its
paths all start with ``webhooks/`` or ``voice/``, so ``calls/`` and ``calls/<id>/`` fall through to here.
"""

from django.urls import path

from calls import public_apis as calls
from customers import apis as customers

urlpatterns = [
    # Customers and loans
    path("customers/", customers.CustomerListApi.as_view(), name="api-customer-list"),
    path("customers/<int:pk>/", customers.CustomerDetailApi.as_view(), name="api-customer-detail"),
    path("customers/<int:pk>/do-not-call/", customers.CustomerDoNotCallApi.as_view(), name="api-customer-do-not-call"),
    path(
        "customers/<int:pk>/suppressions/",
        customers.CustomerSuppressionListCreateApi.as_view(),
        name="api-customer-suppressions",
    ),
    path("loans/", customers.LoanListApi.as_view(), name="api-loan-list"),
    path("loans/<int:pk>/", customers.LoanDetailApi.as_view(), name="api-loan-detail"),
    path("loans/<int:pk>/payments/", customers.LoanPaymentCreateApi.as_view(), name="api-loan-payments"),
    # Campaigns
    path("campaigns/", calls.CampaignListCreateApi.as_view(), name="api-campaign-list"),
    path("campaigns/<int:pk>/", calls.CampaignDetailApi.as_view(), name="api-campaign-detail"),
    path("campaigns/<int:pk>/start/", calls.CampaignStartApi.as_view(), name="api-campaign-start"),
    path("campaigns/<int:pk>/pause/", calls.CampaignPauseApi.as_view(), name="api-campaign-pause"),
    path("campaigns/<int:pk>/resume/", calls.CampaignResumeApi.as_view(), name="api-campaign-resume"),
    path("campaigns/<int:pk>/complete/", calls.CampaignCompleteApi.as_view(), name="api-campaign-complete"),
    path("campaigns/<int:pk>/metrics/", calls.CampaignMetricsApi.as_view(), name="api-campaign-metrics"),
    path("metrics/", calls.FiguresApi.as_view(), name="api-metrics"),
    # Calls
    path("calls/", calls.CallListCreateApi.as_view(), name="api-call-list"),
    path("calls/<int:pk>/", calls.CallDetailApi.as_view(), name="api-call-detail"),
    # Promises to pay
    path("promises/", calls.PromiseListCreateApi.as_view(), name="api-promise-list"),
    # The agents' queue
    path("work-items/", calls.WorkItemListApi.as_view(), name="api-work-item-list"),
    path("work-items/<int:pk>/claim/", calls.WorkItemClaimApi.as_view(), name="api-work-item-claim"),
    path("work-items/<int:pk>/complete/", calls.WorkItemCompleteApi.as_view(), name="api-work-item-complete"),
]
