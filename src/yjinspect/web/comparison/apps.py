from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    name = "yjinspect.web.comparison"
    label = "comparison"
    verbose_name = "Comparison"
    default_auto_field = "django.db.models.BigAutoField"
