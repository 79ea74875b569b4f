"""Sampling for the web app: `Case` rows into the core sampler, and its results back into rows.

The sampler (`yjinspect.core.sampling`) is pure and reproducible: the same seed and case list
give the same sample. This module

- turns an inspection's cases into `SamplingCase`s and its settings into the sampler's
  arguments (the inspection's case window when set, else the framework's window before
  `fieldwork_start`; sizes set by hand per domain);
- writes a draw to the cases (`in_sample`, `sample_order`, `stratum`) with history, and
  records a `SampleDraw` whose summary holds everything needed to draw it again: seed, method,
  allocation, the resolved windows, sizes set by hand, and per domain the size basis, the
  selected references and the composition table;
- replays the draw and its replacements from that summary, so a replacement is drawn against
  exactly the sample on record and anyone can check that the sample follows from its seed.

Clearing or redrawing a sample archives its replacements into the old draw's summary
(``summary["cleared"]``) before deleting them, so the record of what was replaced and why is
kept, and the replacement list always belongs to the current draw.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import connections, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from yjinspect.core.sampling import (
    METHOD,
    CompositionRow,
    DomainSample,
    Pick,
    SampleResult,
    SamplingCase,
    SamplingError,
    SamplingSettings,
    SizeBasis,
    draw_sample,
    plan_sample,
    replace_case,
)
from yjinspect.core.sampling import (
    DomainPlan as CoreDomainPlan,
)

from ..language import framework_wording
from ..models import (
    Assessment,
    AssessmentKind,
    Case,
    Inspection,
    Membership,
    Replacement,
    Role,
    SampleDraw,
)

STRATUM_SEPARATOR = " × "
# Fields a draw or a clear may change on a case.
SAMPLE_FIELDS = ["in_sample", "sample_order", "stratum", "excluded_reason", "assessor"]
_CASE_FIELDS = {f.name for f in Case._meta.get_fields()}
_CHUNK = 500

__all__ = [
    "AllocationChange",
    "DomainInfo",
    "SampleRefused",
    "SamplingError",
    "Verification",
    "allocatable",
    "allocate",
    "assessments_started",
    "clear_sample",
    "compositions",
    "current_draw",
    "domain_infos",
    "draw",
    "has_sample",
    "new_seed",
    "overview",
    "replace",
    "reproduce",
    "sampling_cases",
    "verify",
]


class SampleRefused(Exception):
    """A sampling action that is not allowed now; the message says why."""


@dataclass(frozen=True)
class DomainInfo:
    """One case domain as the sample page shows it."""

    domain: str
    label: str
    window_start: date
    window_end: date
    window_source: str
    population: int
    basis: SizeBasis
    notes: tuple[str, ...]
    in_sample: int

    @property
    def explain(self) -> str:
        return self.basis.explain()


@dataclass(frozen=True)
class Verification:
    """Whether the cases marked in the sample are those the seed and replacements give."""

    matches: bool
    expected: frozenset[str]
    marked: frozenset[str]

    @property
    def missing(self) -> list[str]:
        return sorted(self.expected - self.marked)

    @property
    def unexpected(self) -> list[str]:
        return sorted(self.marked - self.expected)


# ---- settings and cases ----


def sampling_settings(inspection: Inspection) -> SamplingSettings:
    return inspection.framework.framework.sampling


def domain_labels(inspection: Inspection) -> dict[str, str]:
    """Case domain id -> its label, in the page's language."""
    return {d.id: framework_wording(d.label) for d in inspection.framework.framework.case_domains}


def explicit_windows(inspection: Inspection) -> dict[str, tuple[date, date]] | None:
    """The inspection's own case window, for every sampled domain, if one is set."""
    if inspection.window_start and inspection.window_end:
        window = (inspection.window_start, inspection.window_end)
        return {domain: window for domain in sampling_settings(inspection).windows}
    return None


def sampling_cases(inspection: Inspection) -> list[SamplingCase]:
    """Every case of the inspection, reduced to what the sampler reads.

    Only the framework's stratum attributes are copied (blank values read 'not recorded',
    booleans 'yes'/'no', as `core.sampling.case_from_row` does)."""
    attributes = [a for a in sampling_settings(inspection).strata if a in _CASE_FIELDS]
    rows = Case.objects.filter(inspection=inspection).values_list(
        "case_ref", "domain", "start_date", "end_date", *attributes
    )
    return [
        SamplingCase(ref, domain, start, end, dict(zip(attributes, values, strict=True)))
        for ref, domain, start, end, *values in rows.iterator(chunk_size=5000)
    ]


