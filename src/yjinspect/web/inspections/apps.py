from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "yjinspect.web.inspections"
    label = "inspections"
    verbose_name = "Inspections"

    def ready(self) -> None:
        """Send the pure core's sentences through Django's translation.

        Django's gettext follows the language active for the current request or thread, so
        installing it once here is enough for every page, report and command afterwards.
        Framework wording inside those sentences (rating and domain labels) goes through
        `framework_wording`, which gives the Welsh on a Welsh page.
        """
        from django.core.signals import request_finished
        from django.utils.translation import gettext, ngettext

        from yjinspect.core import words

        from .language import framework_wording

        words.install(gettext, ngettext, framework_wording)
        request_finished.connect(_back_to_default_language, dispatch_uid="yj-language-reset")


def _back_to_default_language(**kwargs: object) -> None:
    """A thread that served a Welsh page returns to the default language when the response is
    done: every request activates its own language anyway, but work the thread does outside a
    request afterwards (a test's direct call, a command) must not inherit the last page's."""
    from django.utils import translation

    translation.deactivate()
