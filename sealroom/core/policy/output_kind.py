"""What kind of value the entry-point function of submitted code seems to return, read from its syntax tree.

``output_kind(tree, function_name, inputs)`` gives ``(kind, source)`` for the last top-level
function named ``function_name``: kind is one of ``OUTPUT_KINDS``, source is "annotation",
"returns" or "none". It never runs the code and never raises.

Kinds rank by sensitivity: model > image > text > table > unknown > aggregate. A return
annotation recognised here decides the kind (it is the author's declaration; the release gate
still checks the real result). Otherwise every ``return``/``yield`` value of the function's own
body is followed back through assignments and calls to the inputs, whose kinds come from the
``InputHint`` of each parameter, and the most sensitive kind wins. No entry function, or one
that returns nothing, gives ("unknown", "none"); expressions nested or followed too far give
"unknown".
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from sealroom.core.policy.code_findings import dotted_name, import_aliases, parse

OUTPUT_KINDS = ("aggregate", "table", "text", "image", "model", "unknown")


@dataclass(frozen=True)
class InputHint:
    """What an entry-point parameter receives: a DataFrame, a ``list[str]`` or a list of HxWx3 uint8 arrays."""

    kind: str  # "table" | "texts" | "images"
    text_columns: tuple[str, ...] = ()  # table columns holding licensed text


_SENSITIVITY = ("aggregate", "unknown", "table", "text", "image", "model")  # least to most sensitive
_HINT_KINDS = {"table": "table", "texts": "text", "images": "image"}
_ANNOTATION_KINDS = {
    name: kind
    for kind, names in {
        "aggregate": "int float bool complex dict Counter collections.Counter typing.Counter Series pd.Series pandas.Series Aggregate",
        "table": "DataFrame pd.DataFrame pandas.DataFrame Table pa.Table pyarrow.Table ndarray np.ndarray numpy.ndarray",
        "text": "str",
        "image": "Image Image.Image PIL.Image.Image",
        "model": "bytes Module nn.Module torch.nn.Module Model StateDict",
    }.items()
    for name in names.split()
}
_CONVENTIONAL_ALIASES = {"np": "numpy", "pd": "pandas", "pa": "pyarrow", "nn": "torch.nn"}
_AGGREGATE_CALLS = frozenset(
    "len sum min max round abs float int bool any all pandas.crosstab pandas.pivot_table".split()
    + [f"numpy.{f}" for f in "mean median std var sum min max percentile quantile histogram corrcoef count_nonzero bincount".split()]
)
_TRANSPARENT_CALLS = frozenset(
    "list tuple set frozenset sorted reversed enumerate zip dict iter next map filter Counter collections.Counter "
    "pandas.DataFrame pandas.Series pandas.concat numpy.array numpy.asarray numpy.stack numpy.concatenate".split()
)
_AGGREGATIONS = frozenset(
    "mean sum count size median std var nunique value_counts describe quantile corr cov agg aggregate max min idxmax "
    "idxmin crosstab pivot_table histogram shape dtypes ndim memory_usage sem skew kurt prod all any".split()
)
_VALUE_PRESERVING_AGGREGATIONS = frozenset("sum max min value_counts describe agg aggregate".split())  # can return the texts
_KEYING_METHODS = frozenset("groupby set_index pivot pivot_table".split())  # a text column here makes texts the keys
_TEXT_TO_NUMBER = frozenset("len contains startswith endswith match isna notna isnull notnull".split())
_IMAGE_METHODS = frozenset("crop resize convert rotate".split())
_MODEL_METHODS = frozenset("state_dict parameters named_parameters".split())
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_MAX_HOPS = 5  # name -> assignment resolutions per expression
_MAX_DEPTH = 40  # expression nesting followed before answering "unknown"


def _most_sensitive(kinds: Iterable[str]) -> str:
    """The most sensitive kind; an empty collection is an aggregate (``[]``, ``{}``)."""
    return max(kinds, key=_SENSITIVITY.index, default="aggregate")


def output_kind(tree: ast.Module, function_name: str, inputs: Mapping[str, InputHint]) -> tuple[str, str]:
    """(kind, source) of the entry function: its return annotation when known, else its returns."""
    entries = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function_name]
    if not entries:
        return "unknown", "none"
    function = entries[-1]
    kind = _annotation_kind(function.returns)
    if kind is not None:
        return kind, "annotation"
    outputs = [n for n in _own_nodes(function) if isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom))]
    if all(n.value is None for n in outputs):
        return "unknown", "none"
    inference = _ReturnKinds(function, inputs, import_aliases(tree))
    kinds = [inference.kind(n.value, _At(_position(n))) if n.value is not None else "aggregate" for n in outputs]
    return _most_sensitive(kinds), "returns"


def _annotation_kind(node: ast.AST | None, nested: bool = False) -> str | None:
    """The kind a return annotation declares, or None when it says nothing we know."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and not nested:
        parsed = parse(node.value, "eval")
        return _annotation_kind(parsed.body, nested=True) if parsed else None
    if isinstance(node, ast.Subscript):
        arguments = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        inner = [dotted_name(a.value if isinstance(a, ast.Subscript) else a) for a in arguments] or [None]
        base = dotted_name(node.value)
        if base in ("list", "List", "typing.List"):
            return {"dict": "table", "Dict": "table", "str": "text"}.get(inner[0])
        if base in ("dict", "Dict", "typing.Dict") and inner[-1] in ("Tensor", "torch.Tensor"):
            return "model"
        node = node.value
    return _ANNOTATION_KINDS.get(dotted_name(node) or "") if node is not None else None


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a function body, not descending into nested functions, lambdas or classes."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _target_names(target: ast.AST) -> list[str]:
    """Names bound by an assignment or loop target (``a``, ``a, (b, *c)``)."""
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


