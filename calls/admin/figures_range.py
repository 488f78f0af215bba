"""The figures pages' range of days (``?from=&to=``) and the figures it asks for: every call's, or one
campaign's on its own page."""

from django import forms
from django.http import HttpRequest

from ..figures import figures_compute
from ..models import Campaign


class FiguresRangeForm(forms.Form):
    """The figures page's ``?from=&to=``: local days on which the calls started, both included."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is added here rather than declared.
        self.fields["from"] = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["to"] = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", "The range ends before it starts.")
        return data


def figures_context(request: HttpRequest, *, campaign: Campaign | None = None) -> dict:
    """The range form and, when it is valid, the figures it asks for."""
    form = FiguresRangeForm(request.GET)
    if not form.is_valid():
        return {"figures_form": form, "figures": None}
    period = {"date_from": form.cleaned_data["from"], "date_to": form.cleaned_data["to"]}
    return {"figures_form": form, "figures": figures_compute(campaign=campaign, **period)}
