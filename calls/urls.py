from django.urls import path

from . import apis

urlpatterns = [
    path("webhooks/<str:provider>/", apis.call_webhook, name="api-call-webhook"),
    path("voice/exotel/prompt/", apis.exotel_prompt, name="api-call-exotel-prompt"),
    path("voice/exotel/answer/", apis.exotel_answer, name="api-call-exotel-answer"),
    path("voice/<str:provider>/<int:call_id>/", apis.call_voice, name="api-call-voice"),
    path("voice/<str:provider>/<int:call_id>/gather/", apis.call_gather, name="api-call-gather"),
]