def new_seed() -> int:
    """A random six-digit seed to offer; any whole number works."""
    return 100_000 + secrets.randbelow(900_000)


def current_draw(inspection: Inspection) -> SampleDraw | None:
    """The draw the sample on the cases came from; None if never drawn or cleared."""
    latest = SampleDraw.objects.filter(inspection=inspection).first()
    if latest is None or latest.summary.get("cleared"):
        return None
    return latest


def has_sample(inspection: Inspection) -> bool:
    return (
        current_draw(inspection) is not None
        or Case.objects.filter(inspection=inspection, in_sample=True).exists()
    )


def assessments_started(inspection: Inspection) -> bool:
    return Assessment.objects.filter(
        case__inspection=inspection, kind=AssessmentKind.PRIMARY
    ).exists()


def _stored_windows(summary: Mapping[str, Any]) -> dict[str, tuple[date, date]]:
    return {
        d["domain"]: (date.fromisoformat(d["window_start"]), date.fromisoformat(d["window_end"]))
        for d in summary["domains"]
    }


def _plan(
    inspection: Inspection,
    cases: Sequence[SamplingCase],
    *,
    seed: int,
    sizes: Mapping[str, int] | None = None,
    windows: Mapping[str, tuple[date, date]] | None = None,
) -> tuple[CoreDomainPlan, ...]:
    plan = plan_sample(
        cases,
        sampling_settings(inspection),
        seed=seed,
        fieldwork_start=inspection.fieldwork_start,
        windows=windows if windows is not None else explicit_windows(inspection),
        sizes=sizes,
    )
    return plan.domains


def _draw_plans(
    inspection: Inspection, cases: Sequence[SamplingCase], draw_: SampleDraw
) -> tuple[CoreDomainPlan, ...]:
    """The plan of a recorded draw: its seed, windows and sizes, over the cases now."""
    return _plan(
        inspection,
        cases,
        seed=draw_.seed,
        sizes=draw_.summary.get("sizes") or None,
        windows=_stored_windows(draw_.summary),
    )


def _infos(
    inspection: Inspection,
    plans: Sequence[CoreDomainPlan],
    sources: Mapping[str, str],
) -> list[DomainInfo]:
    labels = domain_labels(inspection)
    counts = dict(
        Case.objects.filter(inspection=inspection, in_sample=True)
        .values_list("domain")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        DomainInfo(
            domain=p.domain,
            label=labels.get(p.domain, p.domain),
            window_start=p.window_start,
            window_end=p.window_end,
            window_source=sources.get(p.domain, p.window_source),
            population=p.population,
            basis=p.size,
            notes=p.notes,
            in_sample=counts.get(p.domain, 0),
        )
        for p in plans
    ]


def domain_infos(
    inspection: Inspection,
    cases: Sequence[SamplingCase],
    *,
    sizes: Mapping[str, int] | None = None,
    from_draw: bool = True,
) -> list[DomainInfo]:
    """Per sampled domain: window, eligible cases and the size (formula unless set by hand).

    With a current draw (and `from_draw`), the figures are the draw's own (its windows and
    sizes); otherwise they are what a draw would use now."""
    draw_ = current_draw(inspection) if from_draw else None
    if draw_ is not None:
        return overview(inspection, cases, draw_).infos
    plans = _plan(inspection, cases, seed=0, sizes=sizes)
    return _infos(inspection, plans, {})


@dataclass(frozen=True)
class Overview:
    """The sample page's figures: per domain infos and, once drawn, the composition."""

    infos: list[DomainInfo]
    compositions: dict[str, tuple[CompositionRow, ...]]


def overview(
    inspection: Inspection,
    cases: Sequence[SamplingCase],
    draw_: SampleDraw | None = None,
) -> Overview:
    """Infos and compositions from one plan (planning 100,000 cases takes a noticeable time).

    Without a draw: what a draw would use now, and no composition. With one: the draw's own
    windows and sizes, and the composition of the cases marked in_sample now, so
    replacements are reflected."""
    draw_ = draw_ if draw_ is not None else current_draw(inspection)
    if draw_ is None:
        return Overview(_infos(inspection, _plan(inspection, cases, seed=0), {}), {})
    plans = _draw_plans(inspection, cases, draw_)
    sources = {d["domain"]: d["window_source"] for d in draw_.summary["domains"]}
    by_ref = {c.case_ref: c for c in cases}
    sampled: dict[str, list[str]] = {}
    rows = (
        Case.objects.filter(inspection=inspection, in_sample=True)
        .order_by("sample_order", "case_ref")
        .values_list("domain", "case_ref")
    )
    for domain, ref in rows:
        sampled.setdefault(domain, []).append(ref)
    tables: dict[str, tuple[CompositionRow, ...]] = {}
    for plan in plans:
        picks = tuple(
            Pick(ref, tuple(by_ref[ref].value(a) for a in plan.attributes))
            for ref in sampled.get(plan.domain, [])
            if ref in by_ref
        )
        tables[plan.domain] = DomainSample(plan, picks).composition()
    return Overview(_infos(inspection, plans, sources), tables)


