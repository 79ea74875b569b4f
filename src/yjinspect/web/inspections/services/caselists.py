"""Case-list import for the web app: keep a checked preview between two requests, then commit it.

Two requests, nothing saved to `Case` in between:

1. **Upload.** The file is parsed with `core.caselist.parse_case_list`, which checks every row
   and refuses columns that look like personal data without reading them. This module adds the
   checks only the database can make (a case reference already in the inspection, a value
   longer than its column) and stores the result as a *preview*.
2. **Commit.** The lead presses "Add N cases". The stored rows are checked again and inserted
   in one transaction, all or nothing.

Where the preview is kept
-------------------------
A preview of a 100,000-row list is about 12 MB of rows: far too much for the session (a
database row read on every request) and pointless to keep in memory (several processes serve
requests). So it goes into files under ``imports/`` in the file storage (``STORAGES["default"]``:
a folder under MEDIA_ROOT on one server, the shared S3 bucket when there are several):

- ``<token>.meta.json``: who uploaded it, for which inspection, the file name, the counts per
  domain, the header mapping, ignored column headings, notices and the problem count;
- ``<token>.problems.json``: every problem (row, column, value, message), values already
  masked where they look like a name;
- ``<token>.rows.json``: the validated rows, only when there is no problem (so only when they
  can be committed), as compact JSON lists in `CaseRow` field order.

The *original file is never kept*: only the validated fields, which hold no names (the parser
refuses name columns and names in `case_ref`; the contents of ignored columns are never read).
`token` is 32 random URL-safe characters; the session holds only ``{inspection id: token}``
under `SESSION_KEY`. A preview is honoured only for the same user and inspection, and for
`PREVIEW_LIFETIME`; older files are deleted whenever a new preview is stored. The token
reaches the session only after every file is written, so a half-written preview is never
read. Committing or discarding a preview deletes its files.

On commit the rows file must match the keyed digest (HMAC with the site's secret key) kept in
the meta file, and every stored row is checked again against the case-list codes, so a damaged
or edited file cannot put anything into `Case` that an upload could not. The state is checked
again too: a case reference added to the inspection meanwhile, or a sample drawn meanwhile,
refuses the whole commit. The rows go in with one `INSERT` per batch (`insert_cases`), in one
transaction: 100,000 cases take a few seconds, and an error leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import json
import operator
import re
import secrets
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yjinspect.core.caselist import (
    AGE_RANGE,
    CANONICAL_COLUMNS,
    DISPOSAL_DOMAINS,
    ETHNICITY_SPELLINGS,
    LEVEL_SPELLINGS,
    MAX_REF_LENGTH,
    SEX_SPELLINGS,
    CaseRow,
    ImportPreview,
    Problem,
    looks_like_a_name,
    mask,
    write_case_list_csv,
)
from yjinspect.limits import MB, check_size, load_json

from ..files import NotStored, store
from ..models import Case, CaseListImport, Inspection

SESSION_KEY = "case_import_previews"
PREVIEW_LIFETIME_SECONDS = 24 * 3600
PREVIEW_FOLDER = "imports"  # in the file storage (STORAGES["default"]), beside the evidence
BATCH_SIZE = 2000
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_FORMAT = 1
_DIGEST_SALT = "yjinspect.caselists.preview-rows"
# The fields of a stored row, in `CaseRow` order (`row` first).
ROW_FIELDS = ("row", *CANONICAL_COLUMNS)
# Human labels for stored codes: the first spelling of each code is its plain-English name.
# Characters that make a spreadsheet treat a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportRefused(Exception):
    """A commit that cannot go ahead; the message says why and what to do."""


def safe_value(text: str) -> str:
    """A problem's cell value fit to show: anything shaped like a name is masked.

    The parser already masks names in case_ref and never reads refused columns; this also
    covers a name typed into any other column (say, a disposal cell)."""
    return mask(text) if looks_like_a_name(text) else text


@dataclass(frozen=True)
class StoredPreview:
    """What the preview page shows; the rows and problems stay on disk until asked for."""

    token: str
    inspection_id: int
    user_id: int
    filename: str
    created: float
    row_count: int
    domain_counts: dict[str, int]
    header_mapping: dict[str, str]
    ignored_columns: list[str]
    notices: list[str]
    problem_count: int
    rows_digest: str = ""

    @property
    def ok(self) -> bool:
        return self.problem_count == 0 and self.row_count > 0


# ---- files ----


def _name(token: str, part: str) -> str:
    if not _TOKEN.match(token):
        raise ValueError("not a preview token")
    return f"{PREVIEW_FOLDER}/{token}.{part}.json"


def _write_json(name: str, data: object) -> str:
    """Store JSON under `name` in the file storage; returns its keyed digest.

    The file is complete before anyone can ask for it: its token reaches the session only
    after every part is written."""
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    saved = store(name, ContentFile(encoded))  # NotStored (disk full...): nothing left of it
    if saved != name:  # tokens are random: a clash means something else wrote there
        default_storage.delete(saved)
        raise OSError(f"a preview file {name} already exists")
    return _digest(encoded)


def _digest(data: bytes) -> str:
    return salted_hmac(_DIGEST_SALT, data, algorithm="sha256").hexdigest()


# The most a stored preview part may be: ours, written from a checked upload (200,000 rows
# at about 150 bytes, or 10,000 problems), but read back with a cap all the same.
MAX_PREVIEW_PART = 64 * MB


def _read_bytes(name: str) -> bytes:
    """A stored part, refused (LimitExceeded, a ValueError) past MAX_PREVIEW_PART."""
    with default_storage.open(name, "rb") as handle:
        data = bytes(handle.read(MAX_PREVIEW_PART + 1))
    check_size(len(data), MAX_PREVIEW_PART, "a stored case-list preview")
    return data


def _read_json(name: str) -> Any:
    return load_json(_read_bytes(name), MAX_PREVIEW_PART, "a stored case-list preview")


def _remove_expired(now: float) -> None:
    try:
        _folders, files = default_storage.listdir(PREVIEW_FOLDER)
    except FileNotFoundError:
        return  # no preview stored yet
    for file in files:
        name = f"{PREVIEW_FOLDER}/{file}"
        try:
            age = now - default_storage.get_modified_time(name).timestamp()
            if age > PREVIEW_LIFETIME_SECONDS:
                default_storage.delete(name)
        except OSError:
            continue  # another process removed it first


def discard(token: str) -> None:
    """Delete a preview's files (nothing happens for an unknown token)."""
    if not _TOKEN.match(token):
        return
    for part in ("meta", "problems", "rows"):
        default_storage.delete(_name(token, part))


