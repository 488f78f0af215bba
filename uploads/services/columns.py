"""Columns nobody anticipated: a person says which of a file's columns is which, and may keep it as a profile.

A file whose phone (or name) column has a header no alias knows waits for its mapping
(``UploadStatus.AWAITING_MAPPING``); a preview may be mapped again before it is confirmed. Either way
``upload_columns_map`` records the choices on the upload and reads the file again from its first row. Saved
as a ``ColumnProfile`` (by name), the same choices read the lender's next file without stopping.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from customers.headers import REQUIRED_COLUMNS, header_key, header_map
from uploads.models import ColumnProfile, FileUpload, UploadStatus, column_mapping_errors
from voiceassist.common.api import MAX_ID
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .intake import committed_then_queued, upload_queue_on_commit
from .status import upload_transition

PROFILE_NAME_MAX_LENGTH = ColumnProfile._meta.get_field("name").max_length


# --- Profiles ------------------------------------------------------------------------------------------------


def column_profile_find(*, profile: str | int) -> ColumnProfile:
    """The profile ``profile`` names: its id, or its name in any case. A clear error when there is none."""
    text = " ".join(str(profile).split())
    found = None
    if text.isdigit():
        found = ColumnProfile.objects.filter(pk=int(text)).first() if int(text) <= MAX_ID else None
    elif text:
        found = ColumnProfile.objects.filter(name__iexact=text).first()
    if found is None:
        known = list(ColumnProfile.objects.order_by("name").values_list("name", flat=True)[:20])
        hint = f"Saved profiles: {', '.join(known)}." if known else "No profile is saved yet."
        raise ApplicationError(
            f"There is no column profile “{text}”. {hint}", code="unknown_profile", details={"profile": text}
        )
    return found


@transaction.atomic
def column_profile_save(
    *,
    name: str,
    columns: dict[str, str],
    actor: AbstractBaseUser | None,
    header_line: int | None = None,
) -> ColumnProfile:
    """Create the profile ``name``, or replace the columns of the one of that name (in any case)."""
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError("Give the profile a name.", code="invalid_profile")
    if len(name) > PROFILE_NAME_MAX_LENGTH:
        raise ApplicationError(
            f"A profile's name has at most {PROFILE_NAME_MAX_LENGTH} characters.", code="invalid_profile"
        )
    if not any(character.isalpha() for character in name):
        raise ApplicationError("A profile's name needs at least one letter.", code="invalid_profile")
    errors = column_mapping_errors(columns)
    if errors:
        raise ApplicationError(" ".join(errors), code="invalid_profile", details={"columns": errors})
    profile = ColumnProfile.objects.select_for_update().filter(name__iexact=name).first()
    created = profile is None
    if created:
        profile = ColumnProfile(name=name, created_by=_person(actor))
    profile.columns = dict(columns)
    if header_line is not None:
        profile.header_line = header_line
    try:
        with transaction.atomic():  # a savepoint: two people saving one new name at once
            profile.save()
    except IntegrityError:
        raise ApplicationError(
            f"A profile named “{name}” was saved by someone else just now: save again to replace its columns.",
            code="invalid_profile",
        ) from None
    audit_event_record(
        actor=actor,
        action=AuditAction.COLUMN_PROFILE_CREATED if created else AuditAction.COLUMN_PROFILE_UPDATED,
        target=profile,
        details={"columns": profile.columns, "header_line": profile.header_line},
    )
    return profile


def upload_column_overrides(upload: FileUpload) -> dict[str, str]:
    """The mapping an upload is read with: its profile's columns, then its own choices (which win)."""
    profile_columns = upload.profile.columns if upload.profile_id and upload.profile else {}
    return column_mappings_merge(profile_columns, upload.column_overrides or {})


def column_mappings_merge(*mappings: dict[str, str]) -> dict[str, str]:
    """Mappings of headers to columns, later ones winning; a header written two ways is one header."""
    merged: dict[str, tuple[str, str]] = {}
    for mapping in mappings:
        for header, column in mapping.items():
            merged[header_key(str(header))] = (str(header), column)
    return dict(merged.values())


# --- Mapping an upload ---------------------------------------------------------------------------------------


def upload_may_be_mapped(upload: FileUpload) -> bool:
    """Waiting for its mapping, or a finished preview waiting for confirmation (mapped, it is previewed again)."""
    if upload.file_purged_at is not None or not upload.report.get("headers"):
        return False
    if upload.status == UploadStatus.AWAITING_MAPPING:
        return True
    return upload.status == UploadStatus.AWAITING_CONFIRMATION and upload.dry_run and upload.finished_at is not None