# ---- writing a sample to the cases ----


def _in_chunks(refs: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(refs), _CHUNK):
        yield refs[start : start + _CHUNK]


def _cases_by_ref(inspection: Inspection, refs: Sequence[str]) -> dict[str, Case]:
    found: dict[str, Case] = {}
    for chunk in _in_chunks(refs):
        for case in Case.objects.filter(inspection=inspection, case_ref__in=chunk):
            found[case.case_ref] = case
    return found


def _stratum_text(key: Sequence[str]) -> str:
    return STRATUM_SEPARATOR.join(key)[:200]


def _write(inspection: Inspection, result: SampleResult | None, by: User, reason: str) -> int:
    """Set the sample flags to `result` (None: no sample); returns how many cases changed.

    Only cases whose flags change are written, with one history record each. A case leaving
    the sample also loses its assessor (the allocation was for the old sample)."""
    wanted: dict[str, tuple[int, str]] = {}
    if result is not None:
        order = 0
        for sample in result.domains:
            for pick in sample.picks:
                order += 1
                wanted[pick.case_ref] = (order, _stratum_text(pick.stratum))
    touched = {
        c.case_ref: c
        for c in Case.objects.filter(inspection=inspection).filter(
            Q(in_sample=True)
            | Q(sample_order__isnull=False)
            | ~Q(stratum="")
            | ~Q(excluded_reason="")
        )
    }
    missing = [ref for ref in wanted if ref not in touched]
    touched.update(_cases_by_ref(inspection, missing))
    changed: list[Case] = []
    for ref, case in touched.items():
        before = (case.in_sample, case.sample_order, case.stratum, case.excluded_reason)
        if ref in wanted:
            order, stratum = wanted[ref]
            after: tuple[bool, int | None, str, str] = (True, order, stratum, "")
        else:
            after = (False, None, "", "")
        if before != after:
            if case.in_sample and not after[0]:
                case.assessor = None
            case.in_sample, case.sample_order, case.stratum, case.excluded_reason = after
            changed.append(case)
    if changed:
        _update_sample_fields(changed)
        Case.history.bulk_history_create(
            changed, batch_size=_CHUNK, update=True, default_user=by, default_change_reason=reason
        )
    return len(changed)


def _update_sample_fields(cases: Sequence[Case]) -> None:
    """One UPDATE statement per case, sent with executemany.

    `bulk_update` builds a CASE expression per field and case, which took seconds for a
    few hundred cases; the history records are written by `bulk_history_create` after."""
    connection = connections[Case.objects.db]
    quote = connection.ops.quote_name
    fields = [f for f in Case._meta.concrete_fields if f.name in SAMPLE_FIELDS]
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    table = quote(str(Case._meta.db_table))
    key = quote(str(Case._meta.pk.column)) if Case._meta.pk else "id"
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608 (names only)
    attnames = [str(f.attname) for f in fields]
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*(getattr(c, name) for name in attnames), c.pk) for c in cases])


def _summary(
    inspection: Inspection, result: SampleResult, sizes: Mapping[str, int]
) -> dict[str, Any]:
    return {
        "method": result.method,
        "allocation": result.allocation,
        "seed": result.seed,
        "attributes": list(result.attributes),
        "fieldwork_start": inspection.fieldwork_start.isoformat(),
        "sizes": dict(sizes),
        "notes": list(result.notes),
        "domains": [
            {
                "domain": s.domain,
                "window_start": s.plan.window_start.isoformat(),
                "window_end": s.plan.window_end.isoformat(),
                "window_source": s.plan.window_source,
                "date_field": s.plan.date_field,
                "population": s.population,
                "target": s.target,
                "rule": s.plan.size.rule,
                "formula_size": s.plan.size.formula_size,
                "basis": s.plan.size.explain(),
                "strata": len(s.plan.strata),
                "fingerprint": s.plan.fingerprint,
                "notes": list(s.plan.notes),
                "selected": list(s.selected),
                "composition": [_composition_json(row) for row in s.composition()],
            }
            for s in result.domains
        ],
    }


