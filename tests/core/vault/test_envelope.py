"""AES-256-GCM envelopes, key wrapping, the key file and the content store."""

import os
import stat

import pytest
from hypothesis import given, strategies as st

from sealroom.core.errors import AlreadyExists, ConfigurationError, IntegrityError
from sealroom.core.vault.content_store import ContentStore
from sealroom.core.vault.envelope import new_key, open_sealed, seal, unwrap_key, wrap_key
from sealroom.core.vault.keyring import KeyRing
from sealroom.core.workspace import Workspace


@given(st.binary(max_size=4096), st.binary(max_size=64))
def test_seal_round_trip(plaintext, aad):
    key = new_key()
    envelope = seal(key, plaintext, aad=aad)
    assert len(plaintext) < 8 or plaintext not in envelope
    assert open_sealed(key, envelope, aad=aad) == plaintext


def test_tampering_wrong_aad_and_wrong_key_fail():
    key = new_key()
    envelope = bytearray(seal(key, b"licensed line of dialogue", aad=b"content:a/b"))
    with pytest.raises(IntegrityError):
        open_sealed(key, envelope, aad=b"content:a/c")
    with pytest.raises(IntegrityError):
        open_sealed(new_key(), bytes(envelope), aad=b"content:a/b")
    envelope[-1] ^= 1
    with pytest.raises(IntegrityError):
        open_sealed(key, bytes(envelope), aad=b"content:a/b")


def test_data_key_wrapping_is_bound_to_its_dataset():
    master, data = new_key(), new_key()
    wrapped = wrap_key(master, data, owner="ds1")
    assert unwrap_key(master, wrapped, owner="ds1") == data
    with pytest.raises(IntegrityError):
        unwrap_key(master, wrapped, owner="ds2")


def test_key_file_permissions_and_no_overwrite(tmp_path):
    path = tmp_path / "keys" / "workspace.key"
    ring = KeyRing.generate()
    ring.write(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert KeyRing.read(path).master_key == ring.master_key
    with pytest.raises(FileExistsError):
        ring.write(path)
    path.write_text("{broken")
    with pytest.raises(ConfigurationError):
        KeyRing.read(path)


def test_content_store_refuses_unsafe_names_and_swapped_blobs(tmp_path):
    store, key = ContentStore(tmp_path), new_key()
    store.put("ds1", "a.arrow", b"secret", key=key)
    assert b"secret" not in (tmp_path / "ds1" / "a.arrow.sealed").read_bytes()
    with pytest.raises(IntegrityError):
        store.put("ds1", "../escape", b"x", key=key)
    (tmp_path / "ds1" / "b.arrow.sealed").write_bytes((tmp_path / "ds1" / "a.arrow.sealed").read_bytes())
    with pytest.raises(IntegrityError):
        store.get("ds1", "b.arrow", key=key)


def test_workspace_create_refuses_existing(tmp_path):
    Workspace.create(tmp_path / "w").close()
    with pytest.raises(AlreadyExists):
        Workspace.create(tmp_path / "w")
    with pytest.raises(ConfigurationError):
        Workspace.open(tmp_path / "nothing-here")
    assert stat.S_IMODE(os.stat(tmp_path / "w").st_mode) == 0o700
