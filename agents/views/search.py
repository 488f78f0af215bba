"""Finding a customer by name, phone or loan id; a single match opens their page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import SearchForm
from .decorators import agents_page


@agents_page
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.customer_search(query=query) if query else []
    if len(results) == 1:
        return redirect("customer-page", pk=results[0].pk)
    return render(
        request,
        "agents/search.html",
        {"form": form, "query": query, "results": results, "limit": selectors.SEARCH_LIMIT},
    )
