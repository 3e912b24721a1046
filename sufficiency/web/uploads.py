"""Uploaded files: bounded in size (``app.MAX_UPLOAD``, enforced by Flask before a view runs)
and in type (by name and by content), and written only under names the server makes.

No part of a file name a user sends ever reaches a path: an upload is written into a fresh
temporary folder under a fixed name (``returns-<term>.xlsx``, ``scenario.toml``) and the
original name is only shown (escaped) and logged.
"""

from __future__ import annotations

import io
from pathlib import Path

from werkzeug.datastructures import FileStorage

from ..errors import InputError

#: What a file of each kind starts with: an .xlsx is a zip archive.
MAGIC = {".xlsx": b"PK\x03\x04"}
KINDS = {"returns": (".xlsx", ".csv"), "scenario": (".toml",)}


def shown_name(upload: FileStorage) -> str:
    r"""The name the user's file had on their computer, without its folders, for messages only
    (escaped where it is shown, never a path).

    >>> from io import BytesIO
    >>> shown_name(FileStorage(BytesIO(), filename="C:\\Users\\me\\spring returns.xlsx"))
    'spring returns.xlsx'
    """
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or "the uploaded file"


def suffix_of(upload: FileStorage | None, kind: str) -> str:
    """The upload's type (``.xlsx``, ``.csv``, ``.toml``), checked by name and content."""
    allowed = KINDS[kind]
    if upload is None or not upload.filename:
        raise InputError("no file was chosen", hint="Choose a file, then send the form again")
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in allowed:
        raise InputError(
            f"{upload.filename!r} is not a {' or '.join(allowed)} file",
            hint=f"Save it as {' or '.join(allowed)} and upload it again",
        )
    head = upload.stream.read(4)
    upload.stream.seek(0)
    if suffix in MAGIC and not head.startswith(MAGIC[suffix]):
        raise InputError(
            f"{upload.filename!r} is named {suffix} but is not an Excel workbook",
            hint="Open it in Excel and save it as an Excel Workbook (.xlsx)",
        )
    if suffix in {".csv", ".toml"}:
        data = upload.stream.read()
        upload.stream.seek(0)
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(
                f"{upload.filename!r} is not text in UTF-8",
                hint="Save it as CSV UTF-8 (or a TOML file in UTF-8) and upload it again",
            ) from None
    return suffix


def save(upload: FileStorage, folder: Path, name: str) -> Path:
    """Write the upload into ``folder`` as ``name`` (a name the server made)."""
    path = folder / name
    buffer = io.BytesIO()
    upload.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path
