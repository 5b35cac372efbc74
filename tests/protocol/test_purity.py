"""protocol/ stays pure: no clocks, files, sockets, event loops, global randomness.

The check parses every ``.py`` file under ``protocol/`` with ``ast`` rather
than looking at what happens to be imported, so a module nobody imports yet, a
function-local import or an ``__import__("time")`` is caught too. Imports are
checked against an allowlist (pure stdlib modules, msgpack, cryptography,
zstandard, protocol itself); the forbidden list only adds a reason to the
message. Imports under ``if TYPE_CHECKING:`` never run, so ``random`` is
allowed there (for the ``random.Random`` annotation) and nowhere else.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROTOCOL_DIR = Path(__file__).resolve().parents[2] / "protocol"

ALLOWED_STDLIB = frozenset(
    {
        "__future__", "abc", "array", "base64", "binascii", "bisect", "collections",
        "contextlib", "copy", "dataclasses", "decimal", "enum", "fractions", "functools",
        "hashlib", "heapq", "hmac", "ipaddress", "itertools", "json", "math", "numbers",
        "operator", "re", "statistics", "string", "struct", "textwrap", "tomllib", "types",
        "typing", "unicodedata", "zlib",
    }
)  # fmt: skip
ALLOWED_THIRD_PARTY = frozenset({"msgpack", "cryptography", "zstandard"})
ALLOWED = ALLOWED_STDLIB | ALLOWED_THIRD_PARTY | {"protocol"}
TYPE_CHECKING_ONLY = frozenset({"random"})
FORBIDDEN = {
    "time": "reads the clock: take now_ms as an argument",
    "datetime": "reads the clock: take now_ms as an argument",
    "random": "global randomness: take a random.Random argument (import under TYPE_CHECKING)",
    "secrets": "OS randomness belongs in node/",
    "uuid": "OS randomness and clock belong in node/",
    "os": "files and environment belong in node/",
    "io": "files belong in node/",
    "pathlib": "files belong in node/",
    "shutil": "files belong in node/",
    "tempfile": "files belong in node/",
    "sys": "process state belongs in node/",
    "socket": "sockets belong in node/",
    "select": "sockets belong in node/",
    "ssl": "sockets belong in node/",
    "sqlite3": "the store belongs in node/",
    "asyncio": "protocol/ is sans-I/O",
    "trio": "protocol/ is sans-I/O",
    "threading": "protocol/ is sans-I/O",
    "multiprocessing": "protocol/ is sans-I/O",
    "subprocess": "protocol/ is sans-I/O",
    "signal": "protocol/ is sans-I/O",
    "logging": "return effects; node/ logs",
    "importlib": "dynamic imports defeat this check",
    "builtins": "reaches open() around this check",
    "libp2p": "networking belongs in node/",
    "torch": "the model belongs in node/",
    "node": "layering: node imports protocol, never the reverse",
    "scripts": "layering: nothing imports scripts/",
    "tests": "layering: protocol/ does not import tests",
}
FORBIDDEN_CALLS = frozenset({"open", "__import__", "exec", "eval", "compile", "input", "breakpoint"})


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class _Checker(ast.NodeVisitor):
    def __init__(self, filename: str, package_depth: int) -> None:
        self.filename = filename
        self.package_depth = package_depth
        self.type_checking = False
        self.violations: list[str] = []

    def _report(self, node: ast.AST, msg: str) -> None:
        self.violations.append(f"{self.filename}:{getattr(node, 'lineno', '?')}: {msg}")

    def _check_module(self, node: ast.AST, module: str) -> None:
        top = module.split(".")[0]
        if self.type_checking and top in TYPE_CHECKING_ONLY:
            return
        if top in ALLOWED:
            return
        reason = FORBIDDEN.get(top, "not in the protocol/ import allowlist")
        self._report(node, f"imports {module!r}: {reason}")

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            outer, self.type_checking = self.type_checking, True
            for stmt in node.body:
                self.visit(stmt)
            self.type_checking = outer
            for stmt in node.orelse:  # the else branch runs for real
                self.visit(stmt)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0:
            self._check_module(node, node.module or "")
        elif node.level > self.package_depth:
            self._report(node, f"relative import of level {node.level} leaves the protocol package")

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            self._report(node, f"calls {node.func.id}()")
        self.generic_visit(node)


def purity_violations(source: str, filename: str = "<source>", package_depth: int = 1) -> list[str]:
    """Every impure import or call in ``source`` (a module ``package_depth`` packages deep)."""
    checker = _Checker(filename, package_depth)
    checker.visit(ast.parse(source, filename))
    return checker.violations


def scan_package(root: Path) -> dict[Path, list[str]]:
    """Violations per ``.py`` file under ``root`` (every file, imported or not)."""
    report = {}
    for path in sorted(root.rglob("*.py")):
        depth = len(path.relative_to(root.parent).parts) - 1
        report[path] = purity_violations(path.read_text(encoding="utf-8"), str(path), depth)
    return report


def test_protocol_package_is_pure() -> None:
    report = scan_package(PROTOCOL_DIR)
    names = {p.name for p in report}
    # Guard against scanning the wrong folder and passing vacuously.
    assert {"__init__.py", "block.py", "cid.py", "codec.py", "keys.py", "record.py"} <= names
    bad = [v for violations in report.values() for v in violations]
    assert not bad, "protocol/ must stay pure:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("import time", "'time'"),
        ("import os.path", "'os.path'"),
        ("from os import urandom", "'os'"),
        ("import datetime as dt", "'datetime'"),
        ("import random", "'random'"),
        ("from random import random", "'random'"),
        ("import secrets", "'secrets'"),
        ("import socket", "'socket'"),
        ("import sqlite3", "'sqlite3'"),
        ("import trio", "'trio'"),
        ("from libp2p.peer.id import ID", "'libp2p.peer.id'"),
        ("import torch.nn", "'torch.nn'"),
        ("import asyncio", "'asyncio'"),
        ("import threading", "'threading'"),
        ("import subprocess", "'subprocess'"),
        ("from pathlib import Path", "'pathlib'"),
        ("import io", "'io'"),
        ("from node.store import Store", "'node.store'"),
        ("import requests", "allowlist"),
        ("def f():\n    import time\n    return time.time()", "'time'"),
        ("class C:\n    def m(self):\n        from os import environ", "'os'"),
        ("try:\n    import trio\nexcept ImportError:\n    pass", "'trio'"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\nelse:\n    import random", "'random'"),
        ("if TYPE_CHECKING:\n    import trio", "'trio'"),
        ("if DEBUG:\n    import time", "'time'"),
        ("m = __import__('time')", "__import__()"),
        ("data = open('f').read()", "open()"),
        ("exec('import time')", "exec()"),
        ("import importlib\nimportlib.import_module('time')", "'importlib'"),
        ("from builtins import open as o", "'builtins'"),
        ("from .. import node", "leaves the protocol package"),
    ],
)
def test_checker_flags_impure_source(source: str, needle: str) -> None:
    violations = purity_violations(source)
    assert violations, f"not flagged:\n{source}"
    assert any(needle in v for v in violations), violations


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations\nimport hashlib, struct, math",
        "from collections.abc import Mapping\nfrom dataclasses import dataclass, field",
        "import msgpack\nimport zstandard\nfrom cryptography.exceptions import InvalidSignature",
        "from protocol.errors import DecodeError\nimport protocol.cid",
        "from . import cid\nfrom .errors import DecodeError",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import random",
        "import typing\nif typing.TYPE_CHECKING:\n    from random import Random",
        "def choose(rng: 'random.Random') -> int:\n    return rng.randrange(3)",
        "import tomllib\nimport json",
    ],
)
def test_checker_accepts_pure_source(source: str) -> None:
    assert purity_violations(source) == []


def test_scan_finds_violations_in_files_nobody_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "protocol"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "ok.py").write_text("import hashlib\nfrom .errors import X\n")
    (pkg / "clock.py").write_text("import hashlib\n\ndef now():\n    import time\n    return time.time()\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "deep.py").write_text("from .. import ok\nfrom ... import escape\n")
    report = {p.relative_to(tmp_path).as_posix(): v for p, v in scan_package(pkg).items()}
    assert report["protocol/ok.py"] == []
    assert report["protocol/__init__.py"] == []
    assert len(report["protocol/clock.py"]) == 1
    assert "clock.py:4" in report["protocol/clock.py"][0]
    assert len(report["protocol/sub/deep.py"]) == 1
    assert "level 3" in report["protocol/sub/deep.py"][0]
