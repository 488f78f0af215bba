from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from knox.models import AuthToken

from voiceassist.common.admin import admin_run_service
from voiceassist.common.exceptions import ApplicationError

from .models import ApiToken
from .services import api_token_check_allowed, api_token_create, api_token_revoke

# knox registers its own admin, which lists digests and can make a token for anyone: this one replaces it.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        label = f"{user.get_username()} ({name})" if name else user.get_username()
        return f"{label} — staff" if user.is_staff or user.is_superuser else label


class ApiTokenCreateForm(forms.Form):
    user = UserChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="The token acts as this user, with exactly this user's permissions.",
    )
    valid_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Valid for (days)",
        help_text="Leave empty for a token that works until it is revoked.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_days"].initial = settings.API_TOKEN_VALID_DAYS


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed by their first characters only; a key is shown once, on the page after creating it."""

    list_display = ("prefix", "user", "created", "expires")
    list_select_related = ("user",)
    search_fields = ("token_key", "user__username")
    fields = ("prefix", "user", "created", "expires")
    readonly_fields = fields
    actions = ["revoke_selected"]
    add_form_template = "admin/api_tokens/apitoken/add_form.html"
    created_template = "admin/api_tokens/apitoken/created.html"

    @admin.display(description="Token starts with")
    def prefix(self, token: ApiToken) -> str:
        return token.prefix

    @admin.display(description="Expires", ordering="expiry")
    def expires(self, token: ApiToken):
        return token.expiry or "never (until revoked)"

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a token is made or revoked, never edited

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes without the staff check or the audit trail
        return actions

    @admin.action(description="Revoke selected API tokens", permissions=["delete"])
    def revoke_selected(self, request, queryset):
        admin_run_service(
            self, request, queryset, lambda token: api_token_revoke(actor=request.user, token=token), "tokens revoked"
        )

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiTokenCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                token, key = api_token_create(
                    actor=request.user, user=form.cleaned_data["user"], valid_days=form.cleaned_data["valid_days"]
                )
            except ApplicationError as exc:
                form.add_error("user", exc.message)
            else:
                self.log_addition(request, token, [{"added": {}}])
                # Rendered in answer to the POST, not after a redirect: the key is never put in a message, a
                # session or a URL. The admin sends it with no-store, so the browser does not keep it either.
                context = {**self.admin_site.each_context(request), "title": "API token created", "token": token}
                return TemplateResponse(request, self.created_template, {**context, "key": key, "opts": self.opts})
        context = {
            **self.admin_site.each_context(request),
            "title": "Create an API token",
            "form": form,
            "opts": self.opts,
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.add_form_template, context)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        token = self.get_object(request, unquote(object_id))
        if token is not None:
            try:
                api_token_check_allowed(actor=request.user, user=token.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return HttpResponseRedirect(reverse("admin:api_tokens_apitoken_changelist"))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj: ApiToken) -> None:
        api_token_revoke(actor=request.user, token=obj)
