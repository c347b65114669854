"""The demo as people use it: the vault plus one JupyterLab per signed-in person.

``sealroom demo`` (and so ``make demo``) runs, as child processes of one supervisor:

1. the vault (``sealroom serve``) on the demo workspace;
2. one JupyterLab per demo person (``DEMO_PEOPLE``): the data scientist and the rights holder of
   the scripts. Each is an ordinary ``jupyter lab`` with the Sealroom server extension set to
   that person's vault token (one server per person, as JupyterHub runs single-user servers),
   its own notebook folder — a copy of the teaching notebooks, never the vault's folder —, a
   random Jupyter login token, and a JupyterLab workspace that opens that person's notebooks
   (and the review panel for the rights holder).

Secrets travel in the children's environment (``SEALROOM_TOKEN``, ``JUPYTER_TOKEN``), never on a
command line, where ``ps`` would show them. ``SEALROOM_HIDE_PATHS`` names the vault's folder so
the kernel launcher refuses to bind anything inside it. Every child is stopped (terminate, then
kill) when the supervisor ends — Ctrl-C, SIGTERM, or any child exiting — and every child is
tethered (``sealroom.tethered``): if the supervisor is killed outright, Linux stops them too.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from jupyterlab_server.workspaces_handler import WorkspacesManager

import sealroom
from sealroom.core.errors import ConfigurationError
from sealroom.demo.workspace import DemoWorkspace
from sealroom.tethered import stop_child, tethered_command, wait_until_answers

REVIEW_PANEL_ID = "sealroom-review-panel"


@dataclass(frozen=True)
class Person:
    """Who gets a JupyterLab, which notebooks it opens, and whether the review panel is shown."""

    name: str
    notebooks: tuple[str, ...]
    review_panel: bool = False


DEMO_PEOPLE = (
    Person("dana", ("01_explore_and_ask.ipynb", "03_what_cannot_leave.ipynb", "04_explore_with_pointers.ipynb")),
    Person("harbor-light", ("02_review.ipynb",), review_panel=True),
)


@dataclass(frozen=True)
class LabSignIn:
    person: str
    role: str
    display_name: str
    url: str  # includes the Jupyter login token


def teaching_notebooks() -> Path:
    """The shipped teaching notebooks (``sealroom/_demo_notebooks`` in the wheel, else the repo's)."""
    package = Path(sealroom.__file__).resolve().parent
    for candidate in (package / "_demo_notebooks", package.parent / "demo_notebooks"):
        if candidate.is_dir():
            return candidate
    raise ConfigurationError("the teaching notebooks are missing: no demo_notebooks folder next to the sealroom package")


def prepare_lab_folder(folder: Path, person: Person) -> Path:
    """Copy the person's notebooks into ``folder`` (keeping copies they already edited) and
    write the JupyterLab workspace that opens them; returns the workspaces folder."""
    folder.mkdir(parents=True, exist_ok=True)
    source = teaching_notebooks()
    for name in person.notebooks:
        if not (folder / name).exists():
            shutil.copyfile(source / name, folder / name)
    workspaces = folder.parent / f".{folder.name}-workspaces"
    WorkspacesManager(workspaces).save("default", json.dumps(_workspace_layout(person)))
    return workspaces


def _workspace_layout(person: Person) -> dict:
    opened = [f"notebook:{name}" for name in person.notebooks]
    left = {"collapsed": False, "visible": True, "current": REVIEW_PANEL_ID if person.review_panel else "filebrowser",
            "widgets": ["filebrowser", "running-sessions", *([REVIEW_PANEL_ID] if person.review_panel else [])]}
    data = {"layout-restorer:data": {"main": {"dock": {"type": "tab-area", "currentIndex": 0, "widgets": opened}}, "left": left}}
    for name in person.notebooks:
        data[f"notebook:{name}"] = {"data": {"path": name, "factory": "Notebook"}}
    return {"data": data, "metadata": {"id": "default"}}


def lab_command(*, vault_url: str, port: int, folder: Path, workspaces: Path) -> list[str]:
    """The ``jupyter lab`` argv for one person (no secrets: those go in the environment)."""
    command = [
        *tethered_command("jupyterlab"), "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={folder}", f"--LabApp.workspaces_dir={workspaces}",
        "--ServerApp.jpserver_extensions=sealroom.jupyter_extension=True",
        "--ServerApp.identity_provider_class=sealroom.jupyter_extension.identity.SealroomIdentityProvider",
        f"--SealroomExtension.vault_url={vault_url}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


class DemoSupervisor:
    """Starts, watches and stops the demo's processes. Use as a context manager."""

    def __init__(self, demo: DemoWorkspace, *, vault_port: int, lab_port: int, lab_root: Path) -> None:
        self.demo = demo
        self.vault_port = vault_port
        self.lab_port = lab_port
        self.lab_root = lab_root.resolve()
        self.children: list[tuple[str, subprocess.Popen]] = []

    @property
    def vault_url(self) -> str:
        return f"http://127.0.0.1:{self.vault_port}"

    def __enter__(self) -> "DemoSupervisor":
        self._previous_sigterm = signal.signal(signal.SIGTERM, _stop_on_sigterm)  # SIGTERM cleans up like Ctrl-C
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.stop()
        finally:
            signal.signal(signal.SIGTERM, self._previous_sigterm)

    def _environment(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SEALROOM_", "JUPYTER_TOKEN"))}
        env["SEALROOM_HIDE_PATHS"] = str(self.demo.root)
        env.update(extra)
        return env

    def _spawn(self, label: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.lab_root / f"{label}.log", "ab")  # noqa: SIM115 - the child owns it
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.children.append((label, process))
        return process

    def start(self) -> list[LabSignIn]:
        """Start the vault, then the labs; returns the sign-ins once every server answers."""
        self.lab_root.mkdir(parents=True, exist_ok=True)
        vault = self._spawn("vault", tethered_command("sealroom.cli", "serve", "--workspace", str(self.demo.root), "--port", str(self.vault_port)), self._environment())
        self._wait_until("vault", vault, f"{self.vault_url}/api/v1/health", {})
        signins = []
        roles = {s.name: s for s in self.demo.signins}
        for offset, person in enumerate(DEMO_PEOPLE):
            folder = self.lab_root / person.name
            workspaces = prepare_lab_folder(folder, person)
            port, login = self.lab_port + offset, secrets.token_urlsafe(24)
            env = self._environment(SEALROOM_TOKEN=self.demo.token(person.name), JUPYTER_TOKEN=login)
            lab = self._spawn(f"lab-{person.name}", lab_command(vault_url=self.vault_url, port=port, folder=folder, workspaces=workspaces), env)
            base = f"http://127.0.0.1:{port}"
            self._wait_until(f"JupyterLab for {person.name}", lab, f"{base}/api/status", {"Authorization": f"token {login}"})
            signin = roles[person.name]
            signins.append(LabSignIn(person.name, signin.role, signin.display_name, f"{base}/lab?token={login}"))
        return signins

    def _wait_until(self, label: str, process: subprocess.Popen, url: str, headers: dict, timeout: float = 120.0) -> None:
        why = wait_until_answers(process, url, timeout=timeout, headers=headers)
        if why is not None:
            raise ConfigurationError(f"{label} {why}; see {self.lab_root}/*.log")

    def wait(self) -> str:
        """Block until a child exits; returns its label."""
        while True:
            for label, process in self.children:
                if process.poll() is not None:
                    return label
            time.sleep(0.5)

    def stop(self) -> None:
        for _, process in reversed(self.children):
            if process.poll() is None:
                process.terminate()  # all at once: the labs and the vault shut down in parallel
        for _, process in reversed(self.children):
            stop_child(process)
        self.children.clear()
