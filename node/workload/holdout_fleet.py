"""Held-out family "fleet": vehicle and building IoT streams. Used ONLY by evaluation.

Theory of operation
-------------------
Written apart from the training generators (its own code, names,
distributions and vocabularies) so that ``model eval`` can measure the
definition of importance on data the model never saw (leave-one-family-out).
Training code never imports this module (a test checks).

A seed picks a fleet: a few device types named in camelCase English or
Swedish (``engineTempF``, ``bransleniva``...), each with sensors whose
readings follow a daily cycle plus Student-t noise (not Gaussian), odometer-
like monotone counters and uniformly jittered set-points; status enums;
free-text driver notes. Explicit priority is an ``alertLevel``/``larmniva``
field with its own scale (advisory .. emergency, or Swedish words), or a
``needsAttention`` flag. Rare kinds are crash or geofence events.

Cases: exact re-deliveries (a gateway resends a message, often from another
origin), near copies (readings rounded differently, a note with changed
case or punctuation), retransmission storms (a head followed by a tail of
the same device type from the same gateway at a fixed short period), re-
sends of something an earlier batch carried, anomalies (a reading 5-12
noise scales off its cycle), rare kinds and priority. Ground truth follows
the issue-3 definition: noisy-OR of anomaly, priority and rarity over a
0.04 floor; exact copy 5% of the source, near copy 10%, storm tail 10% of
its head, re-send of shared content 1-2%.
"""

from __future__ import annotations

import hashlib
import math
import random

from node.workload.domains import LabeledRecord
from protocol.keys import PrivateKey
from protocol.record import Record

__all__ = ["FleetWorkload"]

_TYPES_EN = {
    "truckTelemetry": (("engineTempF", 195.0, 6.0), ("oilPressurePsi", 40.0, 3.0), ("speedMph", 55.0, 9.0),
                       ("fuelPct", 60.0, 12.0)),
    "hvacReading": (("supplyAirF", 55.0, 1.5), ("returnAirF", 72.0, 1.2), ("fanRpm", 1150.0, 40.0)),
    "coldChainProbe": (("probeTempF", 36.5, 0.6), ("humidityRh", 82.0, 3.0)),
    "evCharger": (("sessionKwh", 18.0, 5.0), ("voltage", 402.0, 4.0), ("currentAmps", 48.0, 3.5)),
}
_TYPES_SV = {
    "lastbilTelemetri": (("motortemp", 90.0, 3.5), ("oljetryck", 2.8, 0.2), ("hastighet", 85.0, 12.0),
                         ("bransleniva", 55.0, 14.0)),
    "ventilationMatning": (("tilluftstemp", 17.0, 0.8), ("franluftstemp", 21.5, 0.6), ("flakthastighet", 1400.0, 35.0)),
    "kylkedjaGivare": (("givartemp", 3.2, 0.35), ("luftfuktighet", 85.0, 2.5)),
}
_RARE = {"en": (("crashDetected", ("gForce", 6.0, 1.5)), ("geofenceBreach", ("distanceM", 800.0, 300.0))),
         "sv": (("krockLarm", ("gkraft", 6.0, 1.5)), ("geostaketBrott", ("avstandM", 800.0, 300.0)))}
_STATUS = {"en": ("driving", "idle", "parked", "charging", "maintenance"),
           "sv": ("kor", "tomgang", "parkerad", "laddar", "service")}
_ALERT = {"en": ("alertLevel", ("none", "advisory", "caution", "warning", "emergency")),
          "sv": ("larmniva", ("ingen", "upplysning", "observera", "varning", "larm"))}
_FLAG = {"en": "needsAttention", "sv": "kraverAtgard"}
_NOTES = {"en": ("tire", "pressure", "checked", "route", "delayed", "door", "open", "load", "secured", "gate",
                 "arrived", "depot", "battery", "low", "reefer", "cycle", "driver", "break", "traffic", "clear"),
          "sv": ("dack", "tryck", "kontrollerat", "rutt", "forsenad", "dorr", "oppen", "last", "sakrad", "port",
                 "ankommit", "depa", "batteri", "lag", "kyl", "cykel", "forare", "rast", "trafik", "fri")}


def _student_t(rng: random.Random, dof: int) -> float:
    g = rng.gauss(0.0, 1.0)
    chi = sum(rng.gauss(0.0, 1.0) ** 2 for _ in range(dof))
    return g / math.sqrt(chi / dof)


