"""Zone files: read a BIND master file into record sets, plan its import, export a zone as one.

Reading is dnspython's master-file reader ($ORIGIN, $TTL, relative names, parentheses,
quoting); $INCLUDE and $GENERATE are refused. The file's SOA and apex NS are replaced by the
zone's own, as Route 53 does. Record sets BIND cannot express (routing policies, aliases) are
exported as `;@nameplate {json}` comment lines (the record set's spec): standard servers skip
them, our importer restores them, so an export imports back to the same data. The plain export
writes those as the answers our name servers give now, for servers that know no policies.
A refused file names the line its entry starts on and the reason in words.

An import job plans the file once, for its preview, and keeps the plan beside the upload;
applying it writes that plan, or plans again when the zone has changed since. The job is
marked done in the transaction that writes its change batch, so a worker that dies while
applying leaves either both or neither, and the task's next delivery applies it (it may
take over a claim older than the task's hard time limit).
zones/import_jobs.py decides whether a job runs in the request or in a task.
"""

import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.zonefile
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kernel import bus
from zones import engine, rules, services, snapshot
from zones.models import ChangeBatch, HostedZone, ImportJob, RecordSet
from zones.services import Change, ZoneFileError
from zones.vocabulary import RoutingPolicy

logger = logging.getLogger(__name__)

ANNOTATION = ";@nameplate "
ALLOWED_DIRECTIVES = {"$ORIGIN", "$TTL"}
PREVIEW_ROWS = 200


@dataclass
class ZoneFile:
    """The record sets read from a file, and the line each one started on."""

    record_sets: list[rules.RecordSetSpec] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class _Collector:
    """What dnspython's zone-file Reader writes into: a plain list, without the zone machinery."""

    def __init__(self, origin: dns.name.Name, reader_line: Callable[[], int]) -> None:
        self.origin = origin
        self.manager = self
        self.reader_line = reader_line
        self.records: list[tuple[dns.name.Name, int, Any, int]] = []

    def origin_information(self) -> tuple[dns.name.Name, bool, dns.name.Name]:
        return (self.origin, False, self.origin)

    def check_put_rdataset(self, check: Callable) -> None:
        """The rule module checks coexistence; the reader needs none."""

    def _set_origin(self, origin: dns.name.Name) -> None:
        """$ORIGIN changes are tracked by the reader itself."""

    def add(self, name: dns.name.Name, ttl: int, rdata: Any) -> None:
        self.records.append((name, ttl, rdata, self.reader_line()))


class _Reader(dns.zonefile.Reader):
    """dnspython's reader, remembering the line each entry starts on and keeping names of other zones.

    The tokenizer has read past an entry's end of line (or a multi-line entry's parentheses)
    by the time the entry is parsed, so its own line number names the next line.
    """

    def __init__(self, tokenizer: dns.tokenizer.Tokenizer, origin: dns.name.Name) -> None:
        self.entry_line = 0
        super().__init__(
            tokenizer,
            dns.rdataclass.IN,
            _Collector(origin, lambda: self.entry_line),
            allow_directives=ALLOWED_DIRECTIVES,
        )
        # Names outside the zone reach the collector, which reports them, instead of being
        # skipped in silence; relative names still hang under the zone's origin.
        self.zone_origin = dns.name.root

    def _rr_line(self) -> None:
        self.entry_line = self.tok.line_number
        super()._rr_line()


def _entry_text(text: str, first_line: int, reader_line: int) -> str:
    """The entry starting on `first_line`; the reader, on `reader_line`, has mostly read past its end."""
    return " ".join(text.splitlines()[first_line - 1 : max(reader_line - 1, first_line)])


