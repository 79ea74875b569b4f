"""The case assessment form, used for first and second (moderation) assessments alike.

Fields are made from the key questions the case answers (or, for an earlier programme, its
items, some with their own options): for each, the answer (yes / no / not applicable, or the
item's options), the reason it does not apply, evidence notes, and the hidden version of the
stored answer the form was loaded with (for conflict detection). The template lays them out
question by question (`sections()`), in GOV.UK fieldsets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _

from .. import text_limits as limits
from ..models import Answer, AnswerValue, Assessment
from ..services.assessments import PostedAnswer, Question, StandardQuestions
from .base import GovForm, LimitedText


@dataclass(frozen=True)
class FieldView:
    """A field as the template draws it, worked out once.

    The assessment page draws dozens of questions, each looking up its fields' ids, names and
    values many times; a BoundField recomputes them on every lookup.
    """

    id: str
    name: str
    value: str
    errors: tuple[str, ...]

    @classmethod
    def of(cls, bound: forms.BoundField) -> FieldView:
        value = bound.value()
        return cls(
            id=bound.auto_id,
            name=bound.html_name,
            value="" if value is None else str(value),
            errors=tuple(str(e) for e in bound.errors),
        )


@dataclass(frozen=True)
class Choice:
    """One radio of a question: its input id (the first takes the field's own id, so that
    the error summary's link lands on it) and whether it is the answer shown."""

    value: str
    label: str
    input_id: str
    checked: bool


@dataclass(frozen=True)
class QuestionFields:
    """One key question and its fields, for the template."""

    question: Question
    value: FieldView
    na_reason: FieldView
    evidence: FieldView
    version: FieldView
    choices: tuple[Choice, ...]
    resolution: str = ""  # how moderation settled a disagreement on this answer, if it did

    @classmethod
    def of(cls, question: Question, form: AssessmentForm) -> QuestionFields:
        p = question.field_prefix
        value = FieldView.of(form[f"{p}-value"])
        return cls(
            question=question,
            value=value,
            na_reason=FieldView.of(form[f"{p}-na_reason"]),
            evidence=FieldView.of(form[f"{p}-evidence"]),
            version=FieldView.of(form[f"{p}-version"]),
            choices=tuple(
                Choice(
                    value=option,
                    label=str(label),
                    input_id=value.id if i == 0 else f"{value.id}-{option}",
                    checked=value.value == option,
                )
                for i, (option, label) in enumerate(question.choices)
            ),
            resolution=form.resolutions.get(question.id, ""),
        )


@dataclass(frozen=True)
class Section:
    standard: StandardQuestions
    questions: tuple[QuestionFields, ...]


class AssessmentForm(GovForm):
    submit_label = "Save"  # the template draws its own Save and Save-and-submit buttons

    def __init__(
        self,
        *args: Any,
        standards: Sequence[StandardQuestions],
        submitting: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.standards = list(standards)
        self.questions = [q for s in self.standards for q in s.questions]
        self.submitting = submitting
        self.resolutions: dict[str, str] = {}
        for q in self.questions:
            p = q.field_prefix
            self.fields[f"{p}-value"] = forms.ChoiceField(
                label=q.text, choices=q.choices, required=False, widget=forms.RadioSelect
            )
            self.fields[f"{p}-na_reason"] = LimitedText(
                limit=limits.NA_REASON,
                called=_("The reason %(question)s does not apply") % {"question": q.label},
                label=_("Reason it does not apply"),
                required=False,
                widget=forms.Textarea,
            )
            self.fields[f"{p}-evidence"] = LimitedText(
                limit=limits.EVIDENCE_NOTES,
                called=_("The evidence notes on %(question)s") % {"question": q.label},
                label=_("Evidence notes"),
                required=False,
                widget=forms.Textarea,
            )
            self.fields[f"{p}-version"] = forms.IntegerField(
                required=False, min_value=1, widget=forms.HiddenInput
            )
        self.fields["practice_example"] = forms.BooleanField(
            label=_("This case is an example of good practice"), required=False
        )
        self.fields["practice_example_note"] = LimitedText(
            limit=limits.PRACTICE_EXAMPLE,
            called=_("The note on good practice"),
            label=_("What makes it good practice"),
            required=False,
            widget=forms.Textarea,
        )

    # ---- filling the form ----

    def fill_from_answers(
        self, answers: Mapping[str, Answer], assessment: Assessment | None
    ) -> None:
        """Show the stored answers (call before the fields are first rendered)."""
        for q in self.questions:
            answer = answers.get(q.id)
            if answer is None:
                continue
            p = q.field_prefix
            self.initial[f"{p}-value"] = answer.value
            self.initial[f"{p}-na_reason"] = answer.na_reason
            self.initial[f"{p}-evidence"] = answer.evidence
            self.initial[f"{p}-version"] = answer.version
            if answer.resolution_note:
                self.resolutions[q.id] = answer.resolution_note
        if assessment is not None:
            self.initial["practice_example"] = assessment.practice_example
            self.initial["practice_example_note"] = assessment.practice_example_note

    def fill_from_post(self, data: QueryDict, *, only: set[str] | None = None) -> None:
        """Show fields kept from an earlier POST (optionally only these key questions')."""
        for q in self.questions:
            if only is not None and q.id not in only:
                continue
            for part in ("value", "na_reason", "evidence", "version"):
                name = f"{q.field_prefix}-{part}"
                if part == "value" or name in data:
                    self.initial[name] = data.get(name, "")
        if only is None:
            self.initial["practice_example"] = bool(data.get("practice_example"))
            self.initial["practice_example_note"] = data.get("practice_example_note", "")

    # ---- validation and results ----

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for q in self.questions:
            p = q.field_prefix
            value = data.get(f"{p}-value") or ""
            if q.takes_na_reason and value == AnswerValue.NA and not data.get(f"{p}-na_reason"):
                self.add_error(
                    f"{p}-na_reason",
                    _("Give the reason %(question)s does not apply") % {"question": q.label},
                )
            if not value and (data.get(f"{p}-evidence") or data.get(f"{p}-na_reason")):
                self.add_error(
                    f"{p}-value",
                    (
                        _(
                            "Choose yes, no or not applicable for %(question)s, so your notes "
                            "can be saved"
                        )
                        if q.takes_na_reason
                        else _("Choose an answer for %(question)s, so your notes can be saved")
                    )
                    % {"question": q.label},
                )
            elif not value and self.submitting and not q.optional:
                self.add_error(
                    f"{p}-value",
                    _("Answer %(question)s before submitting") % {"question": q.label},
                )
            elif (
                self.submitting
                and q.takes_na_reason
                and value == AnswerValue.NO
                and not str(data.get(f"{p}-evidence") or "").strip()
            ):
                # A No lowers the rating: moderation and the factual-accuracy check need
                # to see why. A draft may be saved without; submitting may not.
                self.add_error(
                    f"{p}-evidence",
                    _("Write the evidence for No on %(question)s before submitting")
                    % {"question": q.label},
                )
        return data

    def posted_answers(self) -> list[PostedAnswer]:
        data = self.cleaned_data
        result = []
        for q in self.questions:
            p = q.field_prefix
            value = data.get(f"{p}-value") or ""
            result.append(
                PostedAnswer(
                    key_question=q.id,
                    value=value,
                    # A reason only means something for 'not applicable'.
                    na_reason=(data.get(f"{p}-na_reason") or "")
                    if q.takes_na_reason and value == AnswerValue.NA
                    else "",
                    evidence=data.get(f"{p}-evidence") or "",
                    version=data.get(f"{p}-version"),
                )
            )
        return result

    def sections(self) -> list[Section]:
        return [
            Section(
                standard=s,
                questions=tuple(QuestionFields.of(q, self) for q in s.questions),
            )
            for s in self.standards
        ]
