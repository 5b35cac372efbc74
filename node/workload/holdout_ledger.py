"""Held-out family "ledger": bookkeeping and payment streams. Used ONLY by evaluation.

Theory of operation
-------------------
A second family written apart from everything training sees, with other
code, names (Portuguese and Japanese romaji, snake_case and dotted),
distributions (Pareto amounts, Benford-like leading digits, integer
sequence numbers that only grow) and vocabularies (currencies, account
codes, free-text memos). Training code never imports it (a test checks).

Explicit priority: a descending numeric ``nivel_alerta``/``keikoku_reberu``
(1 is the most severe, 5 routine), or a memo that starts with an
upper-case word such as ``URGENTE``/``KINKYU``. Rare kinds: suspicious
reversals, reconciliation failures. Cases: duplicate postings (exact, or
with the memo re-typed and the amount off by a cent), batches of small
postings from one account through one origin within milliseconds (bursts),
re-sends of an earlier batch's entry, anomalies (amounts 20-500 times the
account's usual, or negative where never negative). Ground truth is the
issue-3 definition with the same weights as every family.
"""

from __future__ import annotations

import hashlib
import random

from node.workload.domains import LabeledRecord
from protocol.keys import PrivateKey
from protocol.record import Record

__all__ = ["LedgerWorkload"]

_SCHEMAS = {
    "pt": {"kinds": ("lancamento.contabil", "pagamento.pix", "fatura.emitida"),
           "rare": ("estorno.suspeito", "falha.conciliacao"),
           "amount": "valor_brl", "account": "conta", "seq": "numero_seq", "memo": "historico",
           "currency": "moeda", "branch": "agencia", "prio": "nivel_alerta",
           "memo_words": ("pagamento", "fornecedor", "aluguel", "folha", "imposto", "transferencia", "saldo",
                          "ajuste", "juros", "tarifa", "cliente", "nota", "servico", "compra", "venda"),
           "urgent": ("URGENTE", "BLOQUEAR", "REVISAR")},
    "ja": {"kinds": ("shiwake_kinyu", "furikomi_jikko", "seikyu_hakko"),
           "rare": ("fusei_henkin", "zandaka_fuicchi"),
           "amount": "kingaku_jpy", "account": "kouza_bango", "seq": "renban", "memo": "tekiyou",
           "currency": "tsuuka", "branch": "shiten", "prio": "keikoku_reberu",
           "memo_words": ("shiharai", "torihikisaki", "yachin", "kyuyo", "zeikin", "furikae", "zandaka",
                          "chosei", "risoku", "tesuryo", "kokyaku", "denpyo", "sabisu", "konyu", "hanbai"),
           "urgent": ("KINKYU", "TEISHI", "KAKUNIN")},
}
_CURRENCIES = ("BRL", "JPY", "USD", "EUR", "CNY", "MXN")