@dataclass(frozen=True)
class _At:
    """Where an expression is evaluated: its position, name hops and depth so far, comprehension bindings."""

    position: tuple[int, int]
    hops: int = 0
    depth: int = 0
    bound: Mapping[str, str] = field(default_factory=dict)

    def deeper(self) -> _At:
        return replace(self, depth=self.depth + 1)

    def hop(self, position: tuple[int, int]) -> _At:
        return _At(position, self.hops + 1, self.depth + 1)

    def binding(self, names: list[str], kind: str) -> _At:
        return replace(self, depth=self.depth + 1, bound={**self.bound, **dict.fromkeys(names, kind)})


class _ReturnKinds:
    """The kind of value an expression in one function evaluates to, from the kinds of its inputs.

    A name is the value of its latest simple assignment before the point of use (or its input
    hint), made more sensitive by anything added to it later (``out.append(x)``, ``out[k] = x``).
    """

    def __init__(self, function: ast.FunctionDef | ast.AsyncFunctionDef, inputs: Mapping[str, InputHint], aliases: Mapping[str, str]):
        arguments = function.args
        parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        self.parameters = {p.arg: _HINT_KINDS.get(inputs[p.arg].kind, "unknown") if p.arg in inputs else "unknown" for p in parameters if p}
        self.text_columns = frozenset(c for hint in inputs.values() for c in hint.text_columns)
        self.aliases = aliases
        self.assignments: dict[str, list[tuple[tuple[int, int], ast.AST]]] = {}
        self.additions: dict[str, list[tuple[tuple[int, int], ast.AST]]] = {}
        self.resolved: dict[tuple[str, tuple[int, int], int, int], str] = {}
        self.resolving: set[tuple[str, tuple[int, int]]] = set()
        for node in _own_nodes(function):
            self._record(node)
        self.local_names = set(self.parameters) | set(self.assignments) | set(self.additions)

    def _record(self, node: ast.AST) -> None:
        where = _position(node) if hasattr(node, "lineno") else (0, 0)
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            for target in getattr(node, "targets", None) or [node.target]:
                self._assign(target, node.value, where)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            self._assign(node.target, ast.BinOp(ast.Name(node.target.id, ast.Load()), node.op, node.value), where)
        elif isinstance(node, ast.For | ast.AsyncFor):
            for name in _target_names(node.target):
                self.assignments.setdefault(name, []).append((where, node.iter))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            if node.func.attr in ("append", "extend", "add", "update", "insert", "appendleft", "setdefault"):
                self.additions.setdefault(node.func.value.id, []).extend((where, a) for a in node.args)

    def _assign(self, target: ast.AST, value: ast.AST, where: tuple[int, int]) -> None:
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self.additions.setdefault(target.value.id, []).extend([(where, value), (where, target.slice)])
        elif not isinstance(target, ast.Attribute | ast.Subscript):
            for name in _target_names(target):
                self.assignments.setdefault(name, []).append((where, value))

    def kind(self, node: ast.AST, at: _At) -> str:
        """The kind of ``node``; "unknown" for anything not recognised or followed too far."""
        if at.depth > _MAX_DEPTH or at.hops > _MAX_HOPS:
            return "unknown"
        if isinstance(node, ast.Constant):
            return "text" if isinstance(node.value, str | bytes) else "aggregate"
        if isinstance(node, ast.JoinedStr):
            return "text"
        if isinstance(node, ast.Name):
            return self._name_kind(node.id, at)
        if isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
            return self._chain_kind(node, at)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return self._comprehension_kind(node, at)
        parts = _parts(node)
        return "unknown" if parts is None else self._all_kind(parts, at)

    def _all_kind(self, nodes: Iterable[ast.AST | None], at: _At) -> str:
        return _most_sensitive(self.kind(n, at.deeper()) for n in nodes if n is not None)

    def _name_kind(self, name: str, at: _At) -> str:
        """Memoised, so ``b = (b, b, b)`` repeated stays linear, not exponential.

        A name met again while it is being resolved (``d[k] = d.get(k, 0) + 1``) adds nothing new.
        """
        if name in at.bound:
            return at.bound[name]
        key = (name, at.position, at.hops, at.depth)  # a result cut short at some depth holds only there
        if key[:2] in self.resolving:
            return "aggregate"
        if key not in self.resolved:
            self.resolving.add(key[:2])
            self.resolved[key] = self._resolve(name, at)
            self.resolving.discard(key[:2])
        return self.resolved[key]

    def _resolve(self, name: str, at: _At) -> str:
        earlier = [(where, value) for where, value in self.assignments.get(name, ()) if where < at.position]
        if earlier:
            where, value = max(earlier, key=lambda assignment: assignment[0])
            latest = self.kind(value, at.hop(where))
        else:
            latest = self.parameters.get(name, "unknown")
        return _most_sensitive([latest, *(self.kind(v, at.hop(w)) for w, v in self.additions.get(name, ()))])

    def _comprehension_kind(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, at: _At) -> str:
        for generator in node.generators:
            at = at.binding(_target_names(generator.target), self.kind(generator.iter, at.deeper()))
        elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        return self._all_kind(elements, at)

    def _chain_kind(self, node: ast.AST, at: _At) -> str:
        """A receiver chain (``plays["text"].str.len().mean()``), walked from its root outwards."""
        root, steps = self._unwind(node, at)
        kind = self._root_kind(root, at)
        text_values = text_keys = False
        for name, step in steps:
            if name in _AGGREGATIONS:
                keeps_text = text_keys or (text_values and name in _VALUE_PRESERVING_AGGREGATIONS)
                return "text" if keeps_text else "aggregate"
            if name == "join" and kind != "table":
                kind = _most_sensitive([kind, "text"])
            elif name in _IMAGE_METHODS | _MODEL_METHODS:
                kind = _most_sensitive([kind, "image" if name in _IMAGE_METHODS else "model"])
            elif name in _TEXT_TO_NUMBER:
                text_values = False
            elif kind == "table" and self._selects_text_column(name, step):
                text_keys, text_values = (True, text_values) if name in _KEYING_METHODS else (text_keys, True)
        return _most_sensitive([kind, "text"]) if text_values else kind

    def _unwind(self, node: ast.AST, at: _At) -> tuple[ast.AST, list[tuple[str, ast.AST]]]:
        """The chain's root and its steps (method, attribute or "[]"), root first."""
        steps = []
        while True:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not self._is_module_path(node.func, at):
                steps.append((node.func.attr, node))
                node = node.func.value
            elif isinstance(node, ast.Attribute) and not self._is_module_path(node, at):
                steps.append((node.attr, node))
                node = node.value
            elif isinstance(node, ast.Subscript):
                steps.append(("[]", node))
                node = node.value
            else:
                return node, steps[::-1]

    def _is_module_path(self, node: ast.Attribute, at: _At) -> bool:
        """``np.mean`` or ``torch.nn.Linear``: a dotted name whose root is not a local variable."""
        dotted = dotted_name(node)
        root = dotted.split(".")[0] if dotted else None
        return root is not None and root not in self.local_names and root not in at.bound

    def _root_kind(self, root: ast.AST, at: _At) -> str:
        if isinstance(root, ast.Call):
            return self._call_kind(root, at)
        if isinstance(root, ast.Attribute):  # a module constant such as math.pi
            return "unknown"
        return self.kind(root, at.deeper())

    def _call_kind(self, call: ast.Call, at: _At) -> str:
        """A call of a function (not a method): aggregating builtins and numpy, constructors, wrappers."""
        name = self._qualified(call.func)
        parent, _, short = (name or "").rpartition(".")
        if name in _AGGREGATE_CALLS:
            return "aggregate"
        if name in ("str", "repr"):
            return "text"
        if parent in ("PIL.Image", "Image") and short in ("fromarray", "frombytes", "new"):
            return "image"
        if (name or "").startswith("torch.nn."):
            return "model"
        if name in _TRANSPARENT_CALLS:
            return self._all_kind([*call.args, *(k.value for k in call.keywords)], at)
        return "unknown"

    def _qualified(self, func: ast.AST) -> str | None:
        dotted = dotted_name(func)
        if dotted is None:
            return None
        root, _, rest = dotted.partition(".")
        root = self.aliases.get(root) or _CONVENTIONAL_ALIASES.get(root, root)
        return f"{root}.{rest}" if rest else root

    def _selects_text_column(self, name: str, step: ast.AST) -> bool:
        """Whether a step on a table picks a licensed-text column: ``["text"]``, ``.text``, ``groupby("text")``."""
        if isinstance(step, ast.Attribute):
            return name in self.text_columns
        if isinstance(step, ast.Call) and name == "drop":
            return False
        items = [step.slice] if isinstance(step, ast.Subscript) else [*step.args, *(k.value for k in step.keywords)]
        return bool(self.text_columns & set(_literal_strings(items)))


