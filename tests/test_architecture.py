"""The dependency rules of ARCHITECTURE.md §2, checked by walking every import statement."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sealroom"
OUTER = ("sealroom.service", "sealroom.client", "sealroom.kernel", "sealroom.jupyter_extension", "sealroom.widgets", "sealroom.cli", "sealroom.demo")
WEB_AND_JUPYTER = ("jupyter_server", "tornado", "IPython", "ipykernel", "ipywidgets", "traitlets", "fastapi", "starlette", "uvicorn", "httpx")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in (PACKAGE / folder).rglob("*.py"):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


def test_core_imports_no_outer_layer_and_no_web_or_jupyter():
    assert _violations("core", OUTER + WEB_AND_JUPYTER) == []


def test_service_and_client_do_not_import_each_other():
    assert _violations("service", ("sealroom.client", "sealroom.kernel", "sealroom.jupyter_extension")) == []
    assert _violations("client", ("sealroom.service", "sealroom.jupyter_extension", "sealroom.cli")) == []


def test_the_jupyter_server_extension_never_touches_the_vault_in_process():
    """The Jupyter server talks to the vault over HTTP only: it must never hold the vault's key."""
    forbidden = ("sealroom.core.runtime", "sealroom.core.vault", "sealroom.core.workspace", "sealroom.core.store", "sealroom.service")
    assert _violations("jupyter_extension", forbidden) == []


def test_the_client_imports_widgets_only_lazily():
    """``import sealroom.client`` works without ipywidgets: the widget modules load inside methods."""
    found = []
    for path in (PACKAGE / "client").rglob("*.py"):
        for node in ast.parse(path.read_text()).body:  # module level only
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name} imports {n}" for n in names if n.startswith(("sealroom.widgets", "ipywidgets"))]
    assert found == []


def test_importing_the_package_does_nothing():
    code = (
        "import sys, threading; before = threading.active_count(); import sealroom, sealroom.core.runtime; "
        "assert threading.active_count() == before, 'threads started at import'; "
        "assert 'sealroom.client' not in sys.modules and 'httpx' not in sys.modules and 'fastapi' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
