from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "yjinspect.web.inspections"
    label = "inspections"
    verbose_name = "Inspections"
