"""``%%remote``: run a notebook cell next to licensed content, as a request to the vault.

::

    %%remote plays=northwind-scripts [stories=northwind-stories:tales] --purpose "research: who speaks most"
    plays.groupby("speaker").size().to_dict()

Contract:

- The cell body becomes the body of a function whose parameters are the named inputs
  (``param=dataset`` or ``param=dataset:asset``; a dataset alone means its primary asset). If the
  body's last statement is an expression, it is what the function returns. The source sent
  is ``ast.unparse`` of that function (``cell_function_source``); nothing from the kernel's
  namespace travels with it.
- The function is named after ``--name`` (default ``remote_result``), so the rights holder
  reviewing it sees a meaningful name.
- Unless ``--no-wait``, the magic waits (at most ``--timeout`` seconds, default 300) until the
  request is released, withheld, rejected or failed, or stops to wait for a rights holder's
  review — it never blocks the kernel on a person; ``<request>.wait()`` does.
- The ``Request`` is always bound as ``<stem>_request``, where ``<stem>`` is ``--name``
  without a trailing ``_result`` (default ``remote_request``). A released value is bound as
  ``--name`` and is the cell's output; otherwise the request (state, decision, public reason)
  is, after one line saying what happened, and ``--name`` is left unbound (an earlier value
  under it is removed at submission, so it never holds a stale result).
- A request shown as the cell's output displays, in a frontend with widgets, as its live status
  widget (``Request._repr_mimebundle_``, ``sealroom.widgets.RequestStatusView``): one that did not
  finish at once (``--no-wait``, or waiting for a review) keeps updating until it is released,
  withheld, rejected or failed. Its HTML and text come with it for frontends without widgets.
- Mistakes (unknown dataset, malformed arguments or purpose, no connection) raise
  ``SealroomError``, which the kernel shows as one line (``kernel.show_sealroom_error``).
"""

from __future__ import annotations

import ast
import keyword
import shlex
import textwrap

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from sealroom.client.connection import RemoteWorkspace
from sealroom.core.errors import ConfigurationError, InvalidInput, NotFound

DEFAULT_NAME = "remote_result"
DEFAULT_TIMEOUT = 300.0


def parse_line(parser, line: str):
    """Parse the magic's line with POSIX quoting (IPython's own splitter keeps the quotes)."""
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        raise InvalidInput(f"cannot read the %%remote line: {exc}") from None
    return parser.parse_args(argv)


def parse_inputs(specs: list[str]) -> dict[str, tuple[str, str | None]]:
    """``["plays=northwind-scripts", "s=stories:tales"]`` -> ``{"plays": ("northwind-scripts", None), ...}``."""
    inputs: dict[str, tuple[str, str | None]] = {}
    for spec in specs:
        param, sep, target = spec.partition("=")
        if not sep or not param.isidentifier() or keyword.iskeyword(param) or not target:
            raise InvalidInput(f"write each input as name=dataset or name=dataset:asset (a Python name), not {spec!r}")
        if param in inputs:
            raise InvalidInput(f"the input {param!r} is named twice")
        dataset, _, asset = target.partition(":")
        inputs[param] = (dataset, asset or None)
    if not inputs:
        raise InvalidInput("name at least one dataset input, e.g. %%remote plays=northwind-scripts --purpose research")
    return inputs


def cell_function_source(body: str, function_name: str, params: list[str]) -> str:
    """The function ``def function_name(*params):`` with the cell as its body, last expression returned."""
    try:
        tree = ast.parse(textwrap.dedent(body))
    except SyntaxError as exc:
        raise InvalidInput(f"the cell is not valid Python: {exc.msg} (line {exc.lineno})") from None
    statements = tree.body
    if not statements:
        raise InvalidInput("the cell is empty: write the code to run on the private data below the %%remote line")
    if isinstance(statements[-1], ast.Expr):
        last = statements[-1]
        statements[-1] = ast.copy_location(ast.Return(value=last.value), last)
    module = ast.parse(f"def {function_name}({', '.join(params)}):\n    pass\n")
    module.body[0].body = statements
    return ast.unparse(module) + "\n"


