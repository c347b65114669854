"""``SealroomKernel``: an IPython kernel that starts signed in to the vault.

Contract:

- At start the kernel reads its vault settings from the environment — here, in
  ``vault_settings``, and nowhere else in the kernel: ``SEALROOM_URL`` (default
  ``http://127.0.0.1:8765``, the ``make demo`` vault) and ``SEALROOM_TOKEN`` (the data
  scientist's access token). The token is then removed from the kernel's environment, so
  ``%env``, ``!env`` and subprocesses never see it, and it is never printed.
- If the token is set and the vault answers, ``ws`` (``sr.connect(url, token)``) and ``sr`` (the
  ``sealroom`` module) are bound in the user namespace. Otherwise the kernel starts anyway,
  without ``ws``; ``%%remote`` then says what is missing and what to set.
- The ``%%remote`` cell magic (``magics.py``) is registered.
- Every ``SealroomError`` raised by a cell is shown as one line, ``Kind: public message``, with
  no traceback: ``show_sealroom_error`` is the kernel's one error translator.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import dataclass

from ipykernel.ipkernel import IPythonKernel

import sealroom
from sealroom.client.connection import DEFAULT_URL
from sealroom.core.errors import SealroomError
from sealroom.kernel.magics import RemoteMagics

URL_VARIABLE = "SEALROOM_URL"
TOKEN_VARIABLE = "SEALROOM_TOKEN"


@dataclass(frozen=True)
class VaultSettings:
    url: str
    token: str = ""

    def __repr__(self) -> str:  # the token never appears in a repr
        return f"VaultSettings(url={self.url!r}, token={'set' if self.token else 'missing'})"


def vault_settings(environ: MutableMapping[str, str]) -> VaultSettings:
    """Read (and take out) the vault settings: the one place the kernel reads its environment."""
    url = environ.get(URL_VARIABLE) or DEFAULT_URL
    token = environ.pop(TOKEN_VARIABLE, "")
    return VaultSettings(url=url, token=token)


def connect(settings: VaultSettings):
    """``(workspace, None)`` when connected, else ``(None, why)`` — a sentence safe to show."""
    if not settings.token:
        return None, f"{TOKEN_VARIABLE} was not set when the kernel started"
    try:
        return sealroom.connect(settings.url, settings.token), None
    except SealroomError as exc:
        return None, f"the vault at {settings.url} refused the connection or did not answer ({exc.public_message})"


def show_sealroom_error(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: ``Kind: public message`` as the whole error output."""
    line = f"{etype.__name__}: {value.public_message}"
    shell._showtraceback(etype, value, [line])  # noqa: SLF001 - publishes the error message on iopub
    return [line]


class SealroomKernel(IPythonKernel):
    """The ``sealroom`` kernel: IPython plus ``ws``, ``sr`` and ``%%remote``."""

    implementation = "sealroom"
    implementation_version = sealroom.__version__

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        settings = vault_settings(os.environ)
        self.vault_url = settings.url
        workspace, problem = connect(settings)
        self.connection_problem = problem
        self.shell.push({"sr": sealroom}, interactive=True)
        if workspace is not None:
            self.shell.push({"ws": workspace}, interactive=True)
        self.shell.register_magics(RemoteMagics(self.shell, connection_problem=problem))
        self.shell.set_custom_exc((SealroomError,), show_sealroom_error)

    @property
    def banner(self) -> str:
        ws = self.shell.user_ns.get("ws") if self.shell else None
        if ws is not None:
            status = f"Connected to the vault at {self.vault_url} as {ws.user['name']} ({ws.user['role']})."
        else:
            status = f"Not connected: {self.connection_problem}. Set {URL_VARIABLE} and {TOKEN_VARIABLE}, or run ws = sr.connect(url, token)."
        return (
            f"{super().banner}\nSealroom {sealroom.__version__}: licensed content stays in the vault. {status}\n"
            "ws.datasets lists what you may analyse; %%remote plays=<dataset> --purpose \"research: ...\" runs a cell next to it.\n"
        )
