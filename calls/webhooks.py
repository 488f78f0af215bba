"""Provider-facing endpoints: status webhooks, and the conversation's turns (TwiML for Twilio, the
dynamic prompts and the passthru of an Exotel flow).

Providers authenticate by signature (or, for Exotel, a secret in the URL), not by user: these views are
open to the network and check that signature before anything else. Past the check they hand the
provider's fields, as a plain dict, to the services.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.models import Call, Provider
from calls.providers import PROVIDERS, provider_get
from calls.providers import exotel as exotel_provider
from calls.providers import twilio as twilio_provider
from calls.providers.base import CallProvider, WebhookRejected
from calls.services.voice import voice_answered, voice_prompt, voice_turn
from calls.services.webhooks import WebhookResult, call_webhook_receive

_STATUS = {
    WebhookResult.APPLIED: 200,
    WebhookResult.IGNORED: 200,  # a replay or a late event is answered 200 so the provider stops retrying
    WebhookResult.FORBIDDEN: 403,
    WebhookResult.UNREADABLE: 400,
}


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _provider(provider: str) -> CallProvider:
    if provider not in PROVIDERS:
        raise Http404("No such provider.")
    return provider_get(provider)


def _verified_fields(provider: CallProvider, request: HttpRequest) -> dict | HttpResponse:
    """The request's fields once its signature checks out; else the response to send back."""
    if not provider.verify_webhook(request):
        return HttpResponse(status=403)
    try:
        return provider.webhook_fields(request)
    except WebhookRejected:
        return HttpResponse(status=400)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def call_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    fields = _verified_fields(_provider(provider), request)
    if isinstance(fields, HttpResponse):
        return fields
    call_id = request.GET.get("call", "")
    result = call_webhook_receive(
        provider_name=provider, fields=fields, call_id=int(call_id) if call_id.isdigit() else None
    )
    return JsonResponse({"result": result.value}, status=_STATUS[result])


# --- Twilio: the conversation as TwiML ---------------------------------------------------------------


def _twilio_call(provider: str, call_id: int) -> int:
    if provider != Provider.TWILIO:
        raise Http404("This provider runs its own voice flow.")
    if not Call.objects.filter(pk=call_id, provider=provider).exists():
        raise Http404("No such call.")
    return call_id


def _twiml(reply, provider: str, call_id: int) -> HttpResponse:
    action = _absolute(reverse("api-call-gather", args=[provider, call_id]))
    return HttpResponse(twilio_provider.twiml_reply(reply, action_url=action), content_type="text/xml")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def call_voice(request: HttpRequest, provider: str, call_id: int) -> HttpResponse:
    """The call was answered: the greeting (which names no debt), listening for speech or keys."""
    fields = _verified_fields(_provider(provider), request)
    if isinstance(fields, HttpResponse):
        return fields
    return _twiml(voice_answered(call_id=_twilio_call(provider, call_id)), provider, call_id)


@csrf_exempt
@require_POST
def call_gather(request: HttpRequest, provider: str, call_id: int) -> HttpResponse:
    """An answer (speech, keys, or silence): the next thing the bot says."""
    twilio = _provider(provider)
    fields = _verified_fields(twilio, request)
    if isinstance(fields, HttpResponse):
        return fields
    reply = voice_turn(call_id=_twilio_call(provider, call_id), heard=twilio.parse_answer(fields))
    return _twiml(reply, provider, call_id)


# --- Exotel: the flow's dynamic gather prompt and its passthru ------------------------------------------


def _exotel_call(fields: dict) -> int:
    call_sid = str(fields.get("CallSid") or "")
    found = Call.objects.filter(provider=Provider.EXOTEL, provider_call_id=call_sid).values_list("pk", flat=True)[:1]
    if not call_sid or not found:
        raise Http404("No such call.")
    return found[0]


@csrf_exempt
@require_GET
def exotel_prompt(request: HttpRequest) -> HttpResponse:
    """The Gather applet's dynamic URL: what to say now, and how many keys to take. With ``?say=1`` (the
    flow's closing Greeting applet), the bot's last words as plain text."""
    fields = _verified_fields(_provider(Provider.EXOTEL), request)
    if isinstance(fields, HttpResponse):
        return fields
    reply = voice_prompt(call_id=_exotel_call(fields))
    if request.GET.get("say") == "1":
        return HttpResponse(" ".join(reply.say), content_type="text/plain; charset=utf-8")
    return JsonResponse(exotel_provider.exotel_gather_config(reply), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_GET
def exotel_answer(request: HttpRequest) -> HttpResponse:
    """The Passthru applet after the Gather: the keys pressed. 200 sends the flow back to the Gather (the
    conversation goes on); 302 to its closing Greeting and Hangup (it ended)."""
    exotel = _provider(Provider.EXOTEL)
    fields = _verified_fields(exotel, request)
    if isinstance(fields, HttpResponse):
        return fields
    call_id = _exotel_call(fields)
    reply = voice_turn(call_id=call_id, heard=exotel.parse_answer(fields))
    if reply.ends:
        return HttpResponse("ended", status=302, content_type="text/plain")
    return HttpResponse("continue", content_type="text/plain")