def _explain_entry(entry: str, zone_name: str, parser_reason: str) -> str:
    """Why an entry did not parse, in words: the value checked by the rule module when the
    type is known ("300.1.2.3 is not an IPv4 address"), else the parser's own reason."""
    tokens = entry.split(";", 1)[0].replace("(", " ").replace(")", " ").split()
    starts_with_name = bool(entry) and not entry[0].isspace()
    for index, token in enumerate(tokens):
        if index == 0 and starts_with_name:
            continue
        upper = token.upper()
        if upper in ("CH", "HS"):
            return f"the class {upper} is not served here; records are of class IN"
        if upper == "IN" or upper[:1].isdigit():
            continue
        if upper not in rules.RECORD_TYPES:
            if upper.isalpha() or upper.startswith("TYPE"):
                return f"{token} is not a record type we support"
            return parser_reason
        value = " ".join(tokens[index + 1 :])
        if not value:
            return f"the {upper} record has no value"
        try:
            rules.normalize_value(upper, value, zone_name)
        except ValueError as error:
            return f"{value} {error}"
        return parser_reason
    return parser_reason


def _parser_reason(error: dns.exception.DNSException) -> str:
    reason = str(error)
    if reason.startswith("<file>:"):
        reason = reason.split(":", 2)[-1].strip()
    return reason.rstrip(".")


def read_zone_file(text: str, zone_name: str) -> ZoneFile:
    """Parse a master file into record sets (SOA and apex NS left out). Raises ZoneFileError.

    Each refusal names the line its entry starts on and the reason in words.
    """
    origin = dns.name.from_text(zone_name)
    tokenizer = dns.tokenizer.Tokenizer(text, "<file>")
    reader = _Reader(tokenizer, origin)
    try:
        reader.read()
    except dns.exception.DNSException as error:
        reason = _parser_reason(error)
        if "directive" in reason:
            line = tokenizer.line_number
            directive = reason.split("'")[1] if reason.count("'") >= 2 else "this directive"
            reason = f"{directive} is not allowed here; a file may use $ORIGIN and $TTL only"
        elif reader.entry_line and tokenizer.line_number >= reader.entry_line:
            line = reader.entry_line
            entry = _entry_text(text, line, tokenizer.line_number)
            reason = _explain_entry(entry, zone_name.rstrip("."), reason)
        else:
            line = tokenizer.line_number
        raise ZoneFileError(f"line {line}: {reason}", field="file", reason=f"line {line}: {reason}")
    records = reader.txn.records
    outside = [(line, name) for name, _ttl, _rdata, line in records if not name.is_subdomain(origin)]
    if outside:
        names = sorted({name.to_text() for _line, name in outside})
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        reason = (
            f"line {outside[0][0]}: these records are outside {origin.to_text(omit_final_dot=True)}: "
            f"{shown} (is the file for another zone?)"
        )
        raise ZoneFileError(reason, field="file", reason=reason)
    result = ZoneFile()
    groups: dict[tuple[str, str], int] = {}
    for name, ttl, rdata, line in records:
        owner = name.to_text().lower()
        rtype = dns.rdatatype.to_text(rdata.rdtype)
        if owner == zone_name and rtype in ("SOA", "NS"):
            continue
        if rtype not in rules.RECORD_TYPES:
            raise ZoneFileError(
                f"line {line}: {owner} {rtype}: {rtype} is not a supported record type", field="file"
            )
        key = (owner, rtype)
        # Names and values stay dnspython objects: the rule module takes them without parsing again.
        value = rdata
        if key in groups:
            index = groups[key]
            spec = result.record_sets[index]
            result.record_sets[index] = rules.RecordSetSpec(
                name=spec.name, type=spec.type, ttl=min(spec.ttl or ttl, ttl), values=(*spec.values, value)
            )
        else:
            groups[key] = len(result.record_sets)
            result.record_sets.append(rules.RecordSetSpec(name=name, type=rtype, ttl=ttl, values=(value,)))
            result.lines.append(line)
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith(ANNOTATION):
            try:
                spec = rules.RecordSetSpec.from_dict(json.loads(raw[len(ANNOTATION) :]))
            except (ValueError, TypeError) as error:
                raise ZoneFileError(
                    f"line {number}: the {ANNOTATION.strip()} line is not valid ({error})", field="file"
                )
            _check_annotation_name(spec, origin, number)
            result.record_sets.append(spec)
            result.lines.append(number)
    return result


