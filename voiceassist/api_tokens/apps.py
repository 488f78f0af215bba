from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "voiceassist.api_tokens"
    label = "api_tokens"
    verbose_name = "API access"
