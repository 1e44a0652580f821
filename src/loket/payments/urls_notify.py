from django.urls import path

from loket.payments import views

app_name = "payments-notify"

urlpatterns = [path("<slug:provider>/", views.notify, name="notify")]
