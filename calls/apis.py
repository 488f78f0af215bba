"""Provider-facing endpoints: status webhooks and the voice script (TwiML) for Twilio calls.

Providers authenticate by signature (or, for Exotel, a secret in the URL), not by user: these views
are open to the network and check that signature before anything else.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from calls.models import Call, Provider
from calls.providers import PROVIDERS, provider_get
from calls.providers import twilio as twilio_provider
from calls.providers.base import WebhookRejected
from calls.services.script import script_texts
from calls.services.webhooks import WebhookResult, call_event_apply, call_webhook_process

_STATUS = {
    WebhookResult.APPLIED: 200,
    WebhookResult.IGNORED: 200,  # a replay or a late event is answered 200 so the provider stops retrying
    WebhookResult.FORBIDDEN: 403,
    WebhookResult.UNREADABLE: 400,
}


def _provider_name(provider: str) -> str:
    if provider not in PROVIDERS:
        raise Http404("No such provider.")
    return provider


@csrf_exempt
@require_http_methods(["GET", "POST"])  # Exotel's keypad (passthru) applet calls with GET
def call_webhook(request: HttpRequest, provider: str) -> JsonResponse:
    result = call_webhook_process(provider_name=_provider_name(provider), request=request)
    return JsonResponse({"result": result.value}, status=_STATUS[result])


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


@csrf_exempt
@require_http_methods(["GET", "POST"])
def call_voice(request: HttpRequest, provider: str, call_id: int) -> HttpResponse:
    """What Twilio says when the customer answers: the greeting and the keypad menu (repeated once)."""
    if _provider_name(provider) != Provider.TWILIO:
        raise Http404("This provider runs its own voice flow.")
    if not provider_get(provider).verify_webhook(request):
        return HttpResponse(status=403)
    call = get_object_or_404(Call.objects.select_related("customer", "loan"), pk=call_id, provider=provider)
    texts = script_texts(call=call)
    first_time = request.GET.get("retry") != "1"
    voice_url = reverse("api-call-voice", args=[provider, call.pk])
    twiml = twilio_provider.twiml_prompt(
        greeting=texts.greeting,
        menu=texts.menu,
        no_input=texts.no_input,
        goodbye=texts.goodbye,
        language=texts.language,
        gather_url=_absolute(reverse("api-call-gather", args=[provider, call.pk])),
        retry_url=_absolute(voice_url + "?retry=1") if first_time else None,
    )
    return HttpResponse(twiml, content_type="text/xml")


@csrf_exempt
@require_POST
def call_gather(request: HttpRequest, provider: str, call_id: int) -> HttpResponse:
    """The customer pressed a key: apply it and say what happens next."""
    if _provider_name(provider) != Provider.TWILIO:
        raise Http404("This provider runs its own voice flow.")
    twilio = provider_get(provider)
    if not twilio.verify_webhook(request):
        return HttpResponse(status=403)
    try:
        event = twilio.parse_webhook(request)
    except WebhookRejected:
        return HttpResponse(status=400)
    call_event_apply(provider=provider, event=event, call_id=call_id)
    call = get_object_or_404(Call.objects.select_related("customer", "loan", "disposition"), pk=call_id)
    texts = script_texts(call=call)
    said = {
        "promise_to_pay": texts.promise_thanks,
        "already_paid": texts.paid_thanks,
        "agent_requested": texts.agent_transfer,
    }.get(call.disposition.code if call.disposition else "", texts.no_input)
    return HttpResponse(
        twilio_provider.twiml_say_and_hangup(texts=[said, texts.goodbye], language=texts.language),
        content_type="text/xml",
    )