class LedgerWorkload:
    """A held-out ledger world (see the module docstring). Deterministic in ``seed``."""

    def __init__(self, seed: int) -> None:
        self._g = g = random.Random(f"holdout-ledger:{seed}")
        self.schema = _SCHEMAS["ja" if g.random() < 0.5 else "pt"]
        self.kinds = list(self.schema["kinds"][: g.randint(2, 3)])
        self.mix = [g.uniform(1, 4) for _ in self.kinds]
        self.accounts = [f"{g.randint(1000, 9999)}-{g.randint(0, 9)}" for _ in range(g.randint(20, 300))]
        self.usual = {a: g.paretovariate(1.3) * g.choice((10.0, 100.0, 1000.0)) for a in self.accounts}
        self.issuers = [PrivateKey(hashlib.sha256(f"ledger:{seed}:{i}".encode()).digest()).peer_id
                        for i in range(g.randint(2, 6))]
        self.prio_kinds = set(g.sample(self.kinds, k=1))
        self.seq = g.randint(1, 10**6)
        self.q = {"dup": g.uniform(0.03, 0.1), "near": g.uniform(0.02, 0.08), "batch": g.uniform(0.004, 0.02),
                  "anom": g.uniform(0.01, 0.03), "rare": g.uniform(0.003, 0.01), "again": g.uniform(0.005, 0.03),
                  "urgent": g.uniform(0.005, 0.02)}
        self.step_ms = g.choice((30, 80, 250, 900))
        self.memory: list[tuple[str, int, dict[str, object]]] = []
        self.t = 0

    def _entry(self, kind: str, push: bool) -> tuple[dict[str, object], float, str]:
        g, s = self._g, self.schema
        acct = self.accounts[min(len(self.accounts) - 1, int(g.paretovariate(0.9)) - 1)]
        amount = self.usual[acct] * g.lognormvariate(0.0, 0.35)
        anomaly = 0.0
        if (push and g.random() < 0.6) or g.random() < self.q["anom"]:
            if g.random() < 0.8:
                amount *= g.uniform(20.0, 500.0)
            else:
                amount = -amount
            anomaly = 1.0
        self.seq += 1
        e: dict[str, object] = {s["account"]: acct, s["amount"]: round(amount, 2), s["seq"]: self.seq,
                                s["currency"]: g.choice(_CURRENCIES[:3]) if g.random() < 0.1 else _CURRENCIES[0],
                                s["branch"]: g.randint(1, 40)}
        prio = 0.0
        if g.random() < 0.6:
            e[s["memo"]] = " ".join(g.choice(s["memo_words"]) for _ in range(g.randint(1, 6)))
        if (push and anomaly == 0.0) or g.random() < self.q["urgent"]:
            e[s["memo"]] = g.choice(s["urgent"]) + " " + str(e.get(s["memo"], ""))
            prio = 0.9
        if kind in self.prio_kinds:
            lvl = max(1, 5 - int(g.expovariate(1.5) + (2.5 if push and prio == 0.0 else 0.0)))
            e[s["prio"]] = lvl
            prio = max(prio, (5 - lvl) / 4.0)
        base = 1.0 - 0.96 * (1 - 0.9 * 0.85 * anomaly) * (1 - 0.9 * prio)
        detail = ""
        if max(0.9 * 0.85 * anomaly, 0.9 * prio) >= 0.3:
            detail = "anomaly" if anomaly * 0.85 >= prio else "priority"
        return e, base, detail

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        g, s, q = self._g, self.schema, self.q
        rows: list[tuple[str, int, dict[str, object], float, str, int, str, int]] = []
        batch: list | None = None
        while len(rows) < n:
            if batch is not None:
                kind, who, head_i, head_base, left, acct = batch
                e, _, _ = self._entry(kind, False)
                e[s["account"]] = acct
                e[s["amount"]] = round(self.usual[acct] * g.uniform(0.01, 0.05), 2)
                rows.append((kind, who, e, max(0.02, 0.1 * head_base), "burst_tail", head_i, "", g.randint(1, 8)))
                batch[4] -= 1
                if batch[4] <= 0 or g.random() < 0.1:
                    batch = None
                continue
            u = g.random()
            if u < q["dup"] and rows:
                i = g.randrange(len(rows))
                kind, who, e, base, case, _, _, _ = rows[i]
                if case == "routine":
                    rows.append((kind, who, dict(e), base * 0.05, "dup", i, "", 0))
            elif (u := u - q["dup"]) < q["near"] and rows:
                i = g.randrange(len(rows))
                kind, who, e, base, case, _, _, _ = rows[i]
                if case == "routine":
                    e2 = dict(e)
                    e2[s["amount"]] = round(float(e[s["amount"]]) + g.choice((0.01, -0.01)), 2)  # type: ignore[arg-type]
                    if s["memo"] in e2:
                        e2[s["memo"]] = "  " + str(e2[s["memo"]]).lower() + " "
                    rows.append((kind, g.randrange(len(self.issuers)), e2, base * 0.1, "near_dup", i, "", 0))
            elif (u := u - q["near"]) < q["batch"]:
                kind = g.choice(self.kinds)
                e, base, detail = self._entry(kind, True)
                who = g.randrange(len(self.issuers))
                batch = [kind, who, len(rows), base, g.randint(3, 30), e[s["account"]]]
                rows.append((kind, who, e, base, "burst_head", -1, detail, 0))
            elif (u := u - q["batch"]) < q["rare"]:
                kind = g.choice(s["rare"])
                e, base, detail = self._entry(self.kinds[0], False)
                e.pop(s["prio"], None)
                rows.append((kind, g.randrange(len(self.issuers)), e, 1 - (1 - base) * 0.5, "routine", -1,
                             "rare_kind", 0))
            elif (u := u - q["rare"]) < q["again"] and self.memory:
                kind, who, e = g.choice(self.memory)
                rows.append((kind, who, dict(e), 0.01, "resend", -1, "", 0))
            else:
                kind = g.choices(self.kinds, self.mix)[0]
                e, base, detail = self._entry(kind, False)
                rows.append((kind, g.randrange(len(self.issuers)), e, base, "routine", -1, detail, 0))
        gaps = [gap or int(g.expovariate(1.0 / self.step_ms)) + 1 for *_, gap in rows]
        t = max(self.t, now_ms - sum(gaps))
        out: list[LabeledRecord] = []
        for (kind, who, e, base, case, ref, detail, _), gap in zip(rows, gaps, strict=True):
            t += gap
            out.append(LabeledRecord(Record.create(kind, self.issuers[who], t, e), round(min(1.0, base), 6),
                                     case, ref, detail))
            if case in ("routine", "burst_head") and base >= 0.3:
                self.memory.append((kind, who, dict(e)))
                del self.memory[:-300]
        self.t = t
        return out
