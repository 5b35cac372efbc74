"""The lexicon as it stood before a version's ``_lang`` calls, for tests of what a version added."""

from __future__ import annotations

import pathlib

from node.attention import lexicon


def entries_before(version: int) -> set[str]:
    """Every entry of the lexicon before version ``version`` (the module re-read up to its marker)."""
    src = pathlib.Path(lexicon.__file__).read_text(encoding="utf-8")
    head = src[:src.index(f"# -- version {version}")]
    ns: dict[str, object] = {"__name__": f"lexicon_before_v{version}"}
    exec(compile(head, ns["__name__"], "exec"), ns)  # type: ignore[arg-type]
    out: set[str] = set()
    for name in ("_RAW_WORDS", "_RAW_COLOURS"):
        out |= {lexicon._entry(x) for _, x in ns[name]}  # type: ignore[attr-defined]
    for name in ("_RAW_NEGATORS", "_RAW_POST", "_RAW_FIELDS"):
        out |= {lexicon._entry(x) for x in ns[name]}  # type: ignore[attr-defined]
    return out
