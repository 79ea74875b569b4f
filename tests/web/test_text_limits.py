"""Every free text has a length limit, from one place (`web/inspections/text_limits.py`),
checked in the forms with an error that names the field and the limit; nothing is saved when a
text is over it. Texts taken outside a form (a returned assessment's reason, a resolution
note) keep the same rules. A report has at most so many recommendations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from tests.web import test_form_fuzz
from tests.web.test_assess import KQ
from tests.web.test_form_fuzz import RAW_TARGETS, TARGETS, World, _counts, _form_class, _form_in
from yjinspect.web.inspections import text_limits
from yjinspect.web.inspections.forms.base import LimitedText
from yjinspect.web.inspections.models import Answer, Assessment, Recommendation

pytestmark = pytest.mark.django_db

world = test_form_fuzz.world  # the fuzz tests' inspection, sample and users

LIMITS = {
    value
    for name, value in vars(text_limits).items()
    if name.isupper() and isinstance(value, int) and name != "RECOMMENDATIONS_PER_REPORT"
}
# Text fields that are not free text: a reference, a person's username, a search box.
NOT_FREE_TEXT = {
    ("ReplaceForm", "case_ref"),
    ("MemberForm", "username"),
    ("ServiceSearchForm", "q"),
    ("CodeForm", "code"),
    ("SignInForm", "username"),
    ("SignInForm", "password"),
}


def _shown(name: str, w: World, client_as: Callable[[str], Client]) -> tuple[Any, forms.BaseForm]:
    """The target's page and the form on it."""
    target = TARGETS[name]
    if target.prepare:
        target.prepare(w)
    cls = _form_class(name)
    client = client_as(target.role)
    if target.session:  # what an earlier step left in the poster's session
        session = client.session
        session.update(target.session(w))
        session.save()
    response = client.get(target.page(w) if target.page else target.url(w))
    form = cls() if target.standalone else _form_in(response, cls)
    assert form is not None, name
    return target, form


def _text_fields(form: forms.BaseForm) -> dict[str, forms.Field]:
    return {
        n: f
        for n, f in form.fields.items()
        if isinstance(f, forms.CharField)
        and not f.widget.is_hidden
        and (type(form).__name__, n) not in NOT_FREE_TEXT
    }


def _one_question(fields: dict[str, forms.Field]) -> dict[str, forms.Field]:
    """The assessment form repeats its fields per question: one question's are enough."""
    first = next((n.rsplit("-", 1)[0] for n in fields if n.startswith("kq-")), None)
    return {n: f for n, f in fields.items() if not n.startswith("kq-") or n.startswith(first or "")}


@pytest.mark.parametrize("name", sorted(n for n, t in TARGETS.items() if t.method == "POST"))
def test_every_free_text_field_has_a_limit_and_keeps_to_it(
    name: str,
    world: World,
    client_as: Callable[[str], Client],
) -> None:
    target, form = _shown(name, world, client_as)
    fields = _one_question(_text_fields(form))
    client = client_as(target.role)
    url = target.url(world)
    baseline = (
        target.baseline(world)
        if target.baseline is not None
        else {n: "" if (v := form[n].value()) is None else v for n in form.fields}
    )
    for field_name, field in fields.items():
        assert isinstance(field, LimitedText), f"{name}.{field_name} has no limit"
        limit = field.max_length
        assert limit in LIMITS, f"{name}.{field_name}: {limit} is not from text_limits"
        # No `maxlength` in the page: a browser would cut pasted text short without a word.
        assert "maxlength" not in field.widget.attrs, f"{name}.{field_name}"
        key = form.add_prefix(field_name)
        with transaction.atomic():
            before = _counts()
            # Shown on the form again, or (a state change's note) in a message after a redirect.
            response = client.post(url, {**baseline, key: "x" * (limit + 1)}, follow=True)
            assert response.status_code == 200, f"{name}.{field_name}: {response.status_code}"
            assert _counts() == before, f"{name}.{field_name}: saved although too long"
            page = response.content.decode()
            message = f"must be {limit:,} characters or fewer. It has {limit + 1:,}."
            assert message in page, f"{name}.{field_name}: no error naming the limit"
            assert "govuk-error-summary" in page or response.redirect_chain
            transaction.set_rollback(True)
        with transaction.atomic():
            response = client.post(url, {**baseline, key: "x" * limit})
            shown = _form_in(response, type(form))
            assert (
                shown is None
                or field_name not in shown.errors
                or all("characters or fewer" not in str(e) for e in shown.errors[field_name])
            ), f"{name}.{field_name}: refused at its limit"
            transaction.set_rollback(True)


