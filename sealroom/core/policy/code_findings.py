"""Reading submitted code without running it: parsing, what it imports, and which risky capabilities it uses.

``parse(source, mode)`` gives the syntax tree or None, and never raises or warns. ``scan(tree)``
returns every ``CallFinding`` in the whole tree (files, processes, network, introspection,
dynamic code), unsorted and deduplicated; ``imported_modules`` and ``import_aliases`` say what
the code imports and under which local names. A dotted reference counts once, as its longest
form, and names the code binds itself (``def f(input)``) are not mistaken for builtins.

The scan deliberately leans towards over-reporting; it is a routing aid for policies, not the
security boundary (see ``code_profile``). This module is the bottom of the profile: it imports
nothing else from the package.
"""

from __future__ import annotations

import ast
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

FLAG_CATEGORIES = ("io", "process", "network", "introspection", "dynamic-code")


@dataclass(frozen=True)
class CallFinding:
    category: str  # one of FLAG_CATEGORIES
    name: str  # what was used: "open", "os.system", "__subclasses__", "getattr(computed)"
    line: int  # 1-based line in the submitted source


# Python 3.11's parser itself warns about some valid code: a DeprecationWarning for an invalid
# escape ("\d") and a SyntaxWarning for a number touching a keyword ("1if"); 3.12 makes the
# escape a SyntaxWarning. Where warnings are errors (as under pytest here) the parser turns them
# into a SyntaxError, so the filter decides whether the code parses at all. No thread-safe way
# to silence them exists before 3.14's context-aware warnings: the filter list is process-global,
# and catch_warnings swaps it and puts back what it saw on entry. Two threads interleaving that
# would leave "ignore everything" installed for good, so parses take turns under this lock. It
# costs nothing, as ast.parse holds the GIL throughout; threads outside this module that change
# filters at the same moment can still see ours briefly.
_PARSE_LOCK = threading.Lock()


