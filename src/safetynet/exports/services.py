"""One way to export a screen: `export_pdf` (the page's own template, printed) and `export_csv`.

Both are called by a view or API operation with the request, after it has fetched what the viewer
may see through the access helpers exactly as the screen does, so an export never shows more than
the screen. Each:

- refuses a user whose role lacks `export` (access matrix) with `ExportRefused` (a
  PermissionDenied: 403) after writing a `denied` access-log entry;
- marks the file OFFICIAL-SENSITIVE (every PDF page, top and bottom; the first and last CSV
  rows) with who exported it (name, role) and when;
- writes one `export` access-log entry naming every child exported (`individual_ids`) once the
  file is built, and hands the file out only after that entry is committed: a file that fails
  to render leaves no entry, and no file leaves without one. The render (up to a few seconds
  for a long PDF) runs before the transaction, not inside it: on SQLite a transaction holds
  the database's write lock from its start (IMMEDIATE), so every page view's access-log entry
  would wait behind the render.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from safetynet.access.profiles import has_permission, profile_of, role_of
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.lib.clock import Clock, system_clock

MARKING = "OFFICIAL-SENSITIVE"
PRINT_BASE = "exports/print.html"
PRINT_VIEW_BASE = "exports/print_view.html"
EXPORT_PERMISSION = "export"
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
STREAM_CHUNK_ROWS = 500


class ExportRefused(PermissionDenied):
    """The user's role may not export (no `export` permission in the access matrix)."""


@dataclass(frozen=True)
class ExportStamp:
    """Who exported what and when: printed on every page and in the CSV's marking rows. Names
    the exporter only, never a child."""

    marking: str
    title: str
    user_name: str
    role: str
    at: dt.datetime

    @property
    def at_text(self) -> str:
        return timezone.localtime(self.at).strftime("%d %b %Y %H:%M %Z")

    @property
    def line(self) -> str:
        role = f" ({self.role})" if self.role else ""
        return f"Exported by {self.user_name}{role} on {self.at_text}"


def may_export(user: Any) -> bool:
    """Whether `user` may export (the screens show their download links only then)."""
    return has_permission(user, EXPORT_PERMISSION)


def stamp_for(user: Any, title: str, clock: Clock = system_clock) -> ExportStamp:
    """The marking line for an export by `user` now."""
    profile = profile_of(user)
    role = profile.get_role_display() if profile is not None else (role_of(user) or "")
    name = (user.get_full_name() or "").strip() or user.get_username()
    return ExportStamp(marking=MARKING, title=title, user_name=name, role=str(role), at=clock.now())


def check_may_export(user: Any, *, object_type: str, object_ids: Iterable[Any], individual_ids: Iterable[int]) -> None:
    """Raise ExportRefused (403) for a user who may not export, writing the refusal to the access log."""
    if may_export(user):
        return
    record_audit(
        acting_user=user,
        action=Action.DENIED,
        object_type=object_type,
        object_ids=object_ids,
        individual_ids=individual_ids,
        fields=[EXPORT_PERMISSION],
        outcome="denied",
    )
    raise ExportRefused("Your role may not export records.")


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # An export never reaches out: no stylesheet, image or font is fetched from a URL (the print
    # template carries its own CSS), so a recorded value can never make the server call anywhere.
    raise ValueError("exports fetch no URLs")


def html_to_pdf(html: str) -> bytes:
    """PDF bytes from HTML (WeasyPrint), fetching nothing."""
    from weasyprint import HTML  # imported here: Pango is loaded only by a process that exports

    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return pdf


def safe_filename(name: str, suffix: str) -> str:
    """`name` reduced to letters, digits, dot, dash and underscore, with `suffix`."""
    stem = _FILENAME_UNSAFE.sub("-", name).strip("-.") or "export"
    return f"{stem[:80]}{suffix}"


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_pdf(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    individual_ids: Iterable[int],
    object_type: str,
    object_ids: Iterable[Any] = (),
    fields: Iterable[str] = (),
    filename: str,
    clock: Clock = system_clock,
) -> HttpResponse:
    """The page `template` rendered with `context` as a PDF download, logged as an export.

    The template is the screen's own: it extends `{{ base_template|default:"base.html" }}`, and
    here `base_template` is the print base (the marking, who and when, page X of Y on every
    page), and `export` is the ExportStamp, so a template can leave out what only makes sense on
    screen (`{% if not export %}` around forms and navigation). `title` names the document, not
    a child (it is in the access log's context only through `object_type`)."""
    stamp, logged = _checked(request, title, individual_ids, object_type, object_ids, fields, clock)
    html = render_to_string(template, {**context, "base_template": PRINT_BASE, "export": stamp}, request=request)
    pdf = html_to_pdf(html)
    return logged.hand_out(pdf, "pdf", "application/pdf", filename)


def export_print(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    individual_ids: Iterable[int],
    object_type: str,
    object_ids: Iterable[Any] = (),
    fields: Iterable[str] = (),
    clock: Clock = system_clock,
) -> HttpResponse:
    """The page `template` rendered with `context` as a print view: a web page made for the
    browser's Print (PRINT_VIEW_BASE: the marking at the top and bottom of the page and of every
    printed sheet, who printed it and when, no navigation), logged as an export (kind "print")
    exactly as a PDF is. A print view is a copy leaving the system on paper, so it is refused,
    marked and logged like `export_pdf`; the template leaves out what only makes sense on
    screen with `{% if not export %}`."""
    stamp, logged = _checked(request, title, individual_ids, object_type, object_ids, fields, clock)
    html = render_to_string(template, {**context, "base_template": PRINT_VIEW_BASE, "export": stamp}, request=request)
    logged.record("print")
    return HttpResponse(html)