def test_the_error_names_the_field_in_words(
    world: World,
    client_as: Callable[[str], Client],
) -> None:
    """'The evidence notes on 2.1 ...', not 'Ensure this value has at most ...'."""
    name = "yjinspect.web.inspections.forms.assess.AssessmentForm"
    target, form = _shown(name, world, client_as)
    field = next(n for n in form.fields if n.endswith("-evidence"))
    posted = {"action": "save", field.replace("-evidence", "-value"): "yes"}
    posted[field] = "é" * (text_limits.EVIDENCE_NOTES + 12)
    page = client_as(target.role).post(target.url(world), posted).content.decode()
    assert "The evidence notes on 2.1" in page
    assert f"must be 20,000 characters or fewer. It has {text_limits.EVIDENCE_NOTES + 12:,}" in page
    assert "Ensure this value" not in page
    # What they typed is all there, to cut down and send again.
    assert "é" * (text_limits.EVIDENCE_NOTES + 12) in page
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("name", "text"), [("return reason", "reason"), ("resolution note", "note")]
)
def test_texts_taken_outside_a_form_keep_the_same_limits(
    name: str,
    text: str,
    world: World,
    client_as: Callable[[str], Client],
) -> None:
    target, _names = RAW_TARGETS[name]
    limit = text_limits.REASON
    assert target.prepare and target.baseline
    target.prepare(world)
    client = client_as(target.role)
    before = _counts()
    too_long = {**target.baseline(world), text: "x" * (limit + 1)}
    response = client.post(target.url(world), too_long, follow=True)
    assert response.status_code == 200
    assert f"must be {limit:,} characters or fewer. It has {limit + 1:,}." in (
        response.content.decode()
    )
    assert _counts() == before
    assert not Assessment.objects.filter(state="returned").exists()
    assert not Answer.objects.exclude(resolution_note="").exists()
    # At the limit it is taken whole (it used to be cut to 5,000 characters without a word).
    at_limit = {**target.baseline(world), text: "y" * limit}
    assert client.post(target.url(world), at_limit).status_code == 302
    stored = (
        Assessment.objects.get(case=world.case, kind="primary").returned_reason
        if name == "return reason"
        else Answer.objects.get(assessment__kind="primary", key_question=KQ).resolution_note
    )
    assert stored == "y" * limit


def test_a_state_change_note_is_kept_whole_up_to_its_limit(
    world: World,
    client_as: Callable[[str], Client],
) -> None:
    """It used to be cut to 2,000 characters without a word."""
    target, _names = RAW_TARGETS["transition note"]
    assert target.baseline
    client = client_as("lead")
    posted = {**target.baseline(world), "note": "n" * text_limits.REASON}
    client.post(target.url(world), posted)
    world.inspection.refresh_from_db()
    assert world.inspection.transitions.get().note == "n" * text_limits.REASON  # type: ignore[attr-defined]
    posted = {"to": world.inspection.next_state(), "note": "n" * (text_limits.REASON + 1)}
    page = client.post(target.url(world), posted, follow=True).content.decode()
    assert f"The note must be {text_limits.REASON:,} characters or fewer" in page
    assert world.inspection.transitions.count() == 1  # type: ignore[attr-defined]


def test_a_report_has_at_most_so_many_recommendations(
    world: World,
    users: dict[str, AbstractUser],
    client_as: Callable[[str], Client],
) -> None:
    most = text_limits.RECOMMENDATIONS_PER_REPORT
    Recommendation.objects.bulk_create(
        Recommendation(
            inspection=world.inspection,
            addressed_to="The board",
            text_en=f"act {i}",
            order=i,
            updated_by=users["lead"],
        )
        for i in range(most - 1)
    )
    url = reverse("inspections:recommendation_add", args=[world.inspection.pk])
    posted = {"addressed_to": "The board", "text_en": "one more", "version": "0"}
    client = client_as("lead")
    assert client.post(url, posted).status_code == 302  # the last one allowed
    response = client.post(url, posted)
    assert response.status_code == 200
    assert f"already has {most} recommendations" in response.content.decode()
    assert Recommendation.objects.count() == most


def test_the_limits_name_real_fields_and_fit_them() -> None:
    """`FIELD_LIMITS` is what the archive's restore checks rows against: every entry is a
    text field of its model, never above the model's own limit."""
    for label, fields in text_limits.FIELD_LIMITS.items():
        model = apps.get_model(label)
        for name, limit in fields.items():
            field = model._meta.get_field(name)
            assert isinstance(field, models.CharField | models.TextField), (label, name)
            assert field.max_length is None or limit <= field.max_length, (label, name)


def test_too_long_names_each_field_over_its_limit() -> None:
    row = {
        "text_en": "x" * (text_limits.RECOMMENDATION + 1),
        "text_cy": "y" * text_limits.RECOMMENDATION,
        "addressed_to": "z" * 201,
        "order": 10**9,
    }
    assert text_limits.too_long("inspections.recommendation", row) == [
        ("addressed_to", 200),
        ("text_en", text_limits.RECOMMENDATION),
    ]
    assert text_limits.too_long("inspections.nothing", row) == []
