"""The agents' payments pages, mounted at the site root with theirs."""

from django.urls import path

from . import views

urlpatterns = [
    path("payment-links/<int:pk>/resend/", views.payment_link_resend, name="payment-link-resend"),
]
