from django.urls import path

from loket.payments import views

app_name = "payments"

urlpatterns = [
    path("cases/<str:reference>/pay/", views.pay, name="pay"),
    path("<uuid:key>/transfer/", views.transfer, name="transfer"),
    path("<uuid:key>/return/", views.payment_return, name="return"),
    path("demo/<str:token>/", views.demo_checkout, name="demo-checkout"),
    path("back-office/accountant-export/", views.accountant_export, name="accountant-export"),
    path("back-office/<str:reference>/refunds/", views.refunds, name="refunds"),
]
