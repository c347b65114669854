"""``@ws.remote(plays=ds)``: turn a Python function into a request on private content.

The function's source text (not a pickle) is what travels. ``f.test()`` runs it here on the
mocks, decoded exactly as the sandbox decodes the private assets, and passes the return value
through the same result encoder, so a value that cannot leave the vault fails here first.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Callable

from sealroom.client.datasets import Asset, Dataset
from sealroom.client.http import VaultHTTP
from sealroom.client.requests import Request
from sealroom.core.errors import InvalidInput
from sealroom.core.results import decode_input, decode_result, encode_result


def function_source(fn: Callable) -> str:
    """The function's own source, dedented, without decorators."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        raise InvalidInput(f"the source of {getattr(fn, '__name__', fn)!r} is not available; define it in a file or notebook cell") from None
    tree = ast.parse(source)
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == fn.__name__), None)
    if node is None:
        raise InvalidInput(f"could not find the definition of {fn.__name__} in its source")
    lines = source.splitlines()
    return "\n".join(lines[node.lineno - 1 : node.end_lineno]) + "\n"


def _asset(value) -> Asset:
    """The asset a dataset input names: a dataset means its primary asset."""
    if isinstance(value, Dataset):
        return value.primary
    if isinstance(value, Asset):
        return value
    raise InvalidInput(f"dataset inputs must be ws.datasets[...] or one of its assets, not {type(value).__name__}")


def submit_source(http: VaultHTTP, source: str, *, function_name: str, inputs: dict, purpose: str) -> Request:
    """Send ``source`` (defining ``function_name``) to run on ``inputs`` (param -> dataset or asset)."""
    refs = {param: _asset(value).ref() for param, value in inputs.items()}
    body = {"kind": "code", "source": source, "function_name": function_name, "inputs": refs, "purpose": purpose}
    return Request(http, http.json("POST", "/api/v1/requests", json=body))


class RemoteFunction:
    """A function bound to dataset inputs; ``test()`` on mocks, ``submit()`` to the vault."""

    def __init__(self, http: VaultHTTP, fn: Callable, inputs: dict) -> None:
        self._http = http
        self.fn = fn
        self.name = fn.__name__
        self.source = function_source(fn)
        self._assets = {param: _asset(value) for param, value in inputs.items()}

    @property
    def inputs(self) -> dict[str, dict]:
        return {param: asset.ref() for param, asset in self._assets.items()}

    def test(self):
        """Run on the mocks here; return what the vault would release for the mocks."""
        mocks = {param: decode_input(asset.kind, asset.mock_ipc) for param, asset in self._assets.items()}
        return decode_result(encode_result(self.fn(**mocks)))

    def submit(self, purpose: str) -> Request:
        """Send the function to the vault; returns the request handle."""
        return submit_source(self._http, self.source, function_name=self.name, inputs=self._assets, purpose=purpose)

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v['dataset']}/{v['asset']}" for k, v in self.inputs.items())
        return f"<RemoteFunction {self.name}({args})>"
