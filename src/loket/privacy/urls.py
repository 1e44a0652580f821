from django.urls import path

from loket.privacy import views, views_dpo, views_rights

app_name = "privacy"

urlpatterns = [
    path("", views.public_register, name="register"),
    path("dpo/", views.dpo_register, name="dpo-register"),
    path("dpo/requests/", views_dpo.dpo_requests, name="dpo-requests"),
    path("dpo/requests/<int:pk>/", views_dpo.dpo_request, name="dpo-request"),
    path("rights/", views_rights.rights, name="rights"),
    path("rights/<int:pk>/", views_rights.request_detail, name="request"),
    path("rights/archive/<str:token>/", views_rights.archive_download, name="archive"),
    path("consent/", views_rights.consent, name="consent"),
]
