"""Comparison logic outside the views: storing an upload, a service's occasions over time, the
national distribution of one item, and the crosswalk between programmes.

An 'occasion' is one inspection or internal audit of a service: either published (from the
uploaded CSV) or run in this app (rated live from its answers, like the ratings page). Both
become the same shape, a set of figures keyed by (item kind, item id), so the pages compare
them without caring where each came from.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.core.crosswalk import Crosswalk, CrosswalkRow, crosswalk_rows, load_crosswalk
from yjinspect.core.legacy import AreaRating
from yjinspect.core.published import Problem, PublishedFigure, service_key
from yjinspect.core.ratings import InspectionRating
from yjinspect.core.trend import Change, Proportion, compare
from yjinspect.frameworks import Framework, get_framework, shipped_framework_paths
from yjinspect.web.inspections.access import Can, allowed, role_of, visible_inspections
from yjinspect.web.inspections.models import Inspection
from yjinspect.web.inspections.services.ratings import rate_areas_inspection, rate_inspection

from .models import ItemKind, Kind, PublishedResult, PublishedUpload

ItemKey = tuple[str, str]  # (item kind, item id)


# ---------------------------------------------------------------- storing an upload


def clashes_with_stored(figures: Sequence[PublishedFigure]) -> list[Problem]:
    """Rows that repeat a figure already stored: a file adds figures, it never overwrites
    them silently (withdraw the earlier upload first)."""
    keys = {f.key(): f.row for f in figures}
    services = {f.service_key for f in figures}
    stored = PublishedResult.objects.filter(service_key__in=services).values_list(
        "service_key", "framework_id", "published_on", "kind", "item_kind", "item_id"
    )
    problems = []
    for key in stored:
        row = keys.get(tuple(key))  # type: ignore[arg-type]
        if row is not None:
            problems.append(
                Problem(row, "item_id", _("this figure is already stored from an earlier upload"))
            )
    return sorted(problems, key=lambda p: p.row or 0)


class UploadRefused(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def store_upload(
    figures: Sequence[PublishedFigure], text: str, filename: str, user: User
) -> PublishedUpload:
    """All rows or none: checked again for clashes inside the transaction that writes them."""
    with transaction.atomic():
        problems = clashes_with_stored(figures)
        if problems:
            raise UploadRefused(problems)
        upload = PublishedUpload(
            filename=filename[:255],
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            row_count=len(figures),
            uploaded_by=user,
        )
        upload.save()
        try:
            for f in figures:
                _result(upload, f).save()  # .save() so every row gets its history record
        except IntegrityError:
            raise UploadRefused(
                [Problem(None, None, _("another upload added the same figures just now"))]
            ) from None
    return upload


def _result(upload: PublishedUpload, f: PublishedFigure) -> PublishedResult:
    return PublishedResult(
        upload=upload, row_number=f.row, service=f.service, service_key=f.service_key,
        framework_id=f.framework_id, framework_version=f.framework_version,
        published_on=f.published, date_precision=f.date_precision, kind=f.kind,
        item_kind=f.item_kind, item_id=f.item_id, rating=f.rating, rating_id=f.rating_id,
        percent=f.percent, numerator=f.numerator, denominator=f.denominator, source=f.source,
        fictitious=f.fictitious,
    )  # fmt: skip


# ---------------------------------------------------------------- figures and occasions


@dataclass(frozen=True)
class Cell:
    """One figure of one occasion: a rating or word, a percentage, counts, or several."""

    rating: str = ""
    rating_id: str = ""
    percent: Decimal | None = None
    yes: int | None = None
    applicable: int | None = None
    pooled_by_app: bool = False  # an SQS theme figure the programme itself never published

    def proportion(self) -> Proportion | None:
        if self.yes is None or not self.applicable:
            return None
        return Proportion(self.yes, self.applicable)

    def text(self, item_kind: str) -> str:
        parts = []
        if self.percent is not None:
            shown = f"{self.percent.normalize():f}%"
            if self.yes is not None and self.applicable:
                shown += f" ({self.yes}/{self.applicable})"
            parts.append(shown)
        elif self.yes is not None and item_kind == ItemKind.OVERALL:
            parts.append(_("score %(score)s/%(max)s") % {"score": self.yes, "max": self.applicable})
        if self.rating:
            parts.insert(0, self.rating)
        text = ", ".join(parts) or _("no figure")
        if self.pooled_by_app:
            text += " " + _("(pooled by yjinspect; never published)")
        return text


@dataclass
class Occasion:
    when: date
    date_precision: str
    kind: str
    origin: str  # 'published' or 'app'
    framework_id: str
    framework_version: int
    cells: dict[ItemKey, Cell] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    fictitious: bool = False
    url: str | None = None  # the app inspection's ratings page
    service: str = ""  # as the publication or the app names it
    # The engine's full result, for inspections rated in the app (the crosswalk uses it).
    result: InspectionRating | AreaRating | None = None

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def date_text(self) -> str:
        return self.when.strftime("%b %Y" if self.date_precision == "month" else "%-d %b %Y")

    @property
    def label(self) -> str:
        origin = _("published") if self.origin == "published" else _("in yjinspect")
        return f"{self.kind_label}, {self.date_text} ({origin})"


def _cell_from_row(r: PublishedResult) -> Cell:
    return Cell(r.rating, r.rating_id, r.percent, r.numerator, r.denominator)


def published_occasions(key: str) -> list[Occasion]:
    """The service's published inspections and audits, one per framework, date and kind."""
    groups: dict[tuple[str, date, str], Occasion] = {}
    for r in PublishedResult.objects.filter(service_key=key).order_by("published_on", "pk"):
        occasion = groups.setdefault(
            (r.framework_id, r.published_on, r.kind),
            Occasion(
                r.published_on, r.date_precision, r.kind, "published", r.framework_id,
                r.framework_version, service=r.service,
            ),
        )  # fmt: skip
        occasion.cells[(r.item_kind, r.item_id)] = _cell_from_row(r)
        if r.source not in occasion.sources:
            occasion.sources.append(r.source)
        occasion.fictitious = occasion.fictitious or r.fictitious
    return list(groups.values())


