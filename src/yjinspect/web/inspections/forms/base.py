"""Form helpers shared by every feature: GOV.UK layout via crispy-forms-gds."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ..text_limits import too_long_message


class GovForm(forms.Form):
    """A form rendered with the GOV.UK template pack; subclasses set `submit_label`."""

    submit_label: str | Promise = gettext_lazy("Continue")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # templates write {% csrf_token %} in their <form>
        self.helper.label_size = "s"
        self.helper.legend_size = "s"
        self.helper.add_input(Submit("submit", str(self.submit_label)))


class GovModelForm(forms.ModelForm):  # type: ignore[type-arg]
    submit_label: str | Promise = gettext_lazy("Save")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # templates write {% csrf_token %} in their <form>
        self.helper.label_size = "s"
        self.helper.legend_size = "s"
        self.helper.add_input(Submit("submit", str(self.submit_label)))


class LimitedText(forms.CharField):
    """A free text with its limit (from `text_limits`), checked when the form is sent.

    The error names the field (`called`, or its label) and the limit. The page carries no
    `maxlength` attribute: a browser would cut a pasted text short without a word, and the
    person would lose what was cut; here they see the error with all their text kept.
    """

    def __init__(self, *, limit: int, called: str | Promise | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # no max_length here: it would set `maxlength` on the widget
        self.max_length = limit
        self.called = called

    def validate(self, value: Any) -> None:
        super().validate(value)
        assert self.max_length is not None
        if value and len(value) > self.max_length:
            name = str(self.called or self.label or "")
            raise ValidationError(
                too_long_message(name, self.max_length, len(value)), code="max_length"
            )
