"""The static code profile: imports, findings per category, the output kind, and never raising."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.core.policy.code_profile import (
    ALLOWED_IMPORTS,
    FLAG_CATEGORIES,
    OUTPUT_KINDS,
    CallFinding,
    CodeProfile,
    InputHint,
    profile_code,
)

PLAYS = {"plays": InputHint("table", text_columns=("text",))}
TEXTS = {"texts": InputHint("texts")}
IMAGES = {"images": InputHint("images")}


def profile(source: str, inputs=None, name: str = "run") -> CodeProfile:
    return profile_code(textwrap.dedent(source), name, inputs)


def names(p: CodeProfile, category: str) -> set[str]:
    return {f.name for f in p.findings if f.category == category}


# --- findings -----------------------------------------------------------------------------------

FLAGGED = [
    ("io", "def run(p):\n    return open('/etc/passwd').read()", "open"),
    ("io", "from pathlib import Path as P\nx = P('/tmp').read_text()", "pathlib.Path"),
    ("io", "import os as o\nfiles = o.listdir('.')", "os.listdir"),
    ("io", "import os\nsecret = os.environ['TOKEN']", "os.environ"),
    ("io", "def run(plays):\n    plays.to_csv('/tmp/out.csv')", "to_csv"),
    ("io", "import numpy as np\nnp.save('x.npy', [1])", "numpy.save"),
    ("io", "import pandas\ndf = pandas.read_parquet('other.parquet')", "read_parquet"),
    ("process", "import os\nos.system('id')", "os.system"),
    ("process", "from os import system as s\ns('id')", "os.system"),
    ("process", "import os\nos.execv('/bin/sh', [])", "os.execv"),
    ("process", "import subprocess as sp\nsp.run(['id'])", "subprocess.run"),
    ("process", "from subprocess import check_output", "subprocess"),
    ("process", "import threading\nthreading.Thread(target=print).start()", "threading.Thread"),
    ("network", "import socket", "socket"),
    ("network", "import urllib.request as r\nr.urlopen('http://x')", "urllib.request.urlopen"),
    ("network", "from requests import get as fetch\nfetch('http://x')", "requests.get"),
    ("network", "import asyncio\nasyncio.open_connection('x', 80)", "asyncio.open_connection"),
    ("introspection", "x = ().__class__.__bases__[0].__subclasses__()", "__subclasses__"),
    ("introspection", "x = ().__class__.__bases__[0].__subclasses__()", "__class__"),
    ("introspection", "def run(o, name):\n    return getattr(o, name)", "getattr(computed)"),
    ("introspection", "def run(o):\n    return getattr(o, '__globals__')", "__globals__"),
    ("introspection", "def run(o):\n    setattr(o, 'a' + 'b', 1)", "setattr(computed)"),
    ("introspection", "b = __builtins__", "__builtins__"),
    ("introspection", "g = globals()", "globals"),
    ("introspection", "import sys as s\nf = s._getframe(1).f_back", "sys._getframe"),
    ("introspection", "import sys as s\nf = s._getframe(1).f_back", "f_back"),
    ("introspection", "import inspect", "inspect"),
    ("dynamic-code", "x = eval('1')", "eval"),
    ("dynamic-code", "run_it = exec\nrun_it('x = 1')", "exec"),
    ("dynamic-code", "m = __import__('os')", "__import__"),
    ("dynamic-code", "import importlib as il\nm = il.import_module('os')", "importlib.import_module"),
    ("dynamic-code", "from pickle import loads", "pickle"),
    ("dynamic-code", "import builtins\nbuiltins.eval('1')", "builtins.eval"),
    ("dynamic-code", "import types\nf = types.FunctionType", "types.FunctionType"),
]


@pytest.mark.parametrize(("category", "source", "name"), FLAGGED)
def test_each_spelling_is_a_finding_of_its_category(category, source, name):
    p = profile(source)
    assert category in p.flags
    assert name in names(p, category), p.findings


@pytest.mark.parametrize(
    "source",
    [
        "def run(o):\n    return getattr(o, 'mean')()",
        "def run(input, dir):\n    return input + dir",  # parameters shadow the builtins
        "def run(plays):\n    print(len(plays))\n    return len(plays)",
        "import os.path\nx = os.path.join('a', 'b')",
        "def run(code):\n    return code.strip()",  # a variable named like a module
    ],
)
def test_harmless_code_has_no_findings(source):
    assert profile(source).findings == ()


def test_findings_carry_lines_and_are_sorted_and_deduplicated():
    p = profile("import os\n\nos.system('a'); os.system('b')\nx = eval('1')\n")
    assert p.findings == (CallFinding("process", "os.system", 3), CallFinding("dynamic-code", "eval", 4))
    assert p.flags == ("dynamic-code", "process")
    assert set(p.flags) <= set(FLAG_CATEGORIES)


# --- imports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "imports", "unlisted"),
    [
        ("import sklearn.linear_model", ("sklearn",), ()),
        ("import requests", ("requests",), ("requests",)),
        ("from collections.abc import Mapping\nimport numpy as np, pandas as pd", ("collections", "numpy", "pandas"), ()),
        ("from . import helpers\nfrom .x import y", (".",), (".",)),
        ("def run():\n    import os\n    return 1", ("os",), ("os",)),
    ],
)
def test_imports_are_top_level_module_names(source, imports, unlisted):
    p = profile(source)
    assert (p.imports, p.unlisted_imports) == (imports, unlisted)


def test_requests_is_unlisted_and_a_network_flag():
    assert profile("import requests").flags == ("network",)


def test_allowed_imports_cover_the_data_science_stack():
    assert {"numpy", "pandas", "PIL", "torch", "sklearn", "re"} <= ALLOWED_IMPORTS
    assert not {"os", "sys", "subprocess", "socket", "pickle"} & ALLOWED_IMPORTS


# --- output kind --------------------------------------------------------------------------------

CLEAN_GROUPBY = """
import pandas as pd