def _percent(value: Fraction | None) -> Decimal | None:
    return None if value is None else Decimal(float(value)).quantize(Decimal("0.1")).normalize()


def cells_from_rating(result: InspectionRating) -> dict[ItemKey, Cell]:
    """A standards-framework rating result as figures: overall, standards, key questions."""
    cells: dict[ItemKey, Cell] = {}
    overall = result.overall_rating
    cells[(ItemKind.OVERALL, "overall")] = Cell(
        overall.label if overall else result.not_rated_label,
        overall.id if overall else "",
        None,
        result.score,
        result.max_score if result.score is not None else None,
    )
    for std in result.standards:
        rating = std.rating
        cells[(ItemKind.STANDARD, std.id)] = Cell(
            rating.label if rating else result.not_rated_label, rating.id if rating else ""
        )
        for kq in std.key_questions:
            if kq.applicable:
                cells[(ItemKind.KEY_QUESTION, kq.id)] = Cell(
                    "", "", _percent(kq.percent), kq.yes, kq.applicable
                )
    return cells


def cells_from_areas(result: AreaRating) -> dict[ItemKey, Cell]:
    """An earlier-programme result as figures: areas (pooled) and their scored questions."""
    cells: dict[ItemKey, Cell] = {}
    for area in result.areas:
        if area.applicable or area.word:
            cells[(ItemKind.AREA, area.id)] = Cell(
                area.word or "", "", _percent(area.percent),
                area.yes if area.applicable else None,
                area.applicable or None, pooled_by_app=not area.score_published,
            )  # fmt: skip
        for item in area.items:
            if item.kind == "scored" and item.relevant:
                cells[(ItemKind.QUESTION, item.id)] = Cell(
                    "", "", _percent(item.percent), item.yes, item.relevant
                )
    return cells


