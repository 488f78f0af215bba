"""The calls API under /api/v1/: campaigns, calls, promises to pay, the agents' queue and the figures; and the
telephony providers' webhook and voice endpoints under ``calls/`` (``calls.urls``)."""

from django.urls import include, path

from . import public_apis

urlpatterns = [
    # Campaigns
    path("campaigns/", public_apis.CampaignListCreateApi.as_view(), name="api-campaign-list"),
    path("campaigns/<int:pk>/", public_apis.CampaignDetailApi.as_view(), name="api-campaign-detail"),
    path("campaigns/<int:pk>/start/", public_apis.CampaignStartApi.as_view(), name="api-campaign-start"),
    path("campaigns/<int:pk>/pause/", public_apis.CampaignPauseApi.as_view(), name="api-campaign-pause"),
    path("campaigns/<int:pk>/resume/", public_apis.CampaignResumeApi.as_view(), name="api-campaign-resume"),
    path("campaigns/<int:pk>/complete/", public_apis.CampaignCompleteApi.as_view(), name="api-campaign-complete"),
    path("campaigns/<int:pk>/metrics/", public_apis.CampaignMetricsApi.as_view(), name="api-campaign-metrics"),
    path("metrics/", public_apis.FiguresApi.as_view(), name="api-metrics"),
    # Calls, and under the same prefix the providers' endpoints (``webhooks/…``, ``voice/…``, never a call's id)
    path("calls/", public_apis.CallListCreateApi.as_view(), name="api-call-list"),
    path("calls/<int:pk>/", public_apis.CallDetailApi.as_view(), name="api-call-detail"),
    path("calls/", include("calls.urls")),
    # Promises to pay
    path("promises/", public_apis.PromiseListCreateApi.as_view(), name="api-promise-list"),
    # The agents' queue
    path("work-items/", public_apis.WorkItemListApi.as_view(), name="api-work-item-list"),
    path("work-items/<int:pk>/claim/", public_apis.WorkItemClaimApi.as_view(), name="api-work-item-claim"),
    path("work-items/<int:pk>/complete/", public_apis.WorkItemCompleteApi.as_view(), name="api-work-item-complete"),
]