def parse(source: str, mode: str) -> ast.AST | None:
    """The syntax tree, or None for anything Python refuses (syntax, null bytes, nesting)."""
    try:
        with _PARSE_LOCK, warnings.catch_warnings():  # no SyntaxWarnings about user code in our logs
            warnings.simplefilter("ignore")
            return ast.parse(source, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a pure chain of attributes on a name, else None (iterative: chains can be long)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


# --- imports ------------------------------------------------------------------------------------


def imported_modules(tree: ast.AST) -> tuple[str, ...]:
    """Sorted unique top-level modules imported anywhere ("." for a relative import)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." if node.level else (node.module or "").split(".")[0])
    return tuple(sorted(names))


def import_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> qualified name for every absolute import (``import os as o`` gives o -> os)."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:  # "import a.b" binds a; "import a.b as c" binds c to a.b
                top = alias.name.split(".")[0]
                aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            aliases.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names if a.name != "*"})
    return aliases


# --- findings -----------------------------------------------------------------------------------

_BUILTIN_RULES = {
    **dict.fromkeys(("open", "input"), "io"),
    **dict.fromkeys(("globals", "locals", "vars", "dir"), "introspection"),
    **dict.fromkeys(("eval", "exec", "compile", "__import__"), "dynamic-code"),
}
_ATTRIBUTE_GETTERS = ("getattr", "setattr", "delattr", "hasattr")
# A pattern matches a qualified name equal to it or below it; a trailing "*" matches any suffix.
_QUALIFIED_RULES = {
    "io": (
        "io", "pathlib", "shutil", "tempfile", "glob", "numpy.load*", "numpy.save*", "numpy.fromfile",
        "torch.load", "torch.save", "os.getenv", "os.putenv", "os.environ",
        *(f"os.{f}" for f in "open listdir remove walk scandir makedirs mkdir rename unlink rmdir stat chdir".split()),
    ),
    "process": (
        "os.system", "os.popen", "os.fork", "os.exec*", "os.spawn*", "os.kill",
        "subprocess", "multiprocessing", "pty", "signal", "threading", "ctypes", "cffi",
    ),
    "network": (
        "socket", "urllib", "http", "requests", "httpx", "ftplib", "smtplib", "ssl", "aiohttp", "websocket",
        "websockets", "asyncio.open_connection", "asyncio.start_server",
    ),
    "introspection": ("sys._getframe", "sys.modules", "inspect", "gc", "ctypes"),
    "dynamic-code": ("importlib", "marshal", "pickle", "dill", "types.CodeType", "types.FunctionType", "code", "runpy"),
}
_IMPORT_ONLY_RULES = {"sys": "introspection", "types": "dynamic-code"}  # importing any module above is a finding too
_IO_METHODS = frozenset(
    [f"read_{f}" for f in "csv parquet json pickle excel sql table feather html".split()]
    + [f"to_{f}" for f in "csv parquet json pickle excel sql feather html".split()]
    + ["tofile"]
)
_INTROSPECTION_ATTRIBUTES = frozenset(
    "__subclasses__ __globals__ __builtins__ __dict__ __class__ __bases__ __base__ __mro__ __code__ __closure__ "
    "__func__ __self__ __getattribute__ __reduce__ __reduce_ex__ __loader__ __spec__ __traceback__ "
    "f_globals f_locals f_back gi_frame tb_frame".split()
)


def scan(tree: ast.AST) -> set[CallFinding]:
    """Every finding in the whole source; a dotted reference counts once, as its longest form."""
    aliases = import_aliases(tree)
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    shadowed = _parameter_and_definition_names(tree)
    findings: set[CallFinding] = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            findings.update(_import_findings(node))
        if isinstance(node, ast.Attribute) and node.attr in _INTROSPECTION_ATTRIBUTES:
            findings.add(CallFinding("introspection", node.attr, line))
        if isinstance(node, ast.Name) and node.id == "__builtins__":
            findings.add(CallFinding("introspection", "__builtins__", line))
        if isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in inner:
            findings.update(CallFinding(c, name, line) for c, name in _reference_rules(node, aliases, shadowed))
        if isinstance(node, ast.Call):
            findings.update(_call_findings(node, shadowed))
    return findings


def _parameter_and_definition_names(tree: ast.AST) -> set[str]:
    """Names the code binds itself, so ``def f(input)`` is not mistaken for the builtin."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _import_findings(node: ast.Import | ast.ImportFrom) -> Iterator[CallFinding]:
    """``import subprocess``, ``import sys``, ``from os import system``: the module or name, at the import."""
    if isinstance(node, ast.Import):
        modules = [alias.name for alias in node.names]
    else:
        modules = [] if node.level else [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
    for module in modules:
        categories = _qualified_categories(module) + [_IMPORT_ONLY_RULES.get(module.split(".")[0])]
        yield from (CallFinding(c, module, node.lineno) for c in categories if c)


def _reference_rules(node: ast.Name | ast.Attribute, aliases: Mapping[str, str], shadowed: set[str]) -> Iterator[tuple[str, str]]:
    """(category, name) for a dotted reference rooted at an import, or for a risky builtin."""
    dotted = dotted_name(node)
    if dotted is None:
        return
    root, _, rest = dotted.partition(".")
    if root in aliases:
        qualified = aliases[root] + (f".{rest}" if rest else "")
        yield from ((c, qualified) for c in _qualified_categories(qualified))
    elif not rest and root not in shadowed and isinstance(node.ctx, ast.Load) and root in _BUILTIN_RULES:
        yield _BUILTIN_RULES[root], root


def _qualified_categories(qualified: str) -> list[str]:
    if qualified.startswith("builtins.") and qualified[9:] in _BUILTIN_RULES:
        return [_BUILTIN_RULES[qualified[9:]]]
    return [c for c, patterns in _QUALIFIED_RULES.items() if any(_matches(qualified, p) for p in patterns)]


def _matches(qualified: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return qualified.startswith(pattern[:-1])
    return qualified == pattern or qualified.startswith(pattern + ".")


def _call_findings(call: ast.Call, shadowed: set[str]) -> Iterator[CallFinding]:
    """Pandas/numpy readers and writers on any receiver; getattr & co. with a computed or dunder name."""
    if isinstance(call.func, ast.Attribute) and call.func.attr in _IO_METHODS:
        yield CallFinding("io", call.func.attr, call.lineno)
    if isinstance(call.func, ast.Name) and call.func.id in _ATTRIBUTE_GETTERS and call.func.id not in shadowed:
        attribute = call.args[1] if len(call.args) > 1 else None
        if not (isinstance(attribute, ast.Constant) and isinstance(attribute.value, str)):
            yield CallFinding("introspection", f"{call.func.id}(computed)", call.lineno)
        elif attribute.value in _INTROSPECTION_ATTRIBUTES or _is_dunder(attribute.value):
            yield CallFinding("introspection", attribute.value, call.lineno)


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")