# ---- session ----


def remember(session: SessionBase, inspection: Inspection, token: str) -> None:
    previews = dict(session.get(SESSION_KEY) or {})
    old = previews.get(str(inspection.pk))
    if old and old != token:
        discard(str(old))
    previews[str(inspection.pk)] = token
    session[SESSION_KEY] = previews


def pending_token(session: SessionBase, inspection: Inspection) -> str | None:
    token = (session.get(SESSION_KEY) or {}).get(str(inspection.pk))
    return str(token) if token else None


def forget(session: SessionBase, inspection: Inspection) -> None:
    previews = dict(session.get(SESSION_KEY) or {})
    token = previews.pop(str(inspection.pk), None)
    if token:
        discard(str(token))
    session[SESSION_KEY] = previews


# ---- making a preview ----


def _storage_problems(inspection: Inspection, rows: Sequence[CaseRow]) -> list[Problem]:
    """What only the database can tell: references already on the list, values too long."""
    problems: list[Problem] = []
    existing = set(
        ref.casefold()
        for ref in Case.objects.filter(inspection=inspection).values_list("case_ref", flat=True)
    )
    limits = {
        column: int(getattr(Case._meta.get_field(column), "max_length", 0) or 0)
        for column in (
            "case_ref",
            "disposal_type",
            "case_manager",
            "risk_of_harm",
            "safety_wellbeing",
            "sex",
            "ethnicity_group",
            "domain",
        )
    }
    for row in rows:
        if row.case_ref.casefold() in existing:
            problems.append(
                Problem(
                    row.row,
                    "case_ref",
                    row.case_ref,
                    _(
                        "this case reference is already on the inspection's case list; remove "
                        "the row (or the earlier case) and upload again"
                    ),
                )
            )
        for column, limit in limits.items():
            value = getattr(row, column)
            if limit and isinstance(value, str) and len(value) > limit:
                problems.append(
                    Problem(
                        row.row,
                        column,
                        "",
                        _(
                            "longer than %(limit)s characters, the most yjinspect stores for "
                            "%(column)s; shorten it and upload again"
                        )
                        % {"limit": limit, "column": column},
                    )
                )
    return problems


