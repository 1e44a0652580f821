from django.urls import path

from loket.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.public_register, name="register"),
    path("dpo/", views.dpo_register, name="dpo-register"),
]
