"""Ingest: good inputs become sealed assets with mocks; every bad input is refused and changes nothing."""

from __future__ import annotations

import io
import os

import pandas as pd
import pytest
from PIL import Image
from sqlalchemy import func, select

from sealroom.core.catalog.catalog import get_dataset, mock_ipc
from sealroom.core.catalog.ingest import IngestSpec, ingest_dataset
from sealroom.core.errors import AlreadyExists, Forbidden, IngestError, InvalidInput
from sealroom.core.results import decode_input
from sealroom.core.store.models import AuditRow, DatasetRow
from sealroom.core.users import Role, create_user

SECRET_LINE = "The lantern on Gull Rock burns blue only when the tide remembers a drowned promise"


@pytest.fixture
def holder(workspace):
    with workspace.db.session() as session:
        user, _ = create_user(session, name="studio", role=Role.RIGHTS_HOLDER)
    return user


@pytest.fixture
def script_csv(tmp_path):
    path = tmp_path / "lines.csv"
    pd.DataFrame({"speaker": ["Ada", "Tomas", "Ada"], "line": [SECRET_LINE, "Short reply here now", "Another private sentence for the test"], "n": [1, 2, 3]}).to_csv(path, index=False)
    return path


def _state(ws):
    with ws.db.session() as session:
        datasets = session.execute(select(func.count()).select_from(DatasetRow)).scalar()
        audits = session.execute(select(func.count()).select_from(AuditRow)).scalar()
    blobs = sorted(p.name for p in (ws.root / "content").rglob("*"))
    return datasets, audits, blobs


def test_table_ingest_seals_content_and_builds_mock(workspace, holder, script_csv):
    ingest_dataset(workspace, holder, IngestSpec(name="scripts", kind="table", paths=[script_csv], public_columns=["speaker"], text_columns=["line"]))
    with workspace.db.session() as session:
        info = get_dataset(session, "scripts")
        asset, payload = mock_ipc(session, "scripts")
    assert info.owner == "studio" and asset.n_items == 3 and len(asset.items_root) == 64
    mock = decode_input("table", payload)
    assert list(mock.columns) == ["speaker", "line", "n"] and len(mock) == 3
    assert set(mock["speaker"]) <= {"Ada", "Tomas"}  # public column keeps real values
    assert SECRET_LINE not in " ".join(mock["line"])  # text column is filler
    for blob in (workspace.root / "content").rglob("*"):
        if blob.is_file():
            assert b"lantern" not in blob.read_bytes()


def test_texts_and_images_ingest(workspace, holder, tmp_path):
    texts = tmp_path / "stories"
    texts.mkdir()
    (texts / "one.txt").write_text("A story about the harbour. " * 20)
    images = tmp_path / "art"
    images.mkdir()
    Image.new("RGB", (32, 24), (200, 10, 10)).save(images / "ada.png")
    ingest_dataset(workspace, holder, IngestSpec(name="stories", kind="texts", paths=[texts]))
    ingest_dataset(workspace, holder, IngestSpec(name="art", kind="images", paths=[images]))
    with workspace.db.session() as session:
        stories = decode_input("texts", mock_ipc(session, "stories")[1])
        art = decode_input("images", mock_ipc(session, "art")[1])
    assert len(stories) == 1 and "harbour" not in stories[0]
    assert art[0].shape == (24, 32, 3) and tuple(art[0][20, 20]) != (200, 10, 10)


def _bad_inputs(tmp_path, script_csv):
    unknown = tmp_path / "data.xlsx"
    unknown.write_bytes(b"PK\x03\x04not really")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    empty = tmp_path / "empty.csv"
    empty.write_text("speaker,line\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("private text outside the folder")
    linked = tmp_path / "linked"
    linked.mkdir()
    os.symlink(outside, linked / "escape.txt")
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    return {
        "unknown format": IngestSpec(name="bad", kind="table", paths=[unknown]),
        "unknown kind": IngestSpec(name="bad", kind="video", paths=[script_csv]),
        "unreadable": IngestSpec(name="bad", kind="table", paths=[broken]),
        "missing file": IngestSpec(name="bad", kind="table", paths=[tmp_path / "nope.csv"]),
        "empty table": IngestSpec(name="bad", kind="table", paths=[empty]),
        "empty directory": IngestSpec(name="bad", kind="texts", paths=[empty_dir]),
        "no sources": IngestSpec(name="bad", kind="table", paths=[]),
        "symlink traversal": IngestSpec(name="bad", kind="texts", paths=[linked]),
        "upload traversal": IngestSpec(name="bad", kind="table", uploads=[("../../etc/passwd.csv", b"a,b\n1,2\n")]),
        "bad name": IngestSpec(name="Bad Name!", kind="table", paths=[script_csv]),
        "second asset fails": IngestSpec(name="bad", kind="table", paths=[script_csv, broken]),
    }


@pytest.mark.parametrize("case", ["unknown format", "unknown kind", "unreadable", "missing file", "empty table", "empty directory", "no sources", "symlink traversal", "upload traversal", "bad name", "second asset fails"])
def test_bad_ingest_is_refused_and_changes_nothing(workspace, holder, tmp_path, script_csv, case):
    spec = _bad_inputs(tmp_path, script_csv)[case]
    before = _state(workspace)
    with pytest.raises(IngestError) as info:
        ingest_dataset(workspace, holder, spec)
    assert info.value.public_message  # a message that names the problem
    assert "private text outside" not in info.value.public_message
    assert _state(workspace) == before


def test_duplicate_name_and_bad_license_and_wrong_role(workspace, holder, script_csv):
    ingest_dataset(workspace, holder, IngestSpec(name="scripts", kind="table", paths=[script_csv]))
    before = _state(workspace)
    with pytest.raises(AlreadyExists):
        ingest_dataset(workspace, holder, IngestSpec(name="scripts", kind="table", paths=[script_csv]))
    with pytest.raises(InvalidInput, match="unknown license terms"):
        ingest_dataset(workspace, holder, IngestSpec(name="other", kind="table", paths=[script_csv], license={"alowed_purposes": []}))
    with workspace.db.session() as session:
        scientist, _ = create_user(session, name="dana", role=Role.DATA_SCIENTIST)
    after_user = _state(workspace)
    with pytest.raises(Forbidden):
        ingest_dataset(workspace, scientist, IngestSpec(name="mine", kind="table", paths=[script_csv]))
    assert _state(workspace) == after_user
    assert before[0] == after_user[0]


def test_upload_ingest_in_memory(workspace, holder):
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2], "b": ["x y", "z w"]}).to_parquet(buffer)
    ingest_dataset(workspace, holder, IngestSpec(name="uploaded", kind="table", uploads=[("t.parquet", buffer.getvalue())]))
    with workspace.db.session() as session:
        assert get_dataset(session, "uploaded").assets[0].name == "t"
