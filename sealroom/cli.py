"""The ``sealroom`` command (docs/cli.md documents every command; a test keeps them in step).

Environment variables are read in ``cli_options`` and nowhere else in the vault. Errors are
translated in one place (``main``): the public message, plus the private detail with ``--debug``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from sealroom.cli_options import WorkspaceOption, console
from sealroom.cli_policy import policy_app
from sealroom.core.errors import InvalidInput, SealroomError

app = typer.Typer(help="Sealroom: analyse licensed media content you never see.", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
user_app = typer.Typer(help="Manage users and their access tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Inspect and verify the tamper-evident audit log.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")


def _open(path: Path):
    from sealroom.core.workspace import Workspace

    return Workspace.open(path)


@app.command()
def init(directory: Path = typer.Argument(..., help="New (or empty) directory for the workspace.")) -> None:
    """Create a workspace: SQLite database (migrated), encrypted content directory, key file."""
    from sealroom.core.workspace import Workspace

    ws = Workspace.create(directory)
    ws.close()
    console.print(f"created workspace [bold]{ws.root}[/] (keys in {ws.root / 'keys'}; keep them secret)")


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="Login name (lower-case)."),
    role: str = typer.Option(..., "--role", help="data_scientist, rights_holder or admin."),
    display_name: str = typer.Option("", "--display-name", help="Name shown to others."),
    org: str = typer.Option("", "--org", help="The user's organisation (policies may read it)."),
    workspace: Path = WorkspaceOption,
) -> None:
    """Create a user and print their access token (shown only once)."""
    from sealroom.core.users import create_user

    ws = _open(workspace)
    with ws.db.session() as session:
        user, token = create_user(session, name=name, role=role, display_name=display_name, org=org, actor="cli")
    console.print(f"user [bold]{user.name}[/] ({user.role.value}) token: {token}")


@user_app.command("list")
def user_list(workspace: Path = WorkspaceOption) -> None:
    """List users and their roles."""
    from sealroom.core.users import list_users

    ws = _open(workspace)
    with ws.db.session() as session:
        users = list_users(session)
    table = Table("name", "role", "display name")
    for user in users:
        table.add_row(user.name, user.role.value, user.display_name)
    console.print(table)


@app.command()
def classroom(
    students: int = typer.Option(..., "--students", help="How many student accounts to create."),
    prefix: str = typer.Option("student", "--prefix", help="Names are PREFIX-01, PREFIX-02, …"),
    org: str = typer.Option("Classroom", "--org", help="The students' organisation (policies may read it)."),
    url: str = typer.Option("http://127.0.0.1:8765", "--url", help="The vault URL to print in the sign-ins."),
    workspace: Path = WorkspaceOption,
) -> None:
    """Create N student accounts (data scientists) and print their sign-ins (tokens shown once)."""
    from sealroom.demo.classroom import create_students

    signins = create_students(_open(workspace), students, prefix=prefix, org=org)
    console.print(f"[bold]{len(signins)} students[/] (hand each one their line; tokens are not shown again):")
    for signin in signins:
        console.print(f"  {signin.name}: SEALROOM_URL={url} SEALROOM_TOKEN={signin.token}", soft_wrap=True, highlight=False)


@app.command()
def ingest(
    name: str = typer.Argument(..., help="Dataset name (lower-case, digits, '-')."),
    paths: list[Path] = typer.Argument(..., help="Source files: CSV/Parquet per table asset; a directory of .txt or image files per texts/images asset."),
    kind: str = typer.Option(..., "--kind", help="table, texts or images."),
    owner: str = typer.Option(..., "--owner", help="The rights holder's user name."),
    license_file: Optional[Path] = typer.Option(None, "--license", help="JSON file of license terms (docs/licenses.md)."),
    license_template: Optional[str] = typer.Option(None, "--license-template", help="A shipped license template (policies/licenses/), e.g. research-only."),
    description: str = typer.Option("", "--description"),
    public_columns: str = typer.Option("", "--public-columns", help="Comma-separated table columns whose values may appear in the mock."),
    text_columns: str = typer.Option("", "--text-columns", help="Comma-separated table columns holding licensed text."),
    workspace: Path = WorkspaceOption,
) -> None:
    """Register a dataset for a rights holder: encrypt content, hash items, build mock and index."""
    from sealroom.core.catalog.catalog import get_dataset
    from sealroom.core.catalog.ingest import IngestSpec, ingest_dataset
    from sealroom.core.catalog.license import LicenseTerms
    from sealroom.core.users import get_user

    ws = _open(workspace)
    with ws.db.session() as session:
        user = get_user(session, owner)
    if license_file and license_template:
        raise InvalidInput("give --license or --license-template, not both")
    terms = json.loads(license_file.read_text()) if license_file else None
    if license_template:
        terms = LicenseTerms.from_template(license_template).to_dict()
    spec = IngestSpec(name=name, kind=kind, paths=tuple(paths), description=description, license=terms, public_columns=_split(public_columns), text_columns=_split(text_columns))
    ingest_dataset(ws, user, spec)
    with ws.db.session() as session:
        info = get_dataset(session, name)
    for asset in info.assets:
        console.print(f"registered [bold]{name}[/]/{asset.name}: {asset.n_items} {asset.kind} items, root {asset.items_root[:16]}…")


@app.command()
def serve(
    workspace: Path = WorkspaceOption,
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8765, "--port"),
) -> None:
    """Start the vault: sandbox, job runner and HTTP API (OpenAPI at /api/v1/docs)."""
    from sealroom.core.runtime import Vault
    from sealroom.service.app import serve as serve_http

    vault = Vault(_open(workspace)).start()
    console.print(f"vault for {vault.ws.root} listening on http://{host}:{port} (API docs: /api/v1/docs)")
    try:
        serve_http(vault, host=host, port=port)
    finally:
        vault.stop()


@audit_app.command("verify")
def audit_verify(workspace: Path = WorkspaceOption) -> None:
    """Recompute the audit log's hash chain; exit 1 if any entry was altered or removed."""
    from sealroom.core.ledger import audit

    ws = _open(workspace)
    with ws.db.session() as session:
        report = audit.verify(session)
    if report.ok:
        console.print(f"audit chain intact: {report.entries} entries, head {report.head[:16]}…")
        return
    console.print(f"[red]audit chain broken at entry {report.first_bad_seq}: {report.problem}[/]")
    raise typer.Exit(1)