def _check_annotation_name(spec: rules.RecordSetSpec, origin: dns.name.Name, line: int) -> None:
    try:
        name = dns.name.from_text(str(spec.name), origin=origin)
    except dns.exception.DNSException:
        return  # the rule module names a bad name when the import is planned
    if not name.is_subdomain(origin):
        reason = f"line {line}: these records are outside {origin.to_text(omit_final_dot=True)}: {name}"
        raise ZoneFileError(reason, field="file", reason=reason)


def import_changes(zone: HostedZone, zone_file: ZoneFile, *, replace: bool = False) -> list[Change]:
    """The changes that bring the zone to the file: UPSERT each record set, DELETE the rest if `replace`."""
    changes = [Change(services.UPSERT, spec) for spec in zone_file.record_sets]
    if replace:
        in_file = {(str(spec.name).lower(), spec.type, spec.set_identifier) for spec in zone_file.record_sets}
        for rs in RecordSet.objects.filter(hosted_zone=zone, is_protected=False).iterator(chunk_size=5000):
            if (rs.name, rs.type, rs.set_identifier) not in in_file:
                changes.append(Change(services.DELETE, rs.to_spec()))
    return changes


def preview(plan: services.Plan) -> dict:
    """The plan as the JSON the preview page shows: counts and the first rows of each kind."""

    def row(spec: rules.RecordSetSpec) -> dict:
        return {
            "label": spec.label,
            "ttl": spec.ttl,
            "values": list(spec.values),
            "alias": spec.alias_target_name,
        }

    return {
        "creates": len(plan.creates),
        "updates": len(plan.updates),
        "deletes": len(plan.deletes),
        "create_rows": [row(spec) for spec in plan.creates[:PREVIEW_ROWS]],
        "update_rows": [{"before": row(b), "after": row(a)} for b, a in plan.updates[:PREVIEW_ROWS]],
        "delete_rows": [row(spec) for spec in plan.deletes[:PREVIEW_ROWS]],
    }


def import_zone_text(
    zone: HostedZone, text: str, *, actor: Any = None, replace: bool = False, progress: Callable | None = None
) -> ChangeBatch | None:
    """Read `text` and apply it to the zone as one change batch (None when the file holds nothing).

    Raises ZoneFileError for an unreadable file and ChangeBatchError for a refused record set.
    """
    zone_file = read_zone_file(text, zone.name)
    changes = import_changes(zone, zone_file, replace=replace)
    if not changes:
        return None
    return services.apply_change_batch(
        hosted_zone=zone, changes=changes, actor=actor, source=ChangeBatch.Source.IMPORT, progress=progress
    )


# ---- import jobs (the console's upload, preview and progress) --------------------------------


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(
    *, owner: Any, hosted_zone: HostedZone, file_name: str, content: bytes, replace: bool
) -> ImportJob:
    """Keep the uploaded file under var/imports/ and make its job, still to be planned.

    Raises ZoneFileError for a file that is not UTF-8 text.
    """
    try:
        content.decode()
    except UnicodeDecodeError:
        raise ZoneFileError("The file is not UTF-8 text.", field="file")
    path = imports_dir() / f"{uuid.uuid4().hex}.zone"
    path.write_bytes(content)
    return ImportJob.objects.create(
        owner=owner,
        hosted_zone=hosted_zone,
        file_path=str(path),
        file_name=file_name[:255],
        summary={"replace": replace},
    )


def _plan_path(job: ImportJob) -> Path:
    return Path(job.file_path).with_suffix(".plan")


def _job_progress(job: ImportJob) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    return report