def app_occasions(key: str, user: User) -> list[Occasion]:
    """The service's inspections and audits in this app whose ratings the user may see."""
    ids = visible_inspections(user)
    qs = Inspection.objects.select_related("framework").order_by("fieldwork_start", "pk")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    occasions = []
    for inspection in qs:
        if service_key(inspection.service_name) != key:
            continue
        if not allowed(role_of(user, inspection), inspection, Can.SEE_RATINGS):
            continue
        fw = inspection.framework.framework
        result: InspectionRating | AreaRating = (
            rate_inspection(inspection)
            if fw.scoring_model == "standards"
            else rate_areas_inspection(inspection)
        )
        cells = (
            cells_from_rating(result)
            if isinstance(result, InspectionRating)
            else cells_from_areas(result)
        )
        occasions.append(
            Occasion(
                inspection.fieldwork_start, "day", inspection.mode, "app", fw.id, fw.version,
                cells, [str(inspection)], False,
                reverse("inspections:ratings", args=[inspection.pk]), inspection.service_name,
                result,
            )
        )  # fmt: skip
    return occasions


def service_name(occasions: Sequence[Occasion]) -> str | None:
    """The service's name as its latest occasion gives it (names change: YOT, then YJS)."""
    latest = max(occasions, key=lambda o: o.when, default=None)
    return latest.service if latest else None


# ---------------------------------------------------------------- over time


@dataclass(frozen=True)
class ChangeCell:
    change: Change
    text: str


@dataclass(frozen=True)
class TimelineRow:
    """One item across the occasions; `columns` pairs each figure with the change before it."""

    item_kind: str
    item_id: str
    label: str
    cells: list[str]  # one per occasion, '' when that occasion has no figure
    changes: list[ChangeCell | None]  # between occasion i-1 and i (None for the first)
    heading: bool = False  # a standard or area row, set in bold

    @property
    def columns(self) -> list[tuple[ChangeCell | None, str]]:
        return list(zip(self.changes, self.cells, strict=True))


@dataclass
class FrameworkTimeline:
    framework: Framework
    occasions: list[Occasion]
    rows: list[TimelineRow]


CHANGE_TEXT = {
    Change.HIGHER: gettext_lazy("clearly higher"),
    Change.LOWER: gettext_lazy("clearly lower"),
    Change.NO_CLEAR_CHANGE: gettext_lazy("no clear change"),
    Change.UNKNOWN: gettext_lazy("cannot tell: counts not known"),
}
# Only shares of cases or answers can move within the noise; ratings and scores cannot.
PROPORTION_KINDS = {ItemKind.KEY_QUESTION, ItemKind.AREA, ItemKind.QUESTION}


def change_text(change: Change) -> str:
    return str(CHANGE_TEXT[change])


def _items(fw: Framework) -> list[tuple[str, str, str, bool]]:
    """Every item of the framework in report order: (kind, id, label, is heading)."""
    if fw.scoring_model == "standards":
        lens = {lens.id: lens.label for lens in fw.lenses}
        out: list[tuple[str, str, str, bool]] = [(ItemKind.OVERALL, "overall", _("Overall"), True)]
        for std in fw.all_standards():
            out.append((ItemKind.STANDARD, std.id, f"{std.id} {std.name}", True))
            for kq in std.key_questions:
                kq_id = f"{std.id}.{kq.lens}"
                out.append((ItemKind.KEY_QUESTION, kq_id, f"{kq_id}: {lens[kq.lens]}", False))
        return out
    out = []
    for area in fw.areas:
        out.append((ItemKind.AREA, area.id, f"{area.id} {area.name}", True))
        for item in fw.items:
            if item.area == area.id and item.kind == "scored":
                out.append((ItemKind.QUESTION, item.id, f"{item.id} {item.text}", False))
    return out


def timelines(occasions: Iterable[Occasion]) -> list[FrameworkTimeline]:
    """One table per framework: its items down, the occasions across in date order, and
    between neighbours whether a percentage moved by more than the noise."""
    by_fw: dict[str, list[Occasion]] = defaultdict(list)
    for o in occasions:
        by_fw[o.framework_id].append(o)
    out = []
    for fid, group in by_fw.items():
        fw = get_framework(fid)
        group.sort(key=lambda o: (o.when, o.origin))
        rows = []
        for kind, item_id, label, heading in _items(fw):
            found = [o.cells.get((kind, item_id)) for o in group]
            if not any(found):
                continue
            changes: list[ChangeCell | None] = [None]
            for before, after in itertools.pairwise(found):
                if before is None or after is None or kind not in PROPORTION_KINDS:
                    changes.append(None)
                    continue
                result = compare(before.proportion(), after.proportion(), fw.interval.confidence)
                changes.append(ChangeCell(result.change, change_text(result.change)))
            cells = [c.text(kind) if c else "" for c in found]
            rows.append(TimelineRow(kind, item_id, label, cells, changes, heading))
        out.append(FrameworkTimeline(fw, group, rows))
    out.sort(key=lambda t: max(o.when for o in t.occasions))
    return out


