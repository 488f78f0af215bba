from django.urls import path

from . import apis

urlpatterns = [
    path("webhooks/<str:provider>/", apis.call_webhook, name="api-call-webhook"),
    path("voice/<str:provider>/<int:call_id>/", apis.call_voice, name="api-call-voice"),
    path("voice/<str:provider>/<int:call_id>/gather/", apis.call_gather, name="api-call-gather"),
]
