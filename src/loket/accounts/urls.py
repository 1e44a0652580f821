from django.urls import URLPattern, URLResolver, path

from loket.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.login_page, name="login"),
    path("login/<slug:provider>/", views.start, name="start"),
    path("logout/", views.logout_view, name="logout"),
]