@dataclass(frozen=True)
class _Logged:
    """An export's access-log entry: written (and committed) once the file is built, before it
    is handed out, naming every child in it."""

    user: Any
    object_type: str
    objects: list[Any]
    individual_ids: list[int]
    fields: list[str]
    clock: Clock

    def record(self, kind: str) -> None:
        with transaction.atomic():
            record_audit(
                acting_user=self.user,
                action=Action.EXPORT,
                object_type=self.object_type,
                object_ids=self.objects,
                individual_ids=self.individual_ids,
                fields=[kind, *self.fields],
                clock=self.clock,
            )

    def hand_out(self, body: bytes, kind: str, content_type: str, filename: str) -> HttpResponse:
        self.record(kind)
        return _attachment(body, content_type, safe_filename(filename, f".{kind}"))


def _checked(
    request: HttpRequest,
    title: str,
    individual_ids: Iterable[int],
    object_type: str,
    object_ids: Iterable[Any],
    fields: Iterable[str],
    clock: Clock,
) -> tuple[ExportStamp, _Logged]:
    """What every export does first: refuse it unless the user may export these children and
    objects (`check_may_export`), then the stamp it is marked with and its access-log entry,
    written by the caller once the file is built."""
    ids = list(individual_ids)
    objects = list(object_ids)
    check_may_export(request.user, object_type=object_type, object_ids=objects, individual_ids=ids)
    return stamp_for(request.user, title, clock), _Logged(request.user, object_type, objects, ids, list(fields), clock)


Column = tuple[str, Callable[[Any], Any]]


def csv_cell(value: Any) -> str:
    """One CSV cell: None empty, dates ISO 8601, and text a spreadsheet would run as a formula
    (starting = + - @, a tab or a carriage return) prefixed with a single quote, so a recorded
    value such as `=HYPERLINK(...)` opens as text (OWASP "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat(timespec="minutes") if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(CSV_FORMULA_STARTS):
        return "'" + text
    return text


def _csv_head(stamp: ExportStamp, columns: Sequence[Column]) -> list[list[str]]:
    """The rows every CSV export starts with: the marking and title, who and when, the header."""
    return [
        [csv_cell(f"{stamp.marking}: {stamp.title}")],
        [csv_cell(stamp.line)],
        [csv_cell(header) for header, _get in columns],
    ]


def csv_bytes(rows: Iterable[Any], columns: Sequence[Column], stamp: ExportStamp) -> bytes:
    """The CSV: the marking and who/when, the header row, a row per item, the marking again.
    UTF-8 with a byte-order mark so spreadsheet programs read names with accents correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_csv_head(stamp, columns))
    for row in rows:
        writer.writerow([csv_cell(get(row)) for _header, get in columns])
    writer.writerow([csv_cell(stamp.marking)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_csv(
    request: HttpRequest,
    rows: Iterable[Any],
    columns: Sequence[Column],
    *,
    title: str,
    filename: str,
    individual_ids: Iterable[int],
    object_type: str,
    object_ids: Iterable[Any] = (),
    fields: Iterable[str] = (),
    clock: Clock = system_clock,
) -> HttpResponse:
    """`rows` as a CSV download, one column per (header, getter) of `columns`, logged as an
    export naming `individual_ids`. The rows are what the screen showed the viewer."""
    stamp, logged = _checked(request, title, individual_ids, object_type, object_ids, fields, clock)
    body = csv_bytes(rows, columns, stamp)
    return logged.hand_out(body, "csv", "text/csv; charset=utf-8", filename)


def _csv_line(writer_buffer: io.StringIO, writer: Any, cells: list[str]) -> str:
    writer.writerow(cells)
    text = writer_buffer.getvalue()
    writer_buffer.seek(0)
    writer_buffer.truncate()
    return text


def csv_stream(rows: Iterable[Any], columns: Sequence[Column], stamp: ExportStamp) -> Iterator[bytes]:
    """The CSV of `csv_bytes`, written as it is read: the marking and who/when, the header, the
    rows STREAM_CHUNK_ROWS at a time, then a last row saying the export is complete and how many
    rows it holds, so a file cut short on its way (a dropped connection) is seen to be."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    head = "\ufeff" + "".join(_csv_line(buffer, writer, cells) for cells in _csv_head(stamp, columns))
    yield head.encode("utf-8")
    count, chunk = 0, []
    for row in rows:
        chunk.append(_csv_line(buffer, writer, [csv_cell(get(row)) for _header, get in columns]))
        count += 1
        if len(chunk) >= STREAM_CHUNK_ROWS:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    chunk.append(_csv_line(buffer, writer, [csv_cell(f"{stamp.marking}: end of export, {count} rows")]))
    yield "".join(chunk).encode("utf-8")


def export_csv_streamed(
    request: HttpRequest,
    rows: Iterable[Any],
    columns: Sequence[Column],
    *,
    title: str,
    filename: str,
    individual_ids: Iterable[int],
    object_type: str,
    object_ids: Iterable[Any] = (),
    fields: Iterable[str] = (),
    clock: Clock = system_clock,
) -> StreamingHttpResponse:
    """`rows` (an iterator: a queryset read in chunks) as a CSV download streamed as it is read,
    for a list of any size: no row limit, never held whole in memory, never cut short. Refused,
    marked and logged as `export_csv`; the access-log entry (naming `individual_ids`, which the
    caller reads up front with one query) is committed before the first byte leaves, and the
    last row says the export is complete with its row count."""
    stamp, logged = _checked(request, title, individual_ids, object_type, object_ids, fields, clock)
    logged.record("csv")
    response = StreamingHttpResponse(csv_stream(rows, columns, stamp), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename, ".csv")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
