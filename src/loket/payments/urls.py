from django.urls import path

from loket.payments import back_office, views, views_accountant

app_name = "payments"

urlpatterns = [
    path("cases/<str:reference>/pay/", views.pay, name="pay"),
    path("<uuid:key>/transfer/", views.transfer, name="transfer"),
    path("<uuid:key>/return/", views.payment_return, name="return"),
    path("demo/<str:token>/", views.demo_checkout, name="demo-checkout"),
    path(
        "back-office/accountant-export/",
        views_accountant.accountant_export,
        name="accountant-export",
    ),
    path("back-office/statements/", back_office.import_statement, name="import-statement"),
    path("back-office/to-give-back/", back_office.refunds_queue_page, name="refunds-queue"),
    path("back-office/merchant-accounts/", back_office.merchant_accounts, name="merchant-accounts"),
    path(
        "back-office/merchant-accounts/<str:administration_id>/",
        back_office.merchant_account,
        name="merchant-account",
    ),
    path("back-office/<str:reference>/refunds/", views.refunds, name="refunds"),
]