def plan_import_job(job: ImportJob) -> ImportJob:
    """Read the job's file and store its preview; a refusal is stored as the job's error."""
    if job.status != ImportJob.Status.PLANNING:
        return job
    try:
        text = Path(job.file_path).read_text()
        zone_file = read_zone_file(text, job.hosted_zone.name)
        changes = import_changes(job.hosted_zone, zone_file, replace=bool(job.summary.get("replace")))
        job.progress_total = len(changes)
        if not changes:
            raise ZoneFileError("The file holds no record sets besides SOA and NS.", field="file")
        plan = services.plan_changes(job.hosted_zone, changes)
        # Written aside and renamed: a second delivery of the task may be planning too.
        writing = _plan_path(job).with_suffix(f".plan-{uuid.uuid4().hex}")
        with writing.open("w") as file:
            services.write_plan(plan, file)
        writing.replace(_plan_path(job))
    except (services.ZoneError, OSError) as error:
        return _fail(job, error)
    job.summary = {**job.summary, **preview(plan)}
    job.status = ImportJob.Status.PREVIEW
    job.progress_done = 0
    job.save(update_fields=["summary", "status", "progress_total", "progress_done", "updated_at"])
    return job


# Attempts at writing the import when the zone keeps changing between its plan and its write.
APPLY_ATTEMPTS = 3


def apply_import_job(job: ImportJob, *, actor: Any = None) -> ImportJob:
    """Apply a previewed import as one change batch; a refusal is stored as the job's error."""
    if not _claim(job):
        job.refresh_from_db()
        return job
    actor = actor or job.owner
    try:
        plan = _stored_plan(job)
        for _ in range(APPLY_ATTEMPTS):
            if plan is None:
                plan = _plan_again(job)
            with transaction.atomic():
                status = ImportJob.objects.select_for_update().values_list("status", flat=True).get(pk=job.pk)
                if status == ImportJob.Status.DONE:
                    break  # another delivery of the task applied it meanwhile
                batch = services.apply_plan(
                    hosted_zone=job.hosted_zone, plan=plan, actor=actor, source=ChangeBatch.Source.IMPORT
                )
                if batch is not None:
                    ImportJob.objects.filter(pk=job.pk).update(
                        status=ImportJob.Status.DONE,
                        change_batch=batch,
                        progress_done=F("progress_total"),
                        updated_at=timezone.now(),
                    )
                    break
            plan = None
        else:
            raise ZoneFileError("The zone kept changing while the import was written: apply it again.")
    except (services.ZoneError, OSError) as error:
        job.refresh_from_db()
        return _fail(job, error)
    job.refresh_from_db()
    Path(job.file_path).unlink(missing_ok=True)
    _plan_path(job).unlink(missing_ok=True)
    return job


def _claim(job: ImportJob) -> bool:
    """Take the job for applying: a previewed one, or one whose claim outlived the task's hard time limit.

    A claim that old is a worker's that died (the broker delivers the task again after
    CELERY_VISIBILITY_TIMEOUT, longer than the limit), so nothing of it was written and this
    delivery starts over. Should it still be running (a thread pool does not enforce the
    limit), the check of the job inside the writing transaction keeps it from being written twice.
    """
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return bool(
        ImportJob.objects.filter(pk=job.pk)
        .filter(
            Q(status=ImportJob.Status.PREVIEW) | Q(status=ImportJob.Status.APPLYING, updated_at__lt=abandoned)
        )
        .update(status=ImportJob.Status.APPLYING, updated_at=now)
    )


def _stored_plan(job: ImportJob) -> services.Plan | None:
    """The plan the preview showed, or None when there is none."""
    try:
        with _plan_path(job).open() as file:
            return services.read_plan(file)
    except FileNotFoundError:
        return None


def _plan_again(job: ImportJob) -> services.Plan:
    """The job's file planned against the zone as it is now (raises ZoneFileError, ChangeBatchError)."""
    zone_file = read_zone_file(Path(job.file_path).read_text(), job.hosted_zone.name)
    changes = import_changes(job.hosted_zone, zone_file, replace=bool(job.summary.get("replace")))
    if not changes:
        raise ZoneFileError("The file holds no record sets besides SOA and NS.", field="file")
    return services.plan_changes(job.hosted_zone, changes, progress=_job_progress(job))


def _fail(job: ImportJob, error: Exception) -> ImportJob:
    _plan_path(job).unlink(missing_ok=True)
    job.status = ImportJob.Status.FAILED
    job.error = getattr(error, "message", None) or str(error)
    job.save(update_fields=["status", "error", "updated_at"])
    return job