def _literal_strings(items: list[ast.AST]) -> Iterator[str]:
    """String literals among ``items``, looking inside list and tuple literals (``[:, ["a", "b"]]``)."""
    while items:
        item = items.pop()
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            yield item.value
        elif isinstance(item, ast.List | ast.Tuple):
            items.extend(item.elts)


_OPERANDS = {  # node type -> fields whose kinds combine (most sensitive wins)
    ast.List: ("elts",), ast.Tuple: ("elts",), ast.Set: ("elts",), ast.BoolOp: ("values",),
    ast.BinOp: ("left", "right"), ast.Compare: ("left", "comparators"), ast.IfExp: ("body", "orelse"),
    ast.UnaryOp: ("operand",), ast.Starred: ("value",), ast.Await: ("value",), ast.NamedExpr: ("value",),
}


def _parts(node: ast.AST) -> list[ast.AST | None] | None:
    """The operands of a literal or an operator (a dict's keys only when computed); None if not one."""
    if isinstance(node, ast.Dict):
        return [*node.values, *(k for k in node.keys if not isinstance(k, ast.Constant))]
    if type(node) not in _OPERANDS:
        return None
    values = [getattr(node, f) for f in _OPERANDS[type(node)]]
    return [n for v in values for n in (v if isinstance(v, list) else [v])]
