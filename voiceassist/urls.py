from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from uploads.apis import CustomerEntriesApi
from voiceassist.common import views as common_views

api_v1 = [
    path("uploads/", include("uploads.urls")),
    path("calls/", include("calls.urls")),
    path("exports/", include("exports.urls")),
    path("payments/", include("payments.urls")),
    path("", include("voiceassist.api_urls")),
    path("customers/<int:pk>/entries/", CustomerEntriesApi.as_view(), name="api-customer-entries"),
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
