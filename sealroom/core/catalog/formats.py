"""Reading rights holders' source files into the vault's canonical in-memory forms.

Every asset becomes a ``pyarrow.Table``:

- ``table``  — the file's columns (CSV or Parquet);
- ``texts``  — ``item_id`` (file stem), ``text`` (UTF-8) from ``.txt``/``.md`` files;
- ``images`` — ``item_id`` (file stem), ``png`` (re-encoded RGB PNG, metadata stripped).

Sources are refused with an ``IngestError`` that names the file and the fix: unknown format,
unreadable or undecodable content, empty inputs, and directory entries (links included) that
resolve outside the directory they were listed from.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa

from sealroom.core.errors import IngestError

TABLE_SUFFIXES = {".csv", ".parquet", ".pq"}
TEXT_SUFFIXES = {".txt", ".md"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"}
SUFFIXES = {"table": TABLE_SUFFIXES, "texts": TEXT_SUFFIXES, "images": IMAGE_SUFFIXES}
MAX_IMAGE_SIDE = 4096


def read_source(path: Path, kind: str) -> pa.Table:
    """Read ``path`` as an asset of ``kind``; raise IngestError if it cannot be."""
    if kind not in SUFFIXES:
        raise IngestError(f"unknown dataset kind {kind!r}; choose one of {sorted(SUFFIXES)}")
    if not path.exists():
        raise IngestError(f"{path} does not exist")
    if kind == "table":
        if path.is_dir():
            raise IngestError(f"{path.name} is a directory; give a .csv or .parquet file for a table")
        return table_from_bytes(path.name, _read_bytes(path))
    return items_from_files(kind, [(f.name, _read_bytes(f)) for f in _item_files(path, SUFFIXES[kind])])


def check_upload_name(filename: str) -> str:
    """An uploaded file's name must be a plain file name: no directories, no '..'."""
    if not filename or "/" in filename or "\\" in filename or filename in (".", "..") or filename.startswith(".") or "\x00" in filename:
        raise IngestError(f"file name {filename!r} is not allowed: give a plain file name without directories or '..'")
    return filename


def table_from_bytes(filename: str, data: bytes) -> pa.Table:
    """Parse a CSV or Parquet file's bytes (in memory)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise IngestError(f"{filename}: unknown table format; give a .csv or .parquet file")
    try:
        if suffix == ".csv":
            import pyarrow.csv as pacsv

            table = pacsv.read_csv(pa.BufferReader(data))
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise IngestError(f"{filename} could not be read as {suffix[1:].upper()}; check that the file is complete and well-formed", detail=str(exc)) from None
    if table.num_rows == 0 or table.num_columns == 0:
        raise IngestError(f"{filename} has no rows; an empty dataset cannot be registered")
    return table.combine_chunks()


def items_from_files(kind: str, files: list[tuple[str, bytes]]) -> pa.Table:
    """Build a texts or images asset from (file name, bytes) pairs."""
    if not files:
        raise IngestError("no items given; an empty dataset cannot be registered")
    for name, _ in files:
        if Path(name).suffix.lower() not in SUFFIXES[kind]:
            raise IngestError(f"{name}: unknown format for {kind}; expected one of {sorted(SUFFIXES[kind])}")
    ids = [Path(name).stem for name, _ in files]
    if kind == "texts":
        return pa.table({"item_id": ids, "text": [_decode_text(n, d) for n, d in files]})
    return pa.table({"item_id": ids, "png": [_decode_image(n, d) for n, d in files]}, schema=pa.schema([("item_id", pa.string()), ("png", pa.binary())]))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path.name} could not be read", detail=str(exc)) from None


def _item_files(path: Path, suffixes: set[str]) -> list[Path]:
    if path.is_file():
        candidates = [path]
        base = path.parent.resolve()
    else:
        base = path.resolve()
        candidates = sorted(p for p in path.iterdir() if not p.name.startswith("."))
    files = []
    for candidate in candidates:
        resolved = candidate.resolve()
        if base not in resolved.parents and resolved.parent != base:
            raise IngestError(f"{candidate.name} points outside {path}; links that leave the source directory are refused")
        if candidate.is_dir():
            continue
        if candidate.suffix.lower() not in suffixes:
            raise IngestError(f"{candidate.name}: unknown format for this kind; expected one of {sorted(suffixes)}")
        files.append(candidate)
    if not files:
        raise IngestError(f"{path} holds no items; an empty dataset cannot be registered")
    return files


def _decode_text(name: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{name} is not readable UTF-8 text", detail=str(exc)) from None
    if not text.strip():
        raise IngestError(f"{name} is empty; remove it or give it content")
    return text


def _decode_image(name: str, data: bytes) -> bytes:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE
    try:
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) > MAX_IMAGE_SIDE:
                raise IngestError(f"{name} is {image.size[0]}x{image.size[1]}; the largest side allowed is {MAX_IMAGE_SIDE}")
            image.load()
            rgb = image.convert("RGB")
    except IngestError:
        raise
    except Exception as exc:  # PIL raises many types for corrupt files
        raise IngestError(f"{name} could not be decoded as an image", detail=str(exc)) from None
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG")
    return buffer.getvalue()
