"""Addresses registered at the identity providers: without a language prefix, never changing."""

from django.urls import URLPattern, URLResolver, path

from loket.accounts import views
from loket.accounts.providers import AGENT, RESIDENT

app_name = "oidc"

urlpatterns: list[URLPattern | URLResolver] = [
    path("callback/", views.callback, {"provider": RESIDENT}, name="callback"),
    path("agent/callback/", views.callback, {"provider": AGENT}, name="agent-callback"),
    path("logged-out/", views.logged_out, name="logged-out"),
]
