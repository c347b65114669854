"""``sealroom policy ...``: check a request against the policies, run the example requests, and
list or attach a dataset's own Cedar policies (docs/cli.md documents each command).

``check`` and ``test`` need no workspace: a request file carries its license terms (see
``sealroom.core.policy.examples``). ``list`` and ``attach`` act on a workspace directly, as the
named rights holder, through the same checks as the API (owner only, validated, audited).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from sealroom.cli_options import WorkspaceOption, console

policy_app = typer.Typer(help="Check requests against the Cedar policies; manage a dataset's policies.", no_args_is_help=True)


@policy_app.command("check")
def check(request_file: Path = typer.Argument(..., help="A request JSON file (docs/policies.md#request-files).")) -> None:
    """Decide one request file and show the outcome with every reason (the full decision record)."""
    from sealroom.core.policy.cedar_engine import CedarEngine
    from sealroom.core.policy.examples import check_request

    result = check_request(CedarEngine(), request_file)
    decision = result.decision
    console.print(f"[bold]{result.name}[/]: {decision.outcome.value.upper()}")
    table = Table("policy", "effect", "dataset", "public", "reason")
    for reason in decision.reasons:
        table.add_row(reason.policy_id, reason.effect, reason.dataset, "yes" if reason.public else "no", reason.reason)
    console.print(table)
    for error in decision.errors:
        console.print(f"[red]error:[/] {error}", highlight=False)
    console.print(f"bundle {decision.bundle_sha256[:16]}…  context {decision.context_sha256[:16]}…")
    if not result.ok:
        console.print(f"[red]expected {result.expected} with {list(result.expected_policies)}[/]")
        raise typer.Exit(1)


@policy_app.command("test")
def test(directory: Optional[Path] = typer.Argument(None, help="A folder of request files with \"expect\" (default: the shipped examples).")) -> None:
    """Run every example request in a folder; exit 1 if any outcome differs from its "expect"."""
    from sealroom.core.policy.cedar_engine import CedarEngine
    from sealroom.core.policy.examples import run_examples

    results = run_examples(CedarEngine(), directory)
    table = Table("", "example", "expected", "got", "policies")
    for result in results:
        mark = "[green]ok[/]" if result.ok else "[red]FAIL[/]"
        table.add_row(mark, result.path.name, result.expected or "-", result.decision.outcome.value, ", ".join(sorted(result.fired)))
    console.print(table)
    failed = [r for r in results if not r.ok]
    console.print(f"{len(results) - len(failed)} of {len(results)} examples decided as expected")
    if failed:
        raise typer.Exit(1)


@policy_app.command("list")
def list_(dataset: str = typer.Argument(..., help="Dataset name."), workspace: Path = WorkspaceOption) -> None:
    """Show the Cedar policies attached to a dataset."""
    from sealroom.core.policy.dataset_policies import list_policies
    from sealroom.core.workspace import Workspace

    ws = Workspace.open(workspace)
    with ws.db.session() as session:
        policies = list_policies(session, dataset)
    if not policies:
        console.print(f"{dataset} has no policies of its own (the workspace pack applies)")
    for policy in policies:
        console.print(f"[bold]{policy['policy_id']}[/] by {policy['author']} ({policy['sha256'][:12]}…)\n{policy['text']}", highlight=False)


@policy_app.command("attach")
def attach(
    dataset: str = typer.Argument(..., help="Dataset name."),
    policy_file: Path = typer.Argument(..., help="A .cedar file holding one annotated policy."),
    owner: str = typer.Option(..., "--as", help="The rights holder who owns the dataset."),
    workspace: Path = WorkspaceOption,
) -> None:
    """Validate a policy against the schema and attach it to a dataset (as its owner; audited)."""
    from sealroom.core.policy.cedar_engine import CedarEngine
    from sealroom.core.policy.dataset_policies import attach_policy
    from sealroom.core.users import get_user
    from sealroom.core.workspace import Workspace

    ws = Workspace.open(workspace)
    with ws.db.session() as session:
        view = attach_policy(session, CedarEngine(), get_user(session, owner), dataset, policy_file.read_text())
    console.print(f"attached [bold]{view['policy_id']}[/] to {dataset}; it applies to every request decided from now on")
