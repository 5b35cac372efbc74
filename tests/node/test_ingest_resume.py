"""``attnshare ingest`` after a lost answer: each line is stored once.

Review 7, finding 9: ``Pipeline.ingest`` fills a missing ``ts_ms`` with the daemon's clock at
receipt, so a line sent twice is two records. ``cmd_ingest`` answered any failed request (its
own 60 s client timeout included, while the daemon went on and acknowledged the batch) with
"resume from line N", and following that advice stored every such line twice. The CLI now
stamps each line once, when it reads it, and sends a failed batch once more, the same records.
"""

from __future__ import annotations

import json
import re
from typing import Any

import trio

from node.cli import main
from node.config import PipelineConfig
from node.core.pipeline import Pipeline
from node.metrics import Metrics
from node.store import Store
from node.worker import Worker
from protocol.cid import cid_of
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.validators import ValidatorSet

ME = PrivateKey(b"\x53" * 32)
MODEL = cid_of(b"resume model")
GENESIS = Genesis("resume", ValidatorSet(PrivateKey(bytes([0x70 + i]) * 32).peer_id for i in range(4)), (MODEL,))


class _Daemon:
    """The admin client, answered by a real pipeline and store; the first answer is lost after
    the records were acknowledged (the client's timeout). Its clock moves a minute per call."""

    def __init__(self) -> None:
        self.store = Store.open(":memory:", ME.peer_id)
        self.clock = 1_000
        self.calls = 0

    def call(self, method: str, **params: Any) -> Any:
        from node.admin import AdminError

        assert method == "ingest"
        self.calls += 1
        self.clock += 60_000
        res = trio.run(self._ingest, params["records"])
        if self.calls == 1:
            raise AdminError("the daemon did not answer within 60s")
        return {"cids": res.cids, "errors": [{"index": i, "error": e} for i, e in res.errors]}

    async def _ingest(self, records: list[Any]) -> Any:
        async def score(recs: Any) -> list[float]:
            return [0.0] * len(recs)

        pipe = Pipeline(key=ME, genesis=GENESIS, config=PipelineConfig(), store=self.store, db=Worker("store"),
                        score=score, model_id=MODEL, consensus=None, publish_block=None,  # type: ignore[arg-type]
                        metrics=Metrics(), now_ms=lambda: self.clock)
        return await pipe.ingest(records)


def test_each_line_is_stored_once_when_an_answer_is_lost(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    from node.commands import daemon as cmds

    lines = [json.dumps({"kind": "reading", "fields": {"station": f"s{i}", "level": 1.02}}) for i in range(3)]
    lines.append(json.dumps({"kind": "reading", "ts_ms": 7, "fields": {"station": "s9"}}))
    daemon = _Daemon()
    monkeypatch.setattr(cmds, "_client", lambda args: daemon)
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(lines) + "\n")
    rc = main(["ingest", "--data-dir", str(tmp_path), "--json", str(f)])
    err = capsys.readouterr().err
    if rc != 0:  # do what the command says
        start = int(re.search(r"resume from line (\d+)", err, re.IGNORECASE).group(1))  # type: ignore[union-attr]
        f.write_text("\n".join(lines[start - 1:]) + "\n")
        rc = main(["ingest", "--data-dir", str(tmp_path), "--json", str(f)])
    stored = daemon.store.count_records()["pending"]
    daemon.store.close()
    assert rc == 0
    assert stored == len(lines), f"{stored} records stored for {len(lines)} lines; {err}"