# ---- export ---------------------------------------------------------------------------------


def export_zone(zone: HostedZone) -> str:
    """The zone as a BIND master file: plain record sets as records, the rest as annotations."""
    lines = [
        f"; Hosted zone {zone.name} exported by Nameplate, serial {zone.serial}",
        f"$ORIGIN {zone.name}",
    ]
    rows = RecordSet.objects.filter(hosted_zone=zone).order_by("name", "type", "set_identifier")
    soa_first = sorted(rows.filter(is_protected=True), key=lambda rs: rs.type != "SOA")
    for rs in soa_first:
        lines.extend(_records(rs.to_spec()))
    for rs in rows.filter(is_protected=False).iterator(chunk_size=5000):
        spec = rs.to_spec()
        if spec.policy == RoutingPolicy.SIMPLE and not spec.is_alias:
            lines.extend(_records(spec))
        else:
            lines.append(ANNOTATION + json.dumps(spec.as_dict(), separators=(",", ":"), sort_keys=True))
    return "\n".join(lines) + "\n"


def _records(spec: rules.RecordSetSpec) -> list[str]:
    return [f"{spec.name} {spec.ttl} IN {spec.type} {value}" for value in spec.values]


def export_plain_zone(zone: HostedZone) -> str:
    """The zone as a plain BIND master file any server loads: no annotations.

    A name and type answered by a routing policy or an alias is written as the answer our
    name servers give for it now (the answer engine under the current health view, to a
    client of no known location), under a comment saying so; importing the file back
    gives simple record sets with those values.
    """
    lines = [
        f"; Hosted zone {zone.name} exported by Nameplate as a plain zone file, serial {zone.serial}",
        "; Routing policies and aliases are written as their current answers (see the comments).",
        f"$ORIGIN {zone.name}",
    ]
    rows = RecordSet.objects.filter(hosted_zone=zone).order_by("name", "type", "set_identifier")
    for rs in sorted(rows.filter(is_protected=True), key=lambda rs: rs.type != "SOA"):
        lines.extend(_records(rs.to_spec()))
    answered: dict[tuple[str, str], list[rules.RecordSetSpec]] = {}
    for rs in rows.filter(is_protected=False).iterator(chunk_size=5000):
        spec = rs.to_spec()
        if spec.policy == RoutingPolicy.SIMPLE and not spec.is_alias:
            lines.extend(_records(spec))
        else:
            answered.setdefault((rs.name, rs.type), []).append(spec)
    if answered:
        zone_snapshot = snapshot.served_snapshot(zone)
        health = bus.read_health_status()
        for (name, rtype), specs in answered.items():
            lines.extend(_current_answer(zone_snapshot, health, name, rtype, specs))
    return "\n".join(lines) + "\n"


def _current_answer(
    zone_snapshot: Any, health: dict[int, bool], name: str, rtype: str, specs: list[rules.RecordSetSpec]
) -> list[str]:
    qname, rdtype = dns.name.from_text(name), dns.rdatatype.from_text(rtype)
    first = specs[0]
    if first.is_alias:
        target = first.alias_target_name or "an endpoint"
        what = f"alias to {target}"
    else:
        what = f"{first.policy} routing over {len(specs)} record set{'s' if len(specs) != 1 else ''}"
    result = engine.answer(
        zone_snapshot,
        engine.Question(qname, rdtype),
        health,
        config=snapshot.engine_config(),
        rng=random.Random(0),
    )
    rrsets = [rrset for rrset in result.message.answer if rrset.name == qname and rrset.rdtype == rdtype]
    if not rrsets:
        return [f"; {name} {rtype}: {what}; no answer now, so no records are written"]
    lines = [f"; {name} {rtype}: {what}, written as the answer given now"]
    for rrset in rrsets:
        lines.extend(f"{name} {rrset.ttl} IN {rtype} {rdata.to_text()}" for rdata in rrset)
    return lines