@audit_app.command("show")
def audit_show(workspace: Path = WorkspaceOption, limit: int = typer.Option(50, "--limit")) -> None:
    """Print the newest audit entries."""
    from sealroom.core.ledger import audit

    ws = _open(workspace)
    with ws.db.session() as session:
        entries = audit.entries(session, limit=100_000)[-limit:]
    table = Table("seq", "at", "actor", "action", "subject")
    for entry in entries:
        table.add_row(str(entry.seq), entry.at[:19], entry.actor, entry.action, entry.subject)
    console.print(table)


@app.command()
def verify(
    receipt: Path = typer.Argument(..., help="A receipt JSON file (GET /api/v1/requests/{id}/receipt)."),
    public_key: str = typer.Option(..., "--public-key", help="The workspace's base64 Ed25519 key (GET /api/v1/public-key)."),
) -> None:
    """Verify a result receipt offline against the workspace's public key."""
    from sealroom.core.ledger.receipts import verify_receipt

    body = verify_receipt(json.loads(receipt.read_text()), public_key)
    console.print(f"receipt valid: request {body['request_id']}, result sha256 {body['result']['sha256'][:16]}…, log index {body['log_index']}")


@app.command()
def demo(
    check: bool = typer.Option(False, "--check", help="Build in a temp dir, run one round trip headless, print it, exit 0/1."),
    directory: Path = typer.Option(Path(".demo-workspace"), "--dir", help="Demo workspace directory (built if missing)."),
    port: int = typer.Option(8765, "--port", help="The vault's port."),
    lines: int = typer.Option(2000, "--lines", help="Dialogue lines to generate (size knob)."),
    lab: bool = typer.Option(True, "--lab/--no-lab", help="Also start a JupyterLab for the data scientist and one for the rights holder."),
    lab_port: int = typer.Option(8888, "--lab-port", help="The data scientist's JupyterLab port; the rights holder's is the next one."),
    lab_dir: Path = typer.Option(Path(".demo-lab"), "--lab-dir", help="The JupyterLab folders (one per person, with copies of the teaching notebooks)."),
) -> None:
    """Run the demo workspace (Northwind franchise, three rights holders, a data scientist) in JupyterLab."""
    if check:
        _demo_check(lines)
        return
    from sealroom.demo.workspace import build_demo_workspace, load_demo_workspace

    demo_ws = load_demo_workspace(directory) if (directory / "signins.json").exists() else build_demo_workspace(directory, dialogue_lines=lines)
    url = f"http://127.0.0.1:{port}"
    console.print(f"[bold]Vault sign-ins[/] (also in {demo_ws.root / 'signins.json'}):", soft_wrap=True)
    for signin in demo_ws.signins:
        console.print(f"  {signin.name} ({signin.role}): sr.connect(\"{url}\", \"{signin.token}\")", soft_wrap=True, highlight=False)
    if not lab:
        serve(workspace=directory, host="127.0.0.1", port=port)
        return
    _demo_lab(demo_ws, port, lab_port, lab_dir)


