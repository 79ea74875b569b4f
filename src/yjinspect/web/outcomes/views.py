"""Outcome indicator pages: the stored results beside their comparators, and the upload."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yjinspect.core.indicators import IndicatorResult
from yjinspect.web.inspections.access import Can, allowed, get_inspection, signed_in_user
from yjinspect.web.inspections.models import Inspection
from yjinspect.web.inspections.query import query_value

from . import services
from .forms import IndicatorUploadForm
from .models import IndicatorRun
from .services import IndicatorFiles, Problem, ProblemsFound

RUNS_PER_PAGE = 25


def _rows(results: list[IndicatorResult]) -> list[dict[str, Any]]:
    """What the results table shows per indicator; the comparison verdict in words."""
    verdicts = {"better": _("Better"), "worse": _("Worse"), "same": _("The same")}
    return [
        {
            "result": r,
            "value": "" if r.rounded is None else str(r.rounded),
            "national": "" if r.comparison is None else str(r.comparison.national),
            "difference": "" if r.comparison is None else str(r.comparison.difference),
            "verdict": "" if r.comparison is None else verdicts[r.comparison.verdict],
        }
        for r in results
    ]


def _inputs(run: IndicatorRun) -> list[dict[str, dict[str, str]]]:
    """The run's inputs as GOV.UK summary-list rows (plain text: file names are escaped)."""
    pairs = [
        (
            _("Case-level records"),
            _("%(file)s, %(n)s rows") % {"file": run.cases_filename, "n": f"{run.case_rows:,}"},
        ),
        (_("Records file SHA-256"), run.cases_sha256),
        (
            _("Population aged 10 to 17"),
            _("%(n)s, from %(file)s")
            % {"n": f"{run.population:,}", "file": run.population_filename},
        ),
        (_("Population file SHA-256"), run.population_sha256),
        (_("Period"), f"{run.period_start.isoformat()} – {run.period_end.isoformat()}"),
        (
            _("Reoffending cohort"),
            f"{run.cohort_start.isoformat()} – {run.cohort_end.isoformat()}",
        ),
        (
            _("Follow-up and waiting periods"),
            _("%(f)s months, then %(w)s months")
            % {"f": run.follow_up_months, "w": run.waiting_months},
        ),
        (_("National comparators"), run.comparator_source or _("None given")),
    ]
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in pairs]


def indicators(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest stored indicators (or an earlier run, ?run=ID) and the list of runs."""
    inspection, role = get_inspection(request, pk, Can.VIEW)
    runs = IndicatorRun.objects.filter(inspection=inspection).select_related("by")
    run: IndicatorRun | None
    wanted = query_value(request, "run")
    if wanted:
        if not wanted.isdecimal():
            raise Http404("No such run")
        run = runs.filter(pk=int(wanted)).first()
        if run is None:
            raise Http404("No such run")
    else:
        run = services.latest_run(inspection)
    page = Paginator(runs.order_by("-at", "-pk"), RUNS_PER_PAGE).get_page(
        query_value(request, "page")
    )
    return render(
        request,
        "outcomes/indicators.html",
        {
            "inspection": inspection,
            "role": role,
            "run": run,
            "rows": _rows(services.results_of(run)) if run else [],
            "inputs": _inputs(run) if run else [],
            "page": page,
            "can_upload": allowed(role, inspection, Can.MANAGE),
        },
    )


def _read(upload: UploadedFile[bytes]) -> tuple[str, bytes]:
    return PurePath(upload.name or "upload.csv").name, upload.read()


def _comparators(form: IndicatorUploadForm) -> tuple[dict[str, Any], str, list[Problem]]:
    """Typed figures merged with the comparators file; a disagreement is a problem."""
    typed = form.typed_comparators()
    upload = form.cleaned_data.get("comparators_file")
    if upload is None:
        return typed, _("typed in") if typed else "", []
    name, data = _read(upload)
    try:
        loaded = services.comparators_from_csv(data)
    except ProblemsFound as found:
        return typed, "", found.problems
    problems = [
        Problem(
            "comparators",
            _("%(key)s is %(file)s in the file but %(typed)s was typed: give one figure.")
            % {"key": key, "file": loaded[key], "typed": value},
        )
        for key, value in typed.items()
        if key in loaded and loaded[key] != value
    ]
    return {**loaded, **typed}, name, problems


def _check(form: IndicatorUploadForm) -> services.Checked:
    """Every problem of the three files together, or the clean, computed inputs."""
    comparators, source, problems = _comparators(form)
    cases_name, cases = _read(form.cleaned_data["cases_file"])
    population_name, population = _read(form.cleaned_data["population_file"])
    files = IndicatorFiles(
        cases_name=cases_name,
        cases=cases,
        population_name=population_name,
        population=population,
        period=form.period(),
        cohort=form.cohort(),
        rules=form.rules(),
        comparators=comparators,
        comparator_source=source,
    )
    try:
        checked = services.check_files(files)
    except ProblemsFound as found:
        raise ProblemsFound([*found.problems, *problems]) from None
    if problems:
        raise ProblemsFound(problems)
    return checked


def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the records and population: every problem is listed and nothing is saved, or
    the five indicators are computed and saved together."""
    inspection, role = get_inspection(request, pk, Can.MANAGE)
    form = IndicatorUploadForm(initial=_initial(inspection))
    problems: list[Problem] = []
    if request.method == "POST":
        form = IndicatorUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                checked = _check(form)
            except ProblemsFound as found:
                problems = found.problems
            else:
                run = services.store_run(inspection, checked, signed_in_user(request))
                messages.success(
                    request,
                    _("Indicators computed from %(n)s records and saved.")
                    % {"n": f"{run.case_rows:,}"},
                )
                return redirect("outcomes:indicators", pk=pk)
    return render(
        request,
        "outcomes/upload.html",
        {
            "inspection": inspection,
            "role": role,
            "form": form,
            "problems": problems,
            "problem_links": [
                {"text": _problem_text(p), "href": "#problems"} for p in problems[:10]
            ],
            "capped": len(problems) >= services.MAX_PROBLEMS,
        },
    )


def _problem_text(problem: Problem) -> str:
    where = [problem.file]
    if problem.row is not None:
        where.append(_("row %(n)s") % {"n": problem.row})
    if problem.column:
        where.append(_("column %(c)s") % {"c": problem.column})
    return f"{', '.join(where)}: {problem.message}"


def _initial(inspection: Inspection) -> dict[str, Any]:
    """Start from the last run's period, cohort and rules, so a re-upload changes only files."""
    last = services.latest_run(inspection)
    if last is None:
        return {}
    initial: dict[str, Any] = {
        "period_start": last.period_start,
        "period_end": last.period_end,
        "follow_up_months": last.follow_up_months,
        "waiting_months": last.waiting_months,
    }
    if (last.cohort_start, last.cohort_end) != (last.period_start, last.period_end):
        initial |= {"cohort_start": last.cohort_start, "cohort_end": last.cohort_end}
    for stored in last.results.all():
        if stored.national is not None:
            initial[f"national_{stored.key}"] = stored.national.normalize()
    return initial