def _composition_json(row: CompositionRow) -> dict[str, Any]:
    return {
        "attribute": row.attribute,
        "value": row.value,
        "population_count": row.population_count,
        "population_total": row.population_total,
        "sample_count": row.sample_count,
        "sample_total": row.sample_total,
    }


def _lock(inspection: Inspection) -> None:
    Inspection.objects.select_for_update().filter(pk=inspection.pk).first()


def _refuse_if_assessed(inspection: Inspection, doing: str) -> None:
    if assessments_started(inspection):
        raise SampleRefused(
            f"Assessments of sampled cases have started, so the sample cannot be {doing}. "
            "Replace individual cases instead."
        )


def _archive(draw_: SampleDraw, by: User, why: str) -> None:
    """Keep the old draw's replacements in its summary, mark it cleared, delete the rows."""
    replacements = Replacement.objects.filter(inspection=draw_.inspection).select_related(
        "removed", "added", "by"
    )
    draw_.summary = {
        **draw_.summary,
        "cleared": {
            "at": timezone.now().isoformat(),
            "by": by.username,
            "why": why,
            "replacements": [
                {
                    "removed": r.removed.case_ref,
                    "added": r.added.case_ref if r.added else None,
                    "reason": r.reason,
                    "by": r.by.username,
                    "at": r.at.isoformat(),
                }
                for r in replacements.order_by("pk")
            ],
        },
    }
    draw_.save(update_fields=["summary"])
    replacements.delete()


def draw(
    inspection: Inspection,
    *,
    seed: int,
    sizes: Mapping[str, int] | None,
    by: User,
) -> SampleDraw:
    """Draw (or redraw) the sample and write it to the cases.

    Raises SampleRefused once primary assessments exist or when there are no cases, and
    SamplingError for a request the sampler cannot honour (a size larger than the eligible
    population, say)."""
    with transaction.atomic():
        _lock(inspection)
        _refuse_if_assessed(inspection, "drawn again")
        cases = sampling_cases(inspection)
        if not cases:
            raise SampleRefused("There are no cases yet: import the case list first.")
        requested = {d: int(n) for d, n in (sizes or {}).items()}
        # The draw's stored record (its notes and size basis) is kept in English whatever the
        # page's language, like every other stored record; pages word it afresh.
        with translation.override("en"):
            result = draw_sample(
                cases,
                sampling_settings(inspection),
                seed=seed,
                fieldwork_start=inspection.fieldwork_start,
                windows=explicit_windows(inspection),
                sizes=requested or None,
            )
            summary = _summary(inspection, result, requested)
        previous = current_draw(inspection)
        if previous is not None:
            _archive(previous, by, "redrawn")
        _write(inspection, result, by, f"sample drawn with seed {seed}")
        return SampleDraw.objects.create(inspection=inspection, seed=seed, summary=summary, by=by)


def clear_sample(inspection: Inspection, *, by: User) -> None:
    """Take every case out of the sample (so the case list can be changed), keeping the
    record of the draw and its replacements."""
    with transaction.atomic():
        _lock(inspection)
        _refuse_if_assessed(inspection, "cleared")
        previous = current_draw(inspection)
        if previous is not None:
            _archive(previous, by, "cleared")
        _write(inspection, None, by, "sample cleared")


# ---- reproducing, replacing and checking ----


def _replay(
    inspection: Inspection, draw_: SampleDraw, cases: Sequence[SamplingCase]
) -> SampleResult:
    summary = draw_.summary
    if summary.get("method") != METHOD:
        raise SampleRefused(
            f"This sample was drawn with an earlier sampling method ({summary.get('method')}); "
            "it cannot be redrawn by this version of yjinspect."
        )
    result = draw_sample(
        cases,
        sampling_settings(inspection),
        seed=draw_.seed,
        windows=_stored_windows(summary),
        sizes=summary.get("sizes") or None,
        allocation=summary.get("allocation", "largest_remainder"),
    )
    for r in (
        Replacement.objects.filter(inspection=inspection)
        .select_related("removed", "added")
        .order_by("pk")
    ):
        result = replace_case(result, r.removed.case_ref, r.reason, cases)
        latest = result.replacements[-1]
        if latest.added != (r.added.case_ref if r.added else None):
            raise SampleRefused(
                "The recorded replacements do not follow from the sample's seed; the sample "
                "cannot be changed safely. Ask an administrator to check its history."
            )
    return result


