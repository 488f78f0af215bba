"""The calls API under /api/v1/: campaigns, calls, promises to pay, the agents' queue and the figures; and the
telephony providers' webhook and voice endpoints under ``calls/`` (``calls.urls``)."""

from django.urls import include, path

from voiceassist.common.api import api_by_method

from .apis import calls, campaigns, figures, promises, work_items

urlpatterns = [
    # Campaigns
    path(
        "campaigns/",
        api_by_method(get=campaigns.CampaignListApi, post=campaigns.CampaignCreateApi),
        name="api-campaign-list",
    ),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailApi.as_view(), name="api-campaign-detail"),
    path("campaigns/<int:pk>/start/", campaigns.CampaignStartApi.as_view(), name="api-campaign-start"),
    path("campaigns/<int:pk>/pause/", campaigns.CampaignPauseApi.as_view(), name="api-campaign-pause"),
    path("campaigns/<int:pk>/resume/", campaigns.CampaignResumeApi.as_view(), name="api-campaign-resume"),
    path("campaigns/<int:pk>/complete/", campaigns.CampaignCompleteApi.as_view(), name="api-campaign-complete"),
    path("campaigns/<int:pk>/metrics/", campaigns.CampaignMetricsApi.as_view(), name="api-campaign-metrics"),
    path("metrics/", figures.FiguresApi.as_view(), name="api-metrics"),
    # Calls, and under the same prefix the providers' endpoints (``webhooks/…``, ``voice/…``, never a call's id)
    path("calls/", api_by_method(get=calls.CallListApi, post=calls.CallCreateApi), name="api-call-list"),
    path("calls/<int:pk>/", calls.CallDetailApi.as_view(), name="api-call-detail"),
    path("calls/", include("calls.urls")),
    # Promises to pay
    path(
        "promises/", api_by_method(get=promises.PromiseListApi, post=promises.PromiseCreateApi), name="api-promise-list"
    ),
    # The agents' queue
    path("work-items/", work_items.WorkItemListApi.as_view(), name="api-work-item-list"),
    path("work-items/<int:pk>/claim/", work_items.WorkItemClaimApi.as_view(), name="api-work-item-claim"),
    path("work-items/<int:pk>/complete/", work_items.WorkItemCompleteApi.as_view(), name="api-work-item-complete"),
]
