"""The telephony providers' endpoints under /api/v1/calls/: status webhooks and a live call's voice turns.

Included by ``calls.api_urls``. Providers authenticate by signature, not by user, and these routes are not
part of the public API's schema.
"""

from django.urls import path

from . import webhooks

urlpatterns = [
    path("webhooks/<str:provider>/", webhooks.call_webhook, name="api-call-webhook"),
    path("voice/exotel/prompt/", webhooks.exotel_prompt, name="api-call-exotel-prompt"),
    path("voice/exotel/answer/", webhooks.exotel_answer, name="api-call-exotel-answer"),
    path("voice/<str:provider>/<int:call_id>/", webhooks.call_voice, name="api-call-voice"),
    path("voice/<str:provider>/<int:call_id>/gather/", webhooks.call_gather, name="api-call-gather"),
]