def reproduce(inspection: Inspection, cases: Sequence[SamplingCase] | None = None) -> SampleResult:
    """The current sample drawn again from its stored seed, with its replacements replayed."""
    draw_ = current_draw(inspection)
    if draw_ is None:
        raise SampleRefused("No sample has been drawn.")
    return _replay(inspection, draw_, cases if cases is not None else sampling_cases(inspection))


def verify(inspection: Inspection, cases: Sequence[SamplingCase] | None = None) -> Verification:
    """Draw the sample again from its seed and compare with the cases marked in_sample."""
    expected = frozenset(reproduce(inspection, cases).selected)
    marked = frozenset(
        Case.objects.filter(inspection=inspection, in_sample=True).values_list(
            "case_ref", flat=True
        )
    )
    return Verification(expected == marked, expected, marked)


def replace(inspection: Inspection, *, case_ref: str, reason: str, by: User) -> Replacement:
    """Swap a sampled case for an unsampled eligible one (core `replace_case`), with reason.

    The removed case leaves the sample with the reason in `excluded_reason`; the added case
    takes its place in the draw order and its assessor. Raises SampleRefused or
    SamplingError (blank reason, case not in the sample)."""
    why = reason.strip()
    if not why:
        raise SamplingError("a replacement needs a reason (e.g. 'transferred out of area')")
    with transaction.atomic():
        _lock(inspection)
        removed = Case.objects.filter(
            inspection=inspection, case_ref=case_ref.strip(), in_sample=True
        ).first()
        if removed is None:
            raise SampleRefused(f"{case_ref.strip()} is not in the sample.")
        if Assessment.objects.filter(case=removed).exists():
            raise SampleRefused(
                f"{removed.case_ref} already has an assessment, so it cannot be replaced."
            )
        cases = sampling_cases(inspection)
        before = reproduce(inspection, cases)
        after = replace_case(before, removed.case_ref, why, cases)
        record = after.replacements[-1]
        added = (
            Case.objects.get(inspection=inspection, case_ref=record.added) if record.added else None
        )
        assessor = removed.assessor
        removed.in_sample = False
        removed.excluded_reason = why
        order = removed.sample_order
        removed.sample_order = None
        removed.assessor = None
        removed.save()
        if added is not None:
            added.in_sample = True
            added.sample_order = order
            added.stratum = _stratum_text(record.added_stratum or ())
            added.excluded_reason = ""
            added.assessor = assessor
            added.save()
        return Replacement.objects.create(
            inspection=inspection, removed=removed, added=added, reason=why, by=by
        )


# ---- composition ----


def compositions(
    inspection: Inspection, cases: Sequence[SamplingCase]
) -> dict[str, tuple[CompositionRow, ...]]:
    """Per domain of the current draw: sample versus eligible case list, by stratum value."""
    return overview(inspection, cases).compositions


# ---- allocation ----

ALLOCATABLE_ROLES = (Role.LEAD, Role.INSPECTOR)


def allocatable(inspection: Inspection) -> list[tuple[int, str]]:
    """(user id, username) of the team members who may be given cases: leads and inspectors."""
    return list(
        Membership.objects.filter(inspection=inspection, role__in=ALLOCATABLE_ROLES)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )


@dataclass(frozen=True)
class AllocationChange:
    assessor_id: int | None
    interviewed: bool | None
    interview_date: date | None


def allocate(inspection: Inspection, changes: Mapping[int, AllocationChange]) -> int:
    """Apply allocations to sampled cases (by case id); returns how many cases changed.

    Each changed case is saved on its own so its history records who changed what. Refuses
    (SampleRefused, nothing saved) an assessor who is not a lead or inspector of this
    inspection, or a case that is not in its sample."""
    team = {pk for pk, _ in allocatable(inspection)}
    strangers = {c.assessor_id for c in changes.values()} - team - {None}
    if strangers:
        raise SampleRefused("Cases can only be allocated to this inspection's inspectors.")
    cases = Case.objects.filter(inspection=inspection, in_sample=True, pk__in=list(changes))
    found = {case.pk: case for case in cases}
    if set(changes) - set(found):
        raise SampleRefused("Some of those cases are no longer in the sample; reload the page.")
    changed = 0
    with transaction.atomic():
        for pk, change in changes.items():
            case = found[pk]
            now = (case.assessor_id, case.case_manager_interviewed, case.interview_date)
            wanted = (change.assessor_id, change.interviewed, change.interview_date)
            if now != wanted:
                case.assessor_id = change.assessor_id
                case.case_manager_interviewed = change.interviewed
                case.interview_date = change.interview_date
                case.save(update_fields=["assessor", "case_manager_interviewed", "interview_date"])
                changed += 1
    return changed
