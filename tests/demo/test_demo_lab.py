"""``sealroom demo`` (what ``make demo`` runs): the vault plus a JupyterLab per person, for real.

One ``sealroom demo`` process on a copy of the demo workspace: it must print two JupyterLab
sign-ins (data scientist, rights holder) that answer as the right vault users, with each person's
teaching notebooks opened in their JupyterLab workspace and nothing of the vault's folder
reachable through Jupyter's file API; everything stops with the supervisor.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sealroom.demo.lab import DEMO_PEOPLE, REVIEW_PANEL_ID, lab_command

pytestmark = pytest.mark.slow

SIGNIN_LINE = re.compile(r"\((data_scientist|rights_holder)\): (http://127\.0\.0\.1:(\d+)/lab\?token=(\S+))")


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("no two consecutive free ports")


@pytest.fixture(scope="module")
def running_demo(demo_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(demo_template.root, root / "ws")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        vault_port = probe.getsockname()[1]
    lab_port = _free_port_pair()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEALROOM_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "sealroom.cli", "demo", "--dir", str(root / "ws"), "--port", str(vault_port),
         "--lab-port", str(lab_port), "--lab-dir", str(root / "lab")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root,
    )
    signins, output = {}, []
    deadline = time.monotonic() + 240
    while len(signins) < 2 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if match := SIGNIN_LINE.search(line):
            signins[match[1]] = (match[2], int(match[3]), match[4])
    if len(signins) < 2:
        process.kill()
        pytest.fail("sealroom demo printed no two JupyterLab sign-ins:\n" + "".join(output))
    yield process, signins, root
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("sealroom demo did not stop on Ctrl-C within 60 s")
        finally:
            process.stdout.close()
    else:
        process.stdout.close()


def _lab(signin) -> httpx.Client:
    _, port, token = signin
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"token {token}"}, timeout=30)


def test_each_person_gets_a_jupyterlab_signed_in_as_their_vault_user(running_demo):
    _, signins, _ = running_demo
    with _lab(signins["data_scientist"]) as lab:
        assert lab.get("/sealroom/me").json()["name"] == "dana"
    with _lab(signins["rights_holder"]) as lab:
        me = lab.get("/sealroom/me").json()
        assert (me["name"], me["role"]) == ("harbor-light", "rights_holder")


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "sigterm", "sigkill"])
def test_stopping_the_demo_stops_every_process(demo_template, tmp_path, how):
    """Ctrl-C and SIGTERM clean up; even SIGKILL leaves no vault or JupyterLab (tethered children)."""
    shutil.copytree(demo_template.root, tmp_path / "ws")
    vault_port, lab_port = _free_port_pair(), _free_port_pair()
    assert vault_port not in (lab_port, lab_port + 1)
    process = subprocess.Popen(
        [sys.executable, "-m", "sealroom.cli", "demo", "--dir", str(tmp_path / "ws"), "--port", str(vault_port),
         "--lab-port", str(lab_port), "--lab-dir", str(tmp_path / "lab")],
        env={k: v for k, v in os.environ.items() if not k.startswith("SEALROOM_")}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    with process.stdout:
        seen: list[str] = []
        while len(seen) < 2:
            line = process.stdout.readline()
            assert line, "sealroom demo ended before printing its sign-ins"
            if "/lab?token=" in line:
                seen.append(line)
        for port in (vault_port, lab_port, lab_port + 1):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=5)  # all three answer before the stop
        process.send_signal(how)
        assert process.wait(timeout=60) == (-signal.SIGKILL if how == signal.SIGKILL else 0)
    deadline = time.monotonic() + 30
    alive = [vault_port, lab_port, lab_port + 1]
    while alive and time.monotonic() < deadline:
        alive = [port for port in alive if _answers(port)]
        time.sleep(0.5)
    assert alive == [], f"still answering after the demo stopped: {alive}"


def _answers(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    except httpx.TransportError:
        return False
    return True


def test_a_jupyterlab_refuses_a_wrong_login_token(running_demo):
    _, signins, _ = running_demo
    _, port, _ = signins["data_scientist"]
    assert httpx.get(f"http://127.0.0.1:{port}/api/contents", headers={"Authorization": "token wrong"}).status_code == 403


def test_the_teaching_notebooks_are_there_and_open_in_each_workspace(running_demo):
    _, signins, _ = running_demo
    for role, person in (("data_scientist", DEMO_PEOPLE[0]), ("rights_holder", DEMO_PEOPLE[1])):
        with _lab(signins[role]) as lab:
            listed = {item["name"] for item in lab.get("/api/contents").json()["content"]}
            assert set(person.notebooks) <= listed
            layout = lab.get("/lab/api/workspaces/default").json()["data"]["layout-restorer:data"]
            assert layout["main"]["dock"]["widgets"] == [f"notebook:{name}" for name in person.notebooks]
            assert (layout["left"]["current"] == REVIEW_PANEL_ID) == person.review_panel


def test_the_vault_folder_is_not_reachable_through_jupyter(running_demo):
    _, signins, root = running_demo
    assert (root / "ws" / "signins.json").exists()
    with _lab(signins["data_scientist"]) as lab:
        for path in ("../ws/signins.json", "../../ws/signins.json", "%2E%2E/ws/signins.json"):
            assert lab.get(f"/api/contents/{path}").status_code in (400, 403, 404)
        assert "signins.json" not in lab.get("/api/contents").text


def test_no_secret_is_on_a_command_line():
    command = " ".join(lab_command(vault_url="http://127.0.0.1:1", port=2, folder=Path("/x"), workspaces=Path("/y")))
    assert "token" not in command.lower() and "sr_" not in command
    assert "sealroom.jupyter_extension" in command