class FleetWorkload:
    """A held-out fleet world (see the module docstring). Deterministic in ``seed``."""

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-fleet:{seed}")
        self.lang = "sv" if r.random() < 0.4 else "en"
        types = _TYPES_SV if self.lang == "sv" else _TYPES_EN
        names = sorted(types)
        r.shuffle(names)
        self.types = names[: r.randint(1, len(names))]
        self.sensors = {t: [(k, mu * r.uniform(0.8, 1.2), sd * r.uniform(0.6, 1.6), r.uniform(0, 6.283))
                            for k, mu, sd in types[t]] for t in self.types}
        self.rare = list(_RARE[self.lang])
        self.weights = {t: r.uniform(1.0, 5.0) for t in self.types}
        self.gateways = [PrivateKey(hashlib.sha256(f"fleet-gw:{seed}:{i}".encode()).digest()).peer_id
                         for i in range(r.randint(2, 8))]
        self.devices = {t: [f"{t[:3].upper()}{r.randint(100, 999)}-{r.randint(0, 99):02d}" for _ in range(r.randint(8, 80))]
                        for t in [*self.types, *(k for k, _ in self.rare)]}
        self.alert_types = set(r.sample(self.types, k=max(1, len(self.types) // 2)))
        self.flag_types = set(r.sample(self.types, k=max(0, len(self.types) // 3)))
        self.period_ms = r.choice((200, 500, 1000, 2000))
        self.storm_period_ms = r.choice((10, 20, 40))
        self.p = {"redeliver": r.uniform(0.02, 0.09), "near": r.uniform(0.02, 0.07), "storm": r.uniform(0.005, 0.02),
                  "anomaly": r.uniform(0.01, 0.03), "rare": r.uniform(0.004, 0.012), "resend": r.uniform(0.005, 0.03)}
        self.odometer = {d: r.uniform(1e3, 2e5) for ds in self.devices.values() for d in ds}
        self._sent: list[tuple[str, int, dict[str, object]]] = []
        self._clock = 0

    def _reading(self, typ: str, kick: bool) -> tuple[dict[str, object], float, str]:
        r = self._r
        dev = r.choice(self.devices[typ][: max(1, int(len(self.devices[typ]) * r.random()) + 1)])
        rec: dict[str, object] = {"deviceId": dev}
        anomaly = 0.0
        sensors = self.sensors[typ]
        bad = r.randrange(len(sensors)) if (kick and r.random() < 0.7) or r.random() < self.p["anomaly"] else -1
        hour = (self._clock / 3.6e6) % 24.0
        for i, (key, mu, sd, phase) in enumerate(sensors):
            cyc = mu + 0.8 * sd * math.sin(hour / 24.0 * 6.283 + phase)
            noise = _student_t(r, 5) * sd * 0.6
            if i == bad:
                k = r.uniform(5.0, 12.0) * r.choice((1, -1))
                noise = k * sd
                anomaly = max(anomaly, min(1.0, (abs(k) - 2.5) / 4.0))
            rec[key] = round(cyc + noise, 1 if sd < 5 else 0)
        self.odometer[dev] += r.uniform(0.1, 3.0)
        rec["odometerKm" if self.lang == "en" else "matarstallning"] = round(self.odometer[dev], 1)
        rec["state" if self.lang == "en" else "lage"] = r.choice(_STATUS[self.lang])
        prio = 0.0
        if typ in self.alert_types:
            key, scale = _ALERT[self.lang]
            lvl = min(4, int(r.expovariate(1.7) + (2.2 if kick and bad < 0 else 0.0)))
            rec[key] = scale[lvl]
            prio = lvl / 4.0
        if typ in self.flag_types:
            on = r.random() < (0.6 if kick and bad < 0 else 0.02)
            rec[_FLAG[self.lang]] = on
            prio = max(prio, 0.85 if on else 0.0)
        if r.random() < 0.25:
            rec["note" if self.lang == "en" else "anteckning"] = " ".join(
                r.choice(_NOTES[self.lang]) for _ in range(r.randint(2, 7)))
        detail = ""
        if max(anomaly * 0.9, prio * 0.9) >= 0.3:
            detail = "anomaly" if anomaly * 0.9 >= prio * 0.9 else "priority"
        base = 1.0 - (1 - 0.04) * (1 - 0.9 * anomaly) * (1 - 0.9 * prio)
        return rec, base, detail

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        r = self._r
        items: list[tuple[str, int, dict[str, object], float, str, int, str, int]] = []
        storms: list[list] = []
        while len(items) < n:
            if storms and r.random() < 0.7:
                s = storms[0]
                s[3] -= 1
                if s[3] <= 0:
                    storms.pop(0)
                typ, gw, head_fields, _, head_i, head_base = s
                f = dict(head_fields)
                for k, v in f.items():
                    if isinstance(v, float) and r.random() < 0.5:
                        f[k] = round(v + r.choice((-0.1, 0.1, 0.2)), 1)
                items.append((typ, gw, f, max(0.02, 0.1 * head_base), "burst_tail", head_i, "", self.storm_period_ms))
                continue
            u = r.random()
            p = self.p
            if u < p["redeliver"] and items:
                j = r.randrange(max(0, len(items) - 64), len(items))
                typ, gw, f, base, case, _, _, _ = items[j]
                if case in ("dup", "near_dup", "resend", "burst_tail"):
                    continue
                gw2 = r.randrange(len(self.gateways)) if r.random() < 0.7 else gw
                items.append((typ, gw2, dict(f), base * 0.05, "dup", j, "", 0))
            elif (u := u - p["redeliver"]) < p["near"] and items:
                j = r.randrange(max(0, len(items) - 64), len(items))
                typ, gw, f, base, case, _, _, _ = items[j]
                if case in ("dup", "near_dup", "resend", "burst_tail"):
                    continue
                g = dict(f)
                for k, v in g.items():
                    if isinstance(v, float):
                        g[k] = float(round(v)) if r.random() < 0.5 else v
                    elif isinstance(v, str) and " " in v:
                        g[k] = v.upper() if r.random() < 0.5 else v + "."
                if g == f:
                    g = {**f, "deviceId": f["deviceId"]}
                    odo = "odometerKm" if self.lang == "en" else "matarstallning"
                    # Records without an odometer (rare kinds, some types) move another float field.
                    key = odo if odo in f else next((k for k, v in f.items() if isinstance(v, float)), None)
                    if key is None:
                        continue
                    g[key] = round(float(f[key]) + 0.1, 1)  # type: ignore[arg-type]
                items.append((typ, gw, g, base * 0.1, "near_dup", j, "", 0))
            elif (u := u - p["near"]) < p["storm"]:
                typ = r.choice(self.types)
                f, base, detail = self._reading(typ, kick=True)
                gw = r.randrange(len(self.gateways))
                storms.append([typ, gw, f, r.randint(4, 25), len(items), base])
                items.append((typ, gw, f, base, "burst_head", -1, detail, 0))
            elif (u := u - p["storm"]) < p["rare"]:
                name, (key, mu, sd) = r.choice(self.rare)
                f = {"deviceId": r.choice(self.devices[name]), key: round(mu + sd * r.gauss(0, 1), 1),
                     "lat": round(r.uniform(55, 60), 4), "lon": round(r.uniform(11, 18), 4)}
                items.append((name, r.randrange(len(self.gateways)), f, 1 - 0.96 * 0.5, "routine", -1, "rare_kind", 0))
            elif (u := u - p["rare"]) < p["resend"] and self._sent:
                typ, gw, f = r.choice(self._sent)
                items.append((typ, r.randrange(len(self.gateways)), dict(f), 0.01, "resend", -1, "", 0))
            else:
                typ = r.choices(self.types, [self.weights[t] for t in self.types])[0]
                f, base, detail = self._reading(typ, kick=False)
                items.append((typ, r.randrange(len(self.gateways)), f, base, "routine", -1, detail, 0))
        out: list[LabeledRecord] = []
        gaps = [g or max(1, int(r.uniform(0.2, 1.8) * self.period_ms / max(1, len(self.types)))) for *_, g in items]
        ts = max(self._clock, now_ms - sum(gaps))
        for (typ, gw, f, base, case, ref, detail, _), g in zip(items, gaps, strict=True):
            ts += g
            rec = Record.create(typ, self.gateways[gw], ts, f)
            out.append(LabeledRecord(rec, round(min(1.0, base), 6), case, ref, detail))
            if case in ("routine", "burst_head") and base >= 0.3:
                self._sent.append((typ, gw, dict(f)))
                del self._sent[:-300]
        self._clock = ts
        return out