# ---------------------------------------------------------------- across programmes


@dataclass(frozen=True)
class CrossArea:
    """One earlier area and the current measures nearest to it, with how they differ."""

    earlier_label: str
    earlier_figure: str
    note: str
    targets: list[tuple[str, str]]  # (current measure, its figure)

    @property
    def span(self) -> int:
        return len(self.targets)


@dataclass
class CrossProgramme:
    earlier: Occasion
    current: Occasion
    earlier_framework: Framework
    current_framework: Framework
    rows: list[CrossArea]
    note: str


def across_programmes(
    occasions: Sequence[Occasion], crosswalk: Crosswalk | None = None
) -> list[CrossProgramme]:
    """Each earlier-programme occasion beside the service's latest current-standards one,
    area by nearest key question or standard, through the shipped crosswalk. When both were
    rated in this app the engine's `crosswalk_rows` builds the rows from the full results;
    published figures are partial, so for them the rows come from the crosswalk's mappings.
    Every row keeps the crosswalk's note on how the two measures differ."""
    cw = crosswalk or load_crosswalk()
    current = [o for o in occasions if o.framework_id in cw.current_frameworks]
    if not current:
        return []
    latest = max(current, key=lambda o: (o.when, o.origin == "app"))
    current_fw = get_framework(latest.framework_id)
    out = []
    for earlier in sorted(occasions, key=lambda o: o.when):
        if earlier.framework_id not in cw.earlier:
            continue
        fw = get_framework(earlier.framework_id)
        if isinstance(earlier.result, AreaRating) and isinstance(latest.result, InspectionRating):
            rows = _grouped(crosswalk_rows(earlier.result, latest.result, cw))
        else:
            rows = _cross_rows(cw, fw, earlier, current_fw, latest)
        if rows:
            out.append(
                CrossProgramme(earlier, latest, fw, current_fw, rows, " ".join(cw.note.split()))
            )
    return out


def _grouped(rows: Sequence[CrosswalkRow]) -> list[CrossArea]:
    """The engine's crosswalk rows (both occasions rated in the app), one group per area."""
    out: list[CrossArea] = []
    for row in rows:
        if not out or out[-1].earlier_label != row.earlier_label:
            out.append(CrossArea(row.earlier_label, row.earlier_figure, row.note, []))
        out[-1].targets.append((row.current_label, row.current_figure))
    return out


def _earlier_figure(fw: Framework, occasion: Occasion, area_id: str) -> str | None:
    """The area's figure; for the SQS, which printed none, its published question counts;
    None when the occasion has nothing for the area (it is then left out)."""
    cell = occasion.cells.get((ItemKind.AREA, area_id))
    if cell is not None:
        return cell.text(ItemKind.AREA)
    questions = [
        f"{item.id} {occasion.cells[(ItemKind.QUESTION, item.id)].text(ItemKind.QUESTION)}"
        for item in fw.items
        if item.area == area_id and (ItemKind.QUESTION, item.id) in occasion.cells
    ]
    if questions:
        return _("no theme figure published; questions: %(list)s") % {"list": "; ".join(questions)}
    return None


def _cross_rows(
    cw: Crosswalk, fw: Framework, earlier: Occasion, current_fw: Framework, current: Occasion
) -> list[CrossArea]:
    rows = []
    for area in fw.areas:
        mapping = cw.mapping(fw.id, area.id)
        figure = _earlier_figure(fw, earlier, area.id)
        if mapping is None or figure is None:
            continue
        targets = []
        for target in mapping.current:
            kind = ItemKind.KEY_QUESTION if target.count(".") >= 2 else ItemKind.STANDARD
            cell = current.cells.get((kind, target))
            if kind == ItemKind.KEY_QUESTION:
                std_id, _dot, lens = target.rpartition(".")
                name = current_fw.standard(std_id).name
                label = f"{std_id} {name}: {cw.lens_labels.get(lens, lens)}"
            else:
                label = f"{target} {current_fw.standard(target).name}"
            targets.append((label, cell.text(kind) if cell else _("no figure")))
        note = " ".join(mapping.note.split())
        rows.append(CrossArea(f"{area.id} {area.name}", figure, note, targets))
    return rows