def _demo_lab(demo_ws, port: int, lab_port: int, lab_dir: Path) -> None:
    from sealroom.demo.lab import DemoSupervisor

    ended = None
    try:
        with DemoSupervisor(demo_ws, vault_port=port, lab_port=lab_port, lab_root=lab_dir) as supervisor:
            console.print(f"starting the vault on http://127.0.0.1:{port} and two JupyterLabs (logs in {lab_dir}/) ...")
            signins = supervisor.start()
            console.print("[bold]Open JupyterLab[/] (one per person; Ctrl-C stops everything):")
            for signin in signins:
                console.print(f"  {signin.display_name} ({signin.role}): {signin.url}", soft_wrap=True, highlight=False)
            ended = supervisor.wait()
    except KeyboardInterrupt:
        console.print("stopped the demo")
        return
    console.print(f"[red]{ended} stopped, so the demo stopped too (see {lab_dir}/{ended}.log)[/]")
    raise typer.Exit(1)


def _demo_check(lines: int) -> None:
    from sealroom.demo.roundtrip import run_round_trip

    trip = run_round_trip(dialogue_lines=lines)
    table = Table("step", "ms", "what happened")
    for name, ms, what in trip.steps:
        table.add_row(name, f"{ms:.1f}", what)
    console.print(table)
    decisions = Table("request", "policy decision", "reasons (as the data scientist sees them)")
    for label, outcome, reasons in trip.decisions:
        decisions.add_row(label, outcome.upper(), reasons)
    console.print(decisions)
    console.print(f"released request id: [bold]{trip.request_id}[/]")
    if trip.receipt:
        console.print_json(json.dumps(trip.receipt))
    if not trip.ok:
        console.print(f"[red]round trip FAILED: {trip.problem}[/]")
        raise typer.Exit(1)
    console.print("[green]round trip OK[/]")


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def main() -> None:
    """Entry point: run the app, translating Sealroom errors into a message and exit code 1."""
    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    try:
        app()
    except SealroomError as exc:
        console.print(f"[red]error:[/] {exc.public_message}")
        if debug and exc.detail:
            console.print(f"[dim]{exc.detail}[/]")
        sys.exit(1)


if __name__ == "__main__":
    main()
