from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "yjinspect.web.outcomes"
    label = "outcomes"
    verbose_name = "Outcome indicators"