# ---------------------------------------------------------------- national distribution


@dataclass(frozen=True)
class DistributionRow:
    service: str
    service_key: str
    published_on: date
    date_precision: str
    figure: str
    category: str  # the rating, or the 10-point band of the percentage
    fictitious: bool
    highlighted: bool


@dataclass
class Distribution:
    framework: Framework
    item_kind: str
    item_id: str
    item_label: str
    categories: list[tuple[str, int]]  # in order, with how many services fall in each
    rows: list[DistributionRow]
    highlighted: DistributionRow | None
    by_percent: bool


def framework_items(fw: Framework) -> list[tuple[str, str]]:
    """The items a national distribution can show: value 'kind:id', label. Questions are
    included because the SQS published nothing else."""
    return [(f"{kind}:{item_id}", label) for kind, item_id, label, _h in _items(fw)]


def comparable_frameworks() -> list[str]:
    """Shipped frameworks that have published inspection figures stored."""
    stored = set(PublishedResult.objects.values_list("framework_id", flat=True).distinct())
    return [fid for fid in shipped_framework_paths() if fid in stored]


def _band_label(percent: Decimal) -> str:
    low = min(90, int(percent // 10) * 10)
    return f"{low}–{100 if low == 90 else low + 9}%"


def distribution(fw: Framework, item_kind: str, item_id: str, highlight: str) -> Distribution:
    """The latest published inspection figure of every service for one item, counted by
    rating (or by 10-point band of the percentage), with one service picked out."""
    latest: dict[str, PublishedResult] = {}
    rows_qs = PublishedResult.objects.filter(
        framework_id=fw.id, item_kind=item_kind, item_id=item_id, kind=Kind.INSPECTION
    ).order_by("service_key", "published_on")
    for r in rows_qs:
        latest[r.service_key] = r  # later publications replace earlier ones
    by_percent = item_kind in PROPORTION_KINDS and any(
        r.percent is not None for r in latest.values()
    )
    if by_percent:
        order = [_band_label(Decimal(n)) for n in range(0, 100, 10)]
    elif fw.scoring_model == "standards":
        order = [r.label for r in reversed(fw.ratings)] + [fw.not_rated_label]
    else:
        area = fw.area(item_id)
        order = [b.word for b in fw.word_scales.get(area.word_scale or "", [])]
    rows = []
    for r in sorted(latest.values(), key=lambda r: r.service_key):
        cell = _cell_from_row(r)
        if by_percent:
            if r.percent is None:
                continue
            category = _band_label(r.percent)
        else:
            if not r.rating:
                continue
            category = r.rating
        rows.append(
            DistributionRow(
                r.service, r.service_key, r.published_on, r.date_precision,
                cell.text(item_kind), category, r.fictitious, r.service_key == highlight,
            )
        )  # fmt: skip
    counts = {c: 0 for c in order}
    for row in rows:
        counts[row.category] = counts.get(row.category, 0) + 1
    label = dict((v.split(":", 1)[1], lbl) for v, lbl in framework_items(fw)).get(item_id, item_id)
    chosen = next((r for r in rows if r.highlighted), None)
    return Distribution(
        fw, item_kind, item_id, label, list(counts.items()), rows, chosen, by_percent
    )


def services_for(fw: Framework) -> list[tuple[str, str]]:
    """(key, name) of every service with published figures for the framework, by name."""
    pairs = (
        PublishedResult.objects.filter(framework_id=fw.id)
        .values_list("service_key", "service")
        .distinct()
        .order_by("service")
    )
    seen: dict[str, str] = {}
    for key, name in pairs:
        seen.setdefault(key, name)
    return sorted(seen.items(), key=lambda p: p[1])