def run(plays: pd.DataFrame):
    counts = plays.groupby("character")["line_id"].count()
    return counts.sort_values(ascending=False).to_dict()
"""


def test_a_clean_groupby_count_is_an_aggregate_with_no_flags():
    p = profile(CLEAN_GROUPBY, PLAYS)
    assert (p.output_kind, p.output_source) == ("aggregate", "returns")
    assert (p.flags, p.unlisted_imports, p.parses) == ((), (), True)


OUTPUTS = [
    ("def run(plays):\n    return plays", PLAYS, "table"),
    ("def run(plays):\n    return plays['text'].iloc[0]", PLAYS, "text"),
    ("def run(plays):\n    return plays.text.head()", PLAYS, "text"),
    ("def run(plays):\n    return plays.loc[:, ['character', 'text']]", PLAYS, "text"),
    ("def run(plays):\n    return plays.groupby('character').size().to_dict()", PLAYS, "aggregate"),
    ("def run(plays):\n    return {'n': len(plays), 'first': plays['text'][0]}", PLAYS, "text"),
    ("def run(plays):\n    counts = plays['character'].value_counts()\n    return counts.head(5).to_dict()", PLAYS, "aggregate"),
    ("def run(plays):\n    return plays['text'].str.len().mean()", PLAYS, "aggregate"),
    ("def run(plays):\n    return plays['text'].value_counts()", PLAYS, "text"),  # texts become the keys
    ("def run(plays):\n    return plays.groupby('text').size()", PLAYS, "text"),
    ("def run(plays):\n    return plays.shape", PLAYS, "aggregate"),
    ("def run(plays):\n    return plays['text'].max()", PLAYS, "text"),  # the longest line, verbatim
    ("def run(plays):\n    return plays['text'].str.len().max()", PLAYS, "aggregate"),
    ("def run(plays):\n    return plays.groupby('character')['text'].agg(' '.join)", PLAYS, "text"),
    ("def run(plays):\n    return plays.drop(columns='text').join(plays)", PLAYS, "table"),
    ("def run(plays):\n    df = plays[plays.act == 1]\n    return df['text'].tolist()", PLAYS, "text"),
    ("import pandas as pd\ndef run(plays):\n    return pd.crosstab(plays.a, plays.b)", PLAYS, "aggregate"),
    ("def run(plays):\n    return [row['text'] for _, row in plays.iterrows()]", PLAYS, "text"),
    ("def run(texts):\n    return texts[:3]", TEXTS, "text"),
    ("def run(texts):\n    return sum(len(t) for t in texts) / len(texts)", TEXTS, "aggregate"),
    ("def run(texts):\n    return ' '.join(texts)", TEXTS, "text"),
    ("def run(texts):\n    return {t: 1 for t in texts}", TEXTS, "text"),
    ("def run(texts):\n    out = []\n    for t in texts:\n        out.append(t.upper())\n    return out", TEXTS, "text"),
    ("def run(texts):\n    d = {}\n    for t in texts:\n        d[t] = d.get(t, 0) + 1\n    return d", TEXTS, "text"),
    ("def run(texts):\n    d = {}\n    for t in texts:\n        d[len(t)] = d.get(len(t), 0) + 1\n    return d", TEXTS, "aggregate"),
    ("def run(texts):\n    total = 0\n    for t in texts:\n        total += len(t)\n    return total", TEXTS, "aggregate"),
    ("def run(texts):\n    return f'{len(texts)} lines'", TEXTS, "text"),
    ("def run(images):\n    return images[0]", IMAGES, "image"),
    ("def run(images):\n    return images[0].mean()", IMAGES, "aggregate"),
    ("from PIL import Image\ndef run(images):\n    return Image.fromarray(images[0]).resize((8, 8))", IMAGES, "image"),
    ("import numpy as np\ndef run(images):\n    return np.mean([im.mean() for im in images])", IMAGES, "aggregate"),
    ("from torch import nn\ndef run(texts):\n    model = nn.Linear(3, 1)\n    return model.state_dict()", TEXTS, "model"),
    ("def run(texts):\n    if not texts:\n        return 0\n    return texts[0]", TEXTS, "text"),
    ("def run(texts):\n    return []", TEXTS, "aggregate"),
    ("def run(texts):\n    yield texts[0]", TEXTS, "text"),
    ("def run(texts):\n    x = texts[0]\n    x = len(x)\n    return x", TEXTS, "aggregate"),
    ("def run(x):\n    return x", None, "unknown"),
    ("def run(texts):\n    def helper():\n        return texts[0]\n    return len(texts)", TEXTS, "aggregate"),
]


@pytest.mark.parametrize(("source", "inputs", "kind"), OUTPUTS)
def test_output_kind_is_inferred_from_the_returns(source, inputs, kind):
    p = profile(source, inputs)
    assert (p.output_kind, p.output_source) == (kind, "returns")
    assert p.output_kind in OUTPUT_KINDS


@pytest.mark.parametrize(
    ("annotation", "kind"),
    [
        ("pd.DataFrame", "table"),
        ("int", "aggregate"),
        ("'DataFrame'", "table"),
        ("dict[str, float]", "aggregate"),
        ("list[dict]", "table"),
        ("list[str]", "text"),
        ("PIL.Image.Image", "image"),
        ("torch.nn.Module", "model"),
        ("dict[str, torch.Tensor]", "model"),
    ],
)
def test_a_known_return_annotation_decides_the_kind(annotation, kind):
    p = profile(f"def run(plays) -> {annotation}:\n    return plays['text'][0]", PLAYS)
    assert (p.output_kind, p.output_source) == (kind, "annotation")


def test_an_unknown_annotation_falls_through_to_the_returns():
    p = profile("def run(plays) -> 'Whatever[int]':\n    return plays", PLAYS)
    assert (p.output_kind, p.output_source) == ("table", "returns")


@pytest.mark.parametrize(
    "source",
    ["def other(plays):\n    return plays", "x = 1", "def run(plays):\n    print(plays)", "class run:\n    pass"],
)
def test_a_missing_entry_function_or_no_return_value_is_unknown(source):
    p = profile(source, PLAYS)
    assert (p.output_kind, p.output_source) == ("unknown", "none")


# --- robustness ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["def run(:\n", "\x00", "(" * 500 + ")" * 500, "def f(\n", "\ufeff)"])
def test_unparsable_source_is_a_profile_not_an_exception(source):
    p = profile_code(source, "run")
    assert (p.parses, p.output_kind, p.output_source, p.flags, p.findings) == (False, "unknown", "none", (), ())


def test_source_that_python_warns_about_still_parses():
    p = profile_code("import re\ndef run(texts):\n    return len(re.findall('\\d', texts[0]))\n", "run", TEXTS)
    assert (p.parses, p.output_kind) == (True, "aggregate")


def test_deep_expressions_and_long_chains_do_not_raise():
    chain = "def run(plays):\n    return plays" + ".x" * 2000 + ".mean()\n"
    sums = "def run(texts):\n    return " + " + ".join(["len(texts)"] * 2000) + "\n"
    fanout = "def run(texts):\n    b = texts\n" + f"    b = ({'b, ' * 50})\n" * 30 + "    return b\n"  # 50**30 paths
    assert profile_code(chain, "run", PLAYS).output_kind == "aggregate"
    assert profile_code(sums, "run", TEXTS).output_kind == "unknown"  # deeper than followed
    assert profile_code(fanout, "run", TEXTS).output_kind in ("text", "unknown")


def test_to_dict_is_json():
    p = profile("import os\ndef run(plays):\n    os.system('id')\n    return plays", PLAYS)
    data = json.loads(json.dumps(p.to_dict()))
    assert data["findings"] == [{"category": "process", "name": "os.system", "line": 3}]
    assert data["flags"] == ["process"] and data["output_kind"] == "table"


FRAGMENTS = [
    "import os", "import numpy as np", "from os import system as s", "def run(plays, texts):",
    "    x = plays['text']", "    return x", "    return len(texts)", "    for t in texts:", "        x.append(t)",
    "s('id')", "    return {k: v for k, v in plays.items()}", "y = getattr(os, name)", "    return eval('1')",
    "    return np.mean(plays.x.values)", "    x += 1", "class C:", "    pass", "    return (lambda: x)()",
]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("\n".join)))
def test_profile_code_never_raises_and_is_json(source):
    p = profile_code(source, "run", {**PLAYS, **TEXTS})
    assert p.output_kind in OUTPUT_KINDS and set(p.flags) <= set(FLAG_CATEGORIES)
    json.dumps(p.to_dict())
