"""A call's recording, played in the agents' pages through the server rather than from the provider."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from calls.models import Call
from calls.services.recordings import recording_open
from voiceassist.common.exceptions import ApplicationError

from .decorators import agents_page


@agents_page
@require_GET
def call_recording(request: HttpRequest, pk: int) -> HttpResponse:
    """The call's recording, fetched from its provider here: the browser sees neither the provider's URL
    nor its credentials. Nothing to play answers 404, a provider that cannot be asked 502, in words."""
    call = get_object_or_404(Call.objects.only("id", "provider", "recording_url", "recording_deleted_at"), pk=pk)
    try:
        audio = recording_open(call=call)
    except ApplicationError as exc:
        status = 502 if exc.code == "recording_unreachable" else 404
        return HttpResponse(exc.message, status=status, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(audio.chunks, content_type=audio.content_type)
    if audio.size is not None:
        response["Content-Length"] = str(audio.size)
    response["Content-Disposition"] = f'inline; filename="call-{call.pk}-recording"'
    # A customer's voice: kept by no cache, the browser's included.
    response["Cache-Control"] = "private, no-store"
    return response