def upload_mapping_offer(upload: FileUpload) -> dict[str, str] | None:
    """What a mapping form offers for ``upload``: its headers to choose for, each with its current choice
    ("" for none); None when there is nothing to ask (not mappable, or a preview that read every column)."""
    if not upload_may_be_mapped(upload):
        return None
    unknown = upload.report.get("unknown_columns") or []
    if upload.status != UploadStatus.AWAITING_MAPPING and not unknown:
        return None
    chosen = {header_key(str(header)): column for header, column in upload_column_overrides(upload).items()}
    return {
        header: chosen.get(header_key(header), "")
        for header in upload.report.get("headers", [])
        if header in unknown or header_key(header) in chosen
    }


@committed_then_queued
def upload_columns_map(
    *, upload: FileUpload, columns: dict[str, str], actor: AbstractBaseUser | None, save_as: str = ""
) -> FileUpload:
    """Say which column each of the upload's headers is ("" to ignore one), then read the file again with it.

    ``columns`` names headers as the file has them (``upload.report["headers"]``). Saved as ``save_as``, the
    mapping becomes (or replaces the columns of) that profile, which the upload is then linked to.
    Raises ``ApplicationError`` for a mapping that cannot work, ``QueueUnavailable`` when the queue is down
    (the mapping is kept and the upload will be processed).
    """
    upload = FileUpload.objects.select_for_update(of=("self",)).select_related("profile").get(pk=upload.pk)
    if upload.file_purged_at is not None:
        raise ApplicationError(
            f"The file of upload #{upload.pk} was deleted on {upload.file_purged_at:%-d %b %Y}: files are kept "
            f"{settings.UPLOAD_FILE_RETENTION_DAYS} days. Upload the file again to import it.",
            code="file_purged",
        )
    if not upload_may_be_mapped(upload):
        raise ApplicationError(
            f"Upload #{upload.pk} is {upload.get_status_display().lower()}: its columns can be chosen while it waits "
            "for its column mapping, or when a preview waits for confirmation.",
            code="not_mappable",
        )
    headers: list[str] = list(upload.report["headers"])
    chosen = _choices_for_headers(columns, headers)
    mapping = column_mappings_merge(upload_column_overrides(upload), chosen)
    _check_the_file_can_be_read(mapping, headers)

    profile = upload.profile
    save_as = " ".join((save_as or "").split())
    if save_as:
        header_line = upload.profile.header_line if upload.profile else None
        profile = column_profile_save(name=save_as, columns=mapping, actor=actor, header_line=header_line)

    after_preview = upload.status == UploadStatus.AWAITING_CONFIRMATION
    upload.entries.all().delete()  # a preview's entries make way for those read with the new mapping
    upload_transition(
        upload=upload,
        to=UploadStatus.PENDING,
        **upload.reset_progress(),
        rows_total=None,
        started_at=None,
        finished_at=None,
        error_summary="",
        column_overrides=mapping,
        profile=profile,
        report={key: value for key, value in upload.report.items() if key not in ("missing_columns", "mapping_needed")},
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPLOAD_COLUMNS_MAPPED,
        target=upload,
        details={
            "columns": chosen,
            "after_preview": after_preview,
            **({"profile": profile.name, "profile_saved": bool(save_as)} if profile is not None else {}),
        },
    )
    upload_queue_on_commit(upload)
    return upload


def _choices_for_headers(columns: object, headers: list[str]) -> dict[str, str]:
    """``columns`` keyed by the file's own spelling of each header; errors name what to fix."""
    errors = column_mapping_errors(columns)
    if errors:
        raise ApplicationError(" ".join(errors), code="invalid_mapping", details={"columns": errors})
    by_key = {header_key(header): header for header in headers if header_key(header)}
    chosen: dict[str, str] = {}
    strangers = []
    for header, column in columns.items():
        file_header = by_key.get(header_key(str(header)))
        if file_header is None:
            strangers.append(str(header))
        else:
            chosen[file_header] = column
    if strangers:
        found = ", ".join(f"“{header}”" for header in headers if header.strip()) or "none"
        raise ApplicationError(
            f"The file has no column {', '.join(f'“{header}”' for header in strangers)}. Its columns are: {found}.",
            code="invalid_mapping",
            details={"unknown_headers": strangers, "headers": headers},
        )
    return chosen


def _check_the_file_can_be_read(mapping: dict[str, str], headers: list[str]) -> None:
    """No two of the file's headers chosen for one column, and a phone and a name column in the end."""
    in_file = {header_key(header) for header in headers}
    of_this_file = {header: column for header, column in mapping.items() if header_key(header) in in_file}
    errors = column_mapping_errors(of_this_file)
    if errors:
        raise ApplicationError(" ".join(errors), code="invalid_mapping", details={"columns": errors})
    missing = header_map(headers, overrides=mapping).missing_required
    if missing:
        names = " and ".join(missing)
        raise ApplicationError(
            f"Choose the file's column for {names}: every row needs a {' and a '.join(missing)}, and no column of "
            "this file is read as such yet.",
            code="invalid_mapping",
            details={"missing": missing, "required": list(REQUIRED_COLUMNS)},
        )


def _person(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.is_authenticated else None
