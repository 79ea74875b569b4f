from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yjinspect.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
