from django.urls import path

from loket.assist import views

app_name = "assist"
urlpatterns = [path("", views.algorithms, name="algorithms")]