def _row_to_json(row: CaseRow) -> list[Any]:
    out: list[Any] = []
    for name in ROW_FIELDS:
        value = getattr(row, name)
        out.append(value.isoformat() if isinstance(value, date) else value)
    return out


def store_preview(
    inspection: Inspection, preview: ImportPreview, filename: str, user: User
) -> StoredPreview:
    """Check what the parser could not, mask name-like values, and keep the preview on disk."""
    now = time.time()
    _remove_expired(now)
    extra = _storage_problems(inspection, preview.rows)
    problems = sorted(
        (
            Problem(p.row, p.column, safe_value(p.value), p.message)
            for p in [*preview.problems, *extra]
        ),
        key=lambda p: (p.row is not None, p.row or 0),
    )
    bad_rows = {p.row for p in extra}
    rows = [r for r in preview.rows if r.row not in bad_rows]
    token = secrets.token_urlsafe(24)
    stored = StoredPreview(
        token=token,
        inspection_id=inspection.pk,
        user_id=user.pk,
        filename=Path(filename).name[-255:] or "case-list",
        created=now,
        row_count=len(rows),
        domain_counts=dict(sorted(Counter(r.domain for r in rows).items())),
        header_mapping=dict(preview.header_mapping),
        ignored_columns=list(preview.ignored_columns),
        notices=list(preview.notices),
        problem_count=len(problems),
    )
    try:
        if stored.ok:
            digest = _write_json(_name(token, "rows"), [_row_to_json(r) for r in rows])
            stored = replace(stored, rows_digest=digest)
        else:
            _write_json(
                _name(token, "problems"), [[p.row, p.column, p.value, p.message] for p in problems]
            )
        meta = {"format": _FORMAT, **stored.__dict__}
        _write_json(_name(token, "meta"), meta)
    except NotStored:
        discard(token)  # the parts already written: a preview is whole or not there at all
        raise
    return stored


