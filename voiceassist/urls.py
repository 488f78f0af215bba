from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from voiceassist.common import views as common_views

# The public API: each app lists its routes in its own ``api_urls``, each path written out in full from here.
api_v1 = [
    path("", include("customers.api_urls")),
    path("", include("uploads.api_urls")),
    path("", include("calls.api_urls")),
    path("", include("payments.api_urls")),
    path("", include("exports.api_urls")),
]

urlpatterns = [
    path("", include("agents.urls")),
    path("", include("payments.agent_urls")),
    path("healthz", common_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file, so the docs pass the Content-Security-Policy.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "voiceassist.common.views.page_not_found"