def request_name(name: str) -> str:
    """Where the request is bound: ``remote_result`` -> ``remote_request``, ``lines`` -> ``lines_request``."""
    return f"{name.removesuffix('_result') or name}_request"


def outcome_line(request, name: str, request_var: str) -> str:
    """One sentence on where the request stands, naming the variables the user can use next."""
    state = request.view["state"]
    reason = request.reason or "no reason recorded"
    if state == "released":
        return f"request {request.id} released; the result is bound to {name} (signed receipt: {request_var}.receipt)"
    if state == "rejected":
        return f"request {request.id} was not run: {reason}"
    if state in ("withheld", "failed"):
        return f"request {request.id} {state}: {reason}"
    if state == "pending_review":
        return f"request {request.id} is pending review by the rights holder: {reason}. {request_var}.wait() waits for their decision"
    if state == "release_review":
        return f"request {request.id} ran; its result is pending the rights holder's release review. {request_var}.wait() waits for it"
    return f"request {request.id} is {state}; {request_var}.wait() waits for it, {request_var}.result() then fetches the result"


@magics_class
class RemoteMagics(Magics):
    """The ``%%remote`` cell magic; uses the ``ws`` found in the user namespace at each call."""

    def __init__(self, shell, *, connection_problem: str | None = None) -> None:
        super().__init__(shell)
        self.connection_problem = connection_problem

    def _workspace(self):
        ws = self.shell.user_ns.get("ws")
        if isinstance(ws, RemoteWorkspace):
            return ws
        why = self.connection_problem or "ws is not a Sealroom workspace"
        raise ConfigurationError(
            f"not connected to a vault ({why}): start the kernel with SEALROOM_URL and SEALROOM_TOKEN set "
            "(your vault's address and your access token), or run ws = sr.connect(url, token)"
        )

    @staticmethod
    def _resolve(ws, dataset: str, asset: str | None):
        try:
            found = ws.datasets[dataset]
        except KeyError as exc:
            raise NotFound(exc.args[0]) from None
        if asset is None:
            return found
        if asset not in found.assets:
            raise NotFound(f"dataset {dataset!r} has no asset {asset!r}; its assets: {', '.join(found.assets)}")
        return found.assets[asset]

    @magic_arguments()
    @argument("inputs", nargs="*", help="function inputs: name=dataset or name=dataset:asset")
    @argument("--purpose", required=True, help='the licensed purpose, optionally explained: "research: who speaks most"')
    @argument("--name", default=DEFAULT_NAME, help=f"variable for the released value (default {DEFAULT_NAME}); the request goes to <name>_request")
    @argument("--no-wait", action="store_true", help="submit and return at once; the request is bound, nothing waits")
    @argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help=f"seconds to wait for the request (default {DEFAULT_TIMEOUT:g})")
    @cell_magic
    def remote(self, line: str, cell: str):
        """Run the cell body as a function next to the private datasets named on the line."""
        args = parse_line(self.remote.parser, line)
        if not args.name.isidentifier() or keyword.iskeyword(args.name):
            raise InvalidInput(f"--name must be a Python name, not {args.name!r}")
        inputs = parse_inputs(args.inputs)
        source = cell_function_source(cell, args.name, list(inputs))
        ws = self._workspace()
        resolved = {param: self._resolve(ws, dataset, asset) for param, (dataset, asset) in inputs.items()}
        request = ws.submit_source(source, function_name=args.name, inputs=resolved, purpose=args.purpose)
        request_var = request_name(args.name)
        self.shell.push({request_var: request})
        self.shell.user_ns.pop(args.name, None)  # never leave an earlier run's value under this name
        if args.no_wait:
            print(f"request {request.id} submitted ({request.view['state']}); bound to {request_var}")
            return request
        request.wait(args.timeout, through_review=False)
        if request.view["state"] == "released":
            value = request.result()
            self.shell.push({args.name: value})
            print(outcome_line(request, args.name, request_var))
            return value
        print(outcome_line(request, args.name, request_var))
        return request
