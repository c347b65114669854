"""What every ``sealroom`` command module shares: the console and the ``--workspace`` option.

Environment variables are read here and nowhere else in the vault: ``SEALROOM_WORKSPACE`` (the
workspace directory for commands that take ``--workspace``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()

WorkspaceOption = typer.Option(Path("sealroom-workspace"), "--workspace", "-w", envvar="SEALROOM_WORKSPACE", help="Workspace directory.")