def load_preview(inspection: Inspection, token: str | None, user: User) -> StoredPreview | None:
    """The stored preview if it belongs to this user and inspection and has not expired."""
    if not token or not _TOKEN.match(token):
        return None
    try:
        meta = _read_json(_name(token, "meta"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        return None
    meta.pop("format")
    try:
        stored = StoredPreview(**meta)
    except TypeError:
        return None
    if (
        stored.token != token
        or stored.inspection_id != inspection.pk
        or stored.user_id != user.pk
        or time.time() - stored.created > PREVIEW_LIFETIME_SECONDS
    ):
        return None
    return stored


def load_problems(stored: StoredPreview) -> list[Problem]:
    if stored.problem_count == 0:
        return []
    try:
        raw = _read_json(_name(stored.token, "problems"))
    except (OSError, ValueError):
        return []
    return [Problem(int(r) if r is not None else None, c, str(v), str(m)) for r, c, v, m in raw]


def problems_csv(problems: Iterable[Problem]) -> str:
    """Every problem as CSV (row, column, value, problem); cells cannot start a formula."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return "'" + text if text.startswith(_FORMULA_START) else text

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "problem"])
    for p in problems:
        writer.writerow([cell(p.row), cell(p.column), cell(p.value), cell(p.message)])
    return out.getvalue()


def template_csv() -> str:
    """The canonical header and two fictitious example rows, as a service would fill it in."""
    examples = [
        CaseRow(2, "YJ100234", "court", "referral_order", date(2023, 9, 4), None, "CM017",
                "medium", "low", "female", "white", 15, False, False),
        CaseRow(3, "YJ100871", "out_of_court", "youth_conditional_caution", date(2023, 11, 20),
                date(2024, 2, 19), "CM004", "low", "medium", "male", "mixed", 14, True, False),
    ]  # fmt: skip
    out = io.StringIO(newline="")
    write_case_list_csv(examples, out)
    return out.getvalue()


# ---- committing ----


_LEVELS = frozenset(LEVEL_SPELLINGS)
_SEXES = frozenset(SEX_SPELLINGS) | {None}
_ETHNICITIES = frozenset(ETHNICITY_SPELLINGS) | {None}
_YES_NO = (True, False, None)
_PAIRS = frozenset((domain, disposal) for disposal, ds in DISPOSAL_DOMAINS.items() for domain in ds)
_AGES = frozenset(range(AGE_RANGE[0], AGE_RANGE[1] + 1)) | {None}

# A stored row, as `_checked_rows` returns it: `ROW_FIELDS` order, dates as `date`.
StoredRow = list[Any]


def _checked_rows(raw: object, manager_limit: int) -> list[StoredRow]:
    """The stored rows checked again, as strictly as an upload is checked, in one pass.

    Codes, dates and text repeat down a column, so each check is a set lookup or a cached
    parse; 100,000 rows take well under a second. Raises ValueError on anything wrong."""
    if not isinstance(raw, list):
        raise ValueError("not a list of rows")
    dates: dict[str, date] = {}

    def as_date(text: object) -> date:
        if not isinstance(text, str):
            raise ValueError("bad date")
        found = dates.get(text)
        if found is None:
            found = dates[text] = date.fromisoformat(text)
        return found

    checked: list[StoredRow] = []
    for item in raw:
        number, ref, domain, disposal, start, end, manager, roh, saw, sex, eth, age, la, cu = item
        if (
            type(number) is not int
            or type(ref) is not str
            or not 0 < len(ref) <= MAX_REF_LENGTH
            or not ref[0].isalnum()
            or not ref.isprintable()
            or looks_like_a_name(ref)
            or (domain, disposal) not in _PAIRS
            or type(manager) is not str
            or not 0 < len(manager.strip()) <= manager_limit
            or roh not in _LEVELS
            or saw not in _LEVELS
            or sex not in _SEXES
            or eth not in _ETHNICITIES
            or (age not in _AGES or type(age) is bool)
            or la not in _YES_NO
            or cu not in _YES_NO
        ):
            raise ValueError(f"row {number!r} does not pass the case-list checks")
        start_date = as_date(start)
        end_date = None if end is None else as_date(end)
        if end_date is not None and end_date < start_date:
            raise ValueError(f"row {number}: end before start")
        checked.append(
            [number, ref, domain, disposal, start_date, end_date, manager, roh, saw, sex, eth,
             age, la, cu]
        )  # fmt: skip
    return checked


def load_rows(stored: StoredPreview) -> list[StoredRow]:
    """The stored rows, unaltered since upload (keyed digest) and checked again.

    ImportRefused if they are missing, altered or damaged."""
    try:
        data = _read_bytes(_name(stored.token, "rows"))
        if not stored.rows_digest or not constant_time_compare(_digest(data), stored.rows_digest):
            raise ValueError("the stored rows were altered")
        limit = int(Case._meta.get_field("case_manager").max_length or 64)
        rows = _checked_rows(load_json(data, MAX_PREVIEW_PART, "the stored rows"), limit)
    except (OSError, ValueError, TypeError) as exc:
        raise ImportRefused(
            _("The checked case list could not be read back. Upload the file again.")
        ) from exc
    if len(rows) != stored.row_count:
        raise ImportRefused(_("The checked case list is incomplete. Upload the file again."))
    if len({r[1].casefold() for r in rows}) != len(rows):
        raise ImportRefused(_("The checked case list repeats a case reference. Upload it again."))
    return rows


def import_blocked_reason(inspection: Inspection) -> str | None:
    """Why a new import is not allowed now, or None."""
    from .sampling import has_sample  # sampling imports nothing from here; kept local anyway

    if has_sample(inspection):
        return _(
            "A sample has been drawn from the current case list, so adding cases now would "
            "leave the sample not matching the list. Clear the sample first (on the Sample "
            "page), then import."
        )
    return None


def _describe(clashes: Sequence[tuple[int, str]], limit: int = 20) -> str:
    shown = ", ".join(
        _("row %(row)s (%(ref)s)") % {"row": row, "ref": ref} for row, ref in clashes[:limit]
    )
    more = len(clashes) - limit
    return shown + (_(" and %(n)s more") % {"n": more} if more > 0 else "")


_BLANK_AS_EMPTY = ("sex", "ethnicity_group")  # CharFields: a missing value is stored as ''


def insert_cases(inspection: Inspection, record: CaseListImport, rows: Sequence[StoredRow]) -> None:
    """Insert the cases in batches of `BATCH_SIZE` rows, without the ORM.

    This is `bulk_create` without the ORM's per-object work (model instances and per-field
    preparation took over 40 s for 100,000 rows on the development server; this takes a few
    seconds). Every concrete field of `Case` is written: the row's values, the inspection and
    the import, and each other field's model default, so a field added to `Case` later is
    covered. Text, numbers, yes/no and None go to the driver as they are; dates go through
    the backend's own adapter. A module function, so tests can make it fail part-way and see
    that nothing is kept.
    """
    connection = connections[Case.objects.db]
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    position = {name: i for i, name in enumerate(ROW_FIELDS)}
    tail: list[Any] = []  # values that are the same on every row
    indices: list[int] = []
    for f in fields:
        if f.name in position:
            indices.append(position[f.name])
            continue
        if f.name == "inspection":
            value: Any = inspection.pk
        elif f.name == "imported_by":
            value = record.pk
        else:
            value = f.get_db_prep_save(f.get_default(), connection)
        indices.append(len(ROW_FIELDS) + len(tail))
        tail.append(value)
    pick = operator.itemgetter(*indices)
    adapted: dict[date, Any] = {}

    def as_db(value: date | None) -> Any:
        if value is None:
            return None
        if value not in adapted:
            adapted[value] = connection.ops.adapt_datefield_value(value)
        return adapted[value]

    start_at, end_at = position["start_date"], position["end_date"]
    blanks = [position[name] for name in _BLANK_AS_EMPTY]
    table = connection.ops.quote_name(str(Case._meta.db_table))
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), BATCH_SIZE):
            params = []
            for row in rows[first : first + BATCH_SIZE]:
                values = [*row, *tail]
                values[start_at] = as_db(values[start_at])
                values[end_at] = as_db(values[end_at])
                for i in blanks:
                    values[i] = values[i] or ""
                params.append(pick(values))
            if connection.vendor == "postgresql":
                # COPY streams rows without parsing a statement per row: an INSERT per row, or
                # one with thousands of placeholders, costs psycopg seconds of Python work.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in params:
                        copy.write_row(values)
            else:
                # SQLite runs executemany in C, quickly.
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                    params,
                )


def commit_preview(inspection: Inspection, stored: StoredPreview, user: User) -> CaseListImport:
    """Add the previewed cases, all or nothing; ImportRefused says why nothing was added.

    The individual cases are inserted in bulk (`insert_cases`), which writes no per-case
    history record: the `CaseListImport` row records who imported which file, when, and how many
    cases, and each case points at it. Later changes to a case (sampling, allocation) are
    recorded in its history as usual.
    """
    if not stored.ok:
        raise ImportRefused(_("The case list has problems to fix, so nothing was added."))
    blocked = import_blocked_reason(inspection)
    if blocked:
        raise ImportRefused(blocked)
    rows = load_rows(stored)
    with transaction.atomic():
        # One import at a time per inspection: the lock makes the duplicate check hold.
        Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
        existing = set(
            ref.casefold()
            for ref in Case.objects.filter(inspection=inspection).values_list("case_ref", flat=True)
        )
        clashes = [(r[0], r[1]) for r in rows if r[1].casefold() in existing]
        if clashes:
            raise ImportRefused(
                ngettext(
                    "Nothing was added: %(n)s case reference is already on this inspection's "
                    "case list: %(rows)s. Remove that row and upload the file again.",
                    "Nothing was added: %(n)s case references are already on this "
                    "inspection's case list: %(rows)s. Remove those rows and upload the file "
                    "again.",
                    len(clashes),
                )
                % {"n": len(clashes), "rows": _describe(clashes)}
            )
        record = CaseListImport.objects.create(
            inspection=inspection, filename=stored.filename, rows=len(rows), by=user
        )
        insert_cases(inspection, record, rows)
    discard(stored.token)
    return record


def created_at(stored: StoredPreview) -> datetime:
    return datetime.fromtimestamp(stored.created, tz=timezone.get_current_timezone())
