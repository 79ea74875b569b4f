"""Form helpers shared by every feature: GOV.UK layout via crispy-forms-gds."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


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
