"""Held-out family ``tunnel``: a tunnel-construction site network. Used ONLY by evaluation.

Theory of operation
-------------------
A held-out family written blind (docs/holdout-tunnel.md): nobody tunes the model on it, and it shares no
code path, name, distribution or vocabulary with the training generators or the other held-out families.
Only :class:`LabeledRecord`, :func:`noisy_or` and :func:`main_reason` (the definition's truth helpers) and
:class:`Record` are imported; the scheduler, the machines, the distributions and the vocabularies are this
module's own. Training never imports it (tests/node/test_holdout_tunnel.py).

One seed is one tunnel project: a metro line (TBMs of 6-7 m) or, in 30% of worlds, a road tunnel (10-14.5
m), driven by 1-3 tunnel boring machines (earth-pressure-balance or slurry shields), each with its own
ring counter, chainage, face-pressure set point (drifting with the cover along the drive), thrust, torque,
main-bearing temperature, guidance bias, cutter wear and muck mass per ring. The site has 3-5 gas and
ventilation monitors, 1-4 dewatering sumps, a conveyor per TBM or muck trains, a settlement-monitoring
contractor whose points along each drive settle in a longitudinal trough as the face passes them, a site
office that files shift reports and hazard tickets, and a daily maintenance window in which the TBMs stand.
Each of these systems reports through one of 3-8 origins (peer ids from :data:`ORIGIN_IDS`): the site
office, the SCADA, the monitoring contractor, each TBM's data logger, the guidance system, the muck
logistics. From one ``random.Random(seed)`` a world draws:

- a dialect: ``zh`` Mandarin Chinese (Han characters; plain numbers with the unit in brackets in the field
  name, pressure in MPa in 60% of worlds, torque in kN·m, inflow in m³/h, methane in % by volume,
  chainages ``YK3+412.500``), ``he`` Hebrew (Hebrew script; in 45% of worlds every measured number a
  string with its unit, ``"12.4 מ״מ"``, else plain numbers with the unit in the name; pressure in bar or
  kPa, methane in %LEL or ppm) or ``da`` Danish (in 55% of worlds measured numbers as strings with a
  decimal comma, ``"2,35 bar"``, else plain numbers; thrust in kN or MN, inflow in l/s or m³/h), which
  names every kind, field, category, note and priority value;
- a naming style for kinds and one for fields, from its dialect's own (Danish dotted / UPPER / Pascal /
  slash kinds, snake / kebab / camel / spaced fields; Chinese joined / dotted / slash / 【bracketed】 kinds,
  joined / snake / pinyin fields; Hebrew spaced / snake / maqaf / slash kinds, snake / spaced / maqaf
  fields);
- TBM telemetry, settlement readings, gas monitoring, ring erection, shift reports and hazard tickets
  (always), plus 2-4 of grout injection, muck removal (a conveyor or trains), dewatering pumps, guidance and
  cutter inspections; 1-3 of five rare kinds (a face collapse, a water inrush, a methane alarm, a
  cutterhead stall, a surface sinkhole), each 0.15-0.7% of the fresh records;
- one of eight priority forms (``prio_form``, field ``prio_key``), written by shift reports, hazard
  tickets, cutter inspections, face collapses, water inrushes and methane alarms only;
- case rates, a mean gap (100 ms-2.5 s), a burst clock, a time zone and the maintenance window.

Arrivals: an event heap. Polled systems (TBM loggers, gas monitors, guidance, sumps, conveyors) report on
their own periods (jittered 3%, a few polls lost); settlement readings come in survey rounds (a clump of
readings from one drive); ring builds are Poisson (rare in the maintenance window) and each is followed,
some time later, by the grout record of that ring; shift reports, hazard tickets, cutter inspections
(mostly in the maintenance window), muck trains and rare kinds are Poisson sources. Copies, near copies,
re-sends and bursts are Poisson processes of the same heap; a burst's tails run on a heap of their own, on
the burst clock, reserved when the head is made, and always fit the batch.

Truth (docs/holdout.md's definition): routine records and burst heads are ``noisy_or(0.04, 0.9 a, 0.9 p,
rarity)``, ``detail = main_reason(0.9 a, 0.9 p, rarity, rare kind)``. ``a``: each watched number's
distance k from its kind's median in spreads (spread = central 95% width / 3.92 of 600 routine draws
made with the world, read back from what the record writes, in log space for skewed positive numbers,
log1p for the zero-inflated methane); ``a = 0`` below 4.5, else ``min(1, (k - 2.5) / 4)``. Routine draws
stay under 4 spreads (redrawn otherwise); an anomaly puts one number 4.6-10.5 spreads off in the direction
that means trouble, and what follows from it follows. ``p``: the step's strength 0.35 / 0.6 / 0.8 / 1.0,
read back from the record. ``rarity`` 0.5 for a rare kind, 0.45 for a rare value (a cracked segment in a
ring build, unexploded ordnance as a shift's delay cause). Exact copies 5% of their source, near copies
10%, burst tails a tenth of the head (at least 0.02), re-sends 1% (same origin) or 2% (another) of the
earlier record.
"""

from __future__ import annotations

import heapq
import math
import random
import re
import statistics
from dataclasses import dataclass
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.record import Record

DIALECTS = ("zh", "he", "da")
PRIORITY_FORMS = ("words", "scope", "crews", "signoff", "rings", "cordon", "ppe", "cadence")
COMMON_KINDS = ("tbm", "settle", "gas", "ring", "shift", "hazard", "grout", "conveyor", "train", "pump", "survey",
                "cutter")
ALWAYS_PRESENT = ("tbm", "settle", "gas", "ring", "shift", "hazard")
RARE_KINDS = ("collapse", "inrush", "methane", "stall", "sinkhole")
CARRIERS = frozenset({"shift", "hazard", "cutter", "collapse", "inrush", "methane"})
ALWAYS_RAISED = frozenset({"collapse", "inrush"})
POLLED = ("tbm", "gas", "survey", "pump", "conveyor")
BURST_KINDS = ("tbm", "gas", "settle", "pump", "conveyor", "hazard")
KIND_STYLES = {"da": ("dotted", "upper", "pascal", "slash"), "zh": ("joined", "dotted", "slash", "bracket"),
               "he": ("spaced", "snake", "maqaf", "slash")}
FIELD_STYLES = {"da": ("snake", "kebab", "camel", "spaced"), "zh": ("joined", "snake", "pinyin"),
                "he": ("snake", "spaced", "maqaf")}
STEP_STRENGTH = (0.0, 0.35, 0.6, 0.8, 1.0)
ANOMALY_FROM = 4.5
ROUTINE_UNDER = 4.0
ANOMALY_MAX = 11.0
TAIL_FACTOR = 0.1
TAIL_MIN = 0.02
DRAWS = 600

# Ed25519 peer ids of sha256("holdout-tunnel-origin/{i}") (the test derives them again).
ORIGIN_IDS = (
    "12D3KooWFiV7E9rrUWko7UPGNM83EYnbL18nt1hXCuBpEWy1rFnH",
    "12D3KooWLD83jEam6xnTxKimi7RY1KgmwJDozQCNaAMtwo6SjFgU",
    "12D3KooWMdDZcLKYsKY4miSZgM9nmx3k4KpbqAE9QNn3BV58zo4C",
    "12D3KooWMpHE4p8NQL1jpTiRoK4jRXeyToiFgLy5EpS5ZLeaA3Pc",
    "12D3KooWNPzs2iYEQj1JpDXcfAkuxkK3tWXTRYVx1fvZVuZ4TPb1",
    "12D3KooWSDrNR279r76qGP6ZsrnAT7gU82ThuELs4Q59xVBMnHg1",
    "12D3KooWKx675XB7NbjJWiWeajhMiJpxbVU5bimSJgU9z6ztnHhQ",
    "12D3KooWEqCaFao48eeChWmNP1E7EN8Qk8AG3LCaytNtJtnZJpzt",
)

# Watched numbers: kind -> field -> (space, trouble direction: +1 up, -1 down, 0 either way, physical bounds
# of an anomalous value in canonical units).
WATCHED: dict[str, dict[str, tuple[str, int, tuple[float | None, float | None]]]] = {
    "tbm": {"face_pressure": ("lin", -1, (0.05, None)), "bearing_temp": ("lin", 1, (None, 115.0))},
    "settle": {"settlement": ("lin", -1, (-300.0, None)), "delta": ("lin", -1, (-90.0, None))},
    "gas": {"ch4": ("log1p", 1, (None, 100.0)), "co": ("log", 1, (None, 600.0)), "o2": ("lin", -1, (12.0, None)),
            "velocity": ("log", -1, (0.02, None))},
    "ring": {"build_time": ("log", 1, (None, 720.0)), "lipping": ("log", 1, (None, 60.0))},
    "grout": {"fill": ("lin", -1, (15.0, None)), "grout_pressure": ("lin", 1, (None, 16.0))},
    "conveyor": {"gearbox_temp": ("lin", 1, (None, 160.0)), "tracking": ("lin", 0, (-160.0, 160.0))},
    "train": {"mass": ("lin", 1, (None, None)), "cycle_time": ("log", 1, (None, 480.0))},
    "pump": {"inflow": ("log", 1, (None, 600.0)), "turbidity": ("log", 1, (None, 5000.0))},
    "survey": {"horiz": ("lin", 0, (-450.0, 450.0)), "vert": ("lin", 0, (-450.0, 450.0))},
    "cutter": {"wear": ("log", 1, (None, 45.0))},
}

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "tbm": ("tbm", "ring", "chainage", "mode", "advance", "thrust", "torque", "face_pressure", "bearing_temp",
            "stroke"),
    "settle": ("point", "settlement", "delta", "face_dist", "method", "cycle"),
    "gas": ("station", "ch4", "co", "o2", "velocity", "temp", "seq"),
    "ring": ("tbm", "ring", "key", "build_time", "lipping", "ovality", "taper", "operator", "status"),
    "shift": ("tbm", "shift", "foreman", "rings_built", "downtime", "cause", "note"),
    "hazard": ("ticket_no", "revision", "location", "category", "reporter", "note"),
    "grout": ("tbm", "ring", "volume", "fill", "grout_pressure", "gel_time"),
    "conveyor": ("belt", "speed", "load", "current", "gearbox_temp", "tracking", "tonnage"),
    "train": ("train", "tbm", "ring", "cars", "mass", "cycle_time", "driver"),
    "pump": ("sump", "level", "inflow", "current", "runtime", "turbidity", "starts"),
    "survey": ("tbm", "ring", "horiz", "vert", "roll", "pitch"),
    "cutter": ("tbm", "disc", "wear", "changed", "access", "chamber_pressure"),
    "collapse": ("tbm", "ring", "chainage", "overbreak", "note"),
    "inrush": ("tbm", "chainage", "inflow", "note"),
    "methane": ("station", "ch4", "occurrences", "note"),
    "stall": ("tbm", "ring", "torque_pct", "note"),
    "sinkhole": ("address", "diameter", "note"),
}

# How each measured number is written: field -> (quantity, decimals in the canonical unit). Fields not here
# are integers (counters, ids) or words.
QTY: dict[str, tuple[str, int]] = {
    "advance": ("mmmin", 1), "thrust": ("force", 0), "torque": ("torque", 2), "face_pressure": ("press", 2),
    "bearing_temp": ("temp", 1), "settlement": ("mm", 1), "delta": ("mm", 1), "face_dist": ("m", 1),
    "build_time": ("min", 0), "lipping": ("mm", 1), "ovality": ("mm", 1), "volume": ("m3", 2), "fill": ("pct", 1),
    "grout_pressure": ("press", 2), "gel_time": ("sec", 1), "ch4": ("lel", 1), "co": ("ppm", 1), "o2": ("pct", 2),
    "velocity": ("ms", 2), "temp": ("temp", 1), "speed": ("ms", 2), "load": ("tph", 0), "current": ("amp", 1),
    "gearbox_temp": ("temp", 1), "tracking": ("mm", 1), "mass": ("t", 1), "cycle_time": ("min", 1),
    "level": ("pct", 0), "inflow": ("flow", 1), "runtime": ("hour", 1), "turbidity": ("ntu", 1), "horiz": ("mm", 0),
    "vert": ("mm", 0), "roll": ("deg", 2), "pitch": ("permil", 1), "downtime": ("dmin", 0), "wear": ("mm", 1),
    "chamber_pressure": ("press", 2), "overbreak": ("m3", 1), "torque_pct": ("pct", 0), "diameter": ("m", 1),
}
INT_UNITS = {"stroke": "mm", "tonnage": "t"}  # integer counters whose field name carries a unit


@dataclass(frozen=True, slots=True)
class Unit:
    """How a world writes one quantity: value = canonical x factor, ``shift`` more decimals."""

    factor: float
    shift: int
    sym: str  # inside a value (strings worlds) and in brackets (zh, da spaced)
    latin: str  # a token in ASCII-ish field names (da snake/kebab/camel, zh pinyin)
    native: str = ""  # the token a Hebrew field name carries


def _u(factor: float, shift: int, sym: str, latin: str, native: str = "") -> Unit:
    return Unit(factor, shift, sym, latin, native or sym)


# quantity -> dialect -> ((weight, Unit), ...): the world draws one per quantity.
UNITS: dict[str, dict[str, tuple[tuple[float, Unit], ...]]] = {
    "press": {"zh": ((0.6, _u(0.1, 1, "MPa", "mpa")), (0.4, _u(1.0, 0, "bar", "bar"))),
              "he": ((0.5, _u(1.0, 0, "בר", "bar")), (0.5, _u(100.0, -2, "kPa", "kpa"))),
              "da": ((1.0, _u(1.0, 0, "bar", "bar")),)},
    "force": {"zh": ((1.0, _u(1.0, 0, "kN", "kn")),),
              "he": ((0.6, _u(1.0, 0, "kN", "kn")), (0.4, _u(0.001, 2, "MN", "mn"))),
              "da": ((0.6, _u(1.0, 0, "kN", "kn")), (0.4, _u(0.001, 2, "MN", "mn")))},
    "torque": {"zh": ((1.0, _u(1000.0, -2, "kN·m", "knm")),),
               "he": ((0.5, _u(1000.0, -2, "kNm", "knm")), (0.5, _u(1.0, 0, "MNm", "mnm"))),
               "da": ((1.0, _u(1.0, 0, "MNm", "mnm")),)},
    "flow": {"zh": ((1.0, _u(3.6, 0, "m³/h", "m3h")),),
             "he": ((0.7, _u(1.0, 0, "ל׳/ש׳", "ls")), (0.3, _u(3.6, 0, "מ״ק/שעה", "m3h"))),
             "da": ((0.6, _u(1.0, 0, "l/s", "ls")), (0.4, _u(3.6, 0, "m³/h", "m3h")))},
    "lel": {"zh": ((1.0, _u(0.044, 2, "%", "pct")),),
            "he": ((0.5, _u(1.0, 0, "%LEL", "lel")), (0.5, _u(440.0, -1, "ppm", "ppm"))),
            "da": ((1.0, _u(1.0, 0, "%LEL", "lel")),)},
    "dmin": {"zh": ((0.5, _u(1 / 60, 1, "h", "h")), (0.5, _u(1.0, 0, "min", "min"))),
             "he": ((1.0, _u(1.0, 0, "דק׳", "min")),),
             "da": ((1.0, _u(1.0, 0, "min", "min")),)},
}
# Quantities every world of a dialect writes alike: quantity -> (zh, he, da) symbols, latin token, Hebrew
# token (else the symbol).
_FIXED: dict[str, tuple[tuple[str, str, str], str, str]] = {
    "mmmin": (("mm/min", "מ״מ/דק׳", "mm/min"), "mmmin", ""),
    "temp": (("℃", "°C", "°C"), "c", "מעלות"),
    "mm": (("mm", "מ״מ", "mm"), "mm", ""),
    "m": (("m", "מ׳", "m"), "m", "מטר"),
    "min": (("min", "דק׳", "min"), "min", "דקות"),
    "m3": (("m³", "מ״ק", "m³"), "m3", ""),
    "pct": (("%", "%", "%"), "pct", "אחוז"),
    "sec": (("s", "שנ׳", "s"), "s", "שניות"),
    "ppm": (("ppm", "ppm", "ppm"), "ppm", ""),
    "ms": (("m/s", "מ׳/ש׳", "m/s"), "ms", ""),
    "tph": (("t/h", "טון/שעה", "t/h"), "th", ""),
    "amp": (("A", "A", "A"), "a", "אמפר"),
    "t": (("t", "טון", "t"), "t", ""),
    "hour": (("h", "שע׳", "timer"), "h", "שעות"),
    "ntu": (("NTU", "NTU", "NTU"), "ntu", ""),
    "deg": (("°", "°", "°"), "grader", "מעלות"),
    "permil": (("‰", "‰", "‰"), "promille", "פרומיל"),
}
for _q, (_syms, _latin, _native) in _FIXED.items():
    UNITS[_q] = {d: ((1.0, _u(1.0, 0, _syms[i], "du" if (d, _q) == ("zh", "deg") else _latin,
                               _native if d == "he" else "")),) for i, d in enumerate(DIALECTS)}
_SYMBOLS = sorted({u.sym for per in UNITS.values() for opts in per.values() for _w, u in opts},
                  key=lambda s: (-len(s), s))
_QTY_TEXT = re.compile(r"(?P<n>-?\d+(?:[.,]\d+)?)(?: ?(?P<u>" + "|".join(re.escape(s) for s in _SYMBOLS) + r"))?")

# ---------------------------------------------------------------- vocabularies (zh, he, da)

KIND_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "tbm": (("盾构", "掘进"), ("התקדמות", "כרייה"), ("tbm", "fremdrift")),
    "settle": (("地表", "沉降"), ("שקיעת", "קרקע"), ("sætning", "måling")),
    "gas": (("通风", "气体"), ("ניטור", "גזים"), ("gas", "ventilation")),
    "ring": (("管片", "拼装"), ("הרכבת", "טבעת"), ("ring", "montage")),
    "shift": (("交接班", "记录"), ("דוח", "משמרת"), ("skift", "rapport")),
    "hazard": (("安全", "隐患"), ("מפגע", "בטיחות"), ("sikkerhed", "observation")),
    "grout": (("同步", "注浆"), ("הזרקת", "דייס"), ("bagfyldning", "injektion")),
    "conveyor": (("皮带", "输送"), ("מסוע", "עפר"), ("transport", "bånd")),
    "train": (("渣土", "运输"), ("רכבת", "עפר"), ("jord", "tog")),
    "pump": (("排水", "泵站"), ("משאבת", "ניקוז"), ("lænse", "pumpe")),
    "survey": (("导向", "测量"), ("ניווט", "מכונה"), ("styring", "opmåling")),
    "cutter": (("刀具", "检查"), ("בדיקת", "דיסקים"), ("rulleskærer", "eftersyn")),
    "collapse": (("掌子面", "坍塌"), ("קריסת", "חזית"), ("brystning", "kollaps")),
    "inrush": (("突涌水", "事件"), ("פריצת", "מים"), ("vand", "indbrud")),
    "methane": (("瓦斯", "报警"), ("אזעקת", "מתאן"), ("metan", "alarm")),
    "stall": (("刀盘", "卡死"), ("ראש", "חיתוך", "תקוע"), ("skærehoved", "fastkørt")),
    "sinkhole": (("地面", "塌陷"), ("בולען", "ברחוב"), ("synkehul", "terræn")),
}

# Field names: Chinese words carry their pinyin after a bar (the pinyin naming style writes that).
FIELD_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "tbm": (("盾构机|dungouji",), ("מכונה",), ("maskine",)),
    "ring": (("环号|huanhao",), ("מספר", "טבעת"), ("ring", "nr")),
    "chainage": (("里程|licheng",), ("קילומטראז׳",), ("stationering",)),
    "mode": (("工况|gongkuang",), ("מצב", "עבודה"), ("drifts", "tilstand")),
    "advance": (("推进|tuijin", "速度|sudu"), ("קצב", "התקדמות"), ("fremdrift", "hastighed")),
    "thrust": (("总推力|zongtuili",), ("כוח", "דחיפה"), ("tryk", "kraft")),
    "torque": (("刀盘|daopan", "扭矩|niuju"), ("מומנט", "ראש", "חיתוך"), ("moment", "skærehoved")),
    "face_pressure": (("土仓|tucang", "压力|yali"), ("לחץ", "חזית"), ("jordtryk", "kammer")),
    "bearing_temp": (("主轴承|zhuzhoucheng", "温度|wendu"), ("טמפרטורת", "מיסב", "ראשי"), ("temp", "hovedleje")),
    "stroke": (("油缸|yougang", "行程|xingcheng"), ("מהלך", "בוכנות"), ("cylinder", "slag")),
    "point": (("测点|cedian", "编号|bianhao"), ("נקודת", "מדידה"), ("målepunkt",)),
    "settlement": (("累计|leiji", "沉降|chenjiang"), ("שקיעה", "מצטברת"), ("sætning", "total")),
    "delta": (("本次|benci", "变化|bianhua"), ("שינוי", "אחרון"), ("sætning", "ændring")),
    "face_dist": (("距|ju", "掌子面|zhangzimian"), ("מרחק", "מהחזית"), ("afstand", "brystning")),
    "method": (("观测|guance", "方法|fangfa"), ("שיטת", "מדידה"), ("målemetode",)),
    "cycle": (("监测|jiance", "周期|zhouqi"), ("מחזור", "מדידה"), ("måle", "cyklus")),
    "key": (("封顶块|fengdingkuai", "点位|dianwei"), ("מיקום", "סגמנט", "מפתח"), ("nøglesten",)),
    "build_time": (("拼装|pinzhuang", "用时|yongshi"), ("זמן", "הרכבה"), ("montage", "tid")),
    "lipping": (("错台|cuotai",), ("מדרגה", "בין", "סגמנטים"), ("kant", "forskydning")),
    "ovality": (("椭圆度|tuoyuandu",), ("אובאליות",), ("ovalitet",)),
    "taper": (("管片|guanpian", "类型|leixing"), ("סוג", "טבעת"), ("ring", "type")),
    "operator": (("拼装手|pinzhuangshou",), ("מפעיל",), ("erektor", "fører")),
    "status": (("管片|guanpian", "状态|zhuangtai"), ("מצב", "סגמנטים"), ("tilstand",)),
    "volume": (("注浆量|zhujiangliang",), ("נפח", "דייס"), ("injektions", "mængde")),
    "fill": (("充填率|chongtianlv",), ("אחוז", "מילוי"), ("fyldnings", "grad")),
    "grout_pressure": (("注浆|zhujiang", "压力|yali"), ("לחץ", "הזרקה"), ("injektions", "tryk")),
    "gel_time": (("凝胶|ningjiao", "时间|shijian"), ("זמן", "ג׳ל"), ("gel", "tid")),
    "station": (("监测|jiance", "位置|weizhi"), ("מיקום", "חיישן"), ("målested",)),
    "ch4": (("甲烷|jiawan", "浓度|nongdu"), ("מתאן",), ("metan",)),
    "co": (("一氧化碳|yiyanghuatan",), ("פחמן", "חד", "חמצני"), ("kulilte",)),
    "o2": (("氧气|yangqi", "浓度|nongdu"), ("חמצן",), ("ilt",)),
    "velocity": (("风速|fengsu",), ("מהירות", "אוויר"), ("luft", "hastighed")),
    "temp": (("环境|huanjing", "温度|wendu"), ("טמפרטורה",), ("luft", "temp")),
    "seq": (("采样|caiyang", "序号|xuhao"), ("מספר", "דגימה"), ("prøve", "nr")),
    "belt": (("皮带机|pidaiji",), ("מסוע",), ("bånd",)),
    "speed": (("带速|daisu",), ("מהירות", "סרט"), ("bånd", "hastighed")),
    "load": (("瞬时|shunshi", "运量|yunliang"), ("תפוקה",), ("belastning",)),
    "current": (("电机|dianji", "电流|dianliu"), ("זרם", "מנוע"), ("motor", "strøm")),
    "gearbox_temp": (("减速机|jiansuji", "温度|wendu"), ("טמפרטורת", "תיבת", "הילוכים"), ("gear", "temp")),
    "tracking": (("跑偏|paopian", "量|liang"), ("סטיית", "סרט"), ("side", "løb")),
    "tonnage": (("累计|leiji", "运量|yunliang"), ("טונאז׳", "מצטבר"), ("tonnage", "total")),
    "train": (("列车|lieche", "编号|bianhao"), ("רכבת",), ("tog",)),
    "cars": (("渣车|zhache", "节数|jieshu"), ("מספר", "קרונות"), ("antal", "vogne")),
    "mass": (("每环|meihuan", "出渣量|chuzhaliang"), ("מסת", "חפירה", "לטבעת"), ("masse", "pr", "ring")),
    "cycle_time": (("往返|wangfan", "时间|shijian"), ("זמן", "סבב"), ("omløbs", "tid")),
    "driver": (("司机|siji",), ("נהג", "קטר"), ("lokofører",)),
    "sump": (("集水井|jishuijing",), ("בור", "שאיבה"), ("pumpe", "sump")),
    "level": (("水位|shuiwei",), ("מפלס", "מים"), ("vand", "stand")),
    "inflow": (("涌水量|yongshuiliang",), ("ספיקת", "חדירה"), ("tilstrømning",)),
    "runtime": (("累计|leiji", "运行|yunxing", "时间|shijian"), ("שעות", "פעולה"), ("drifts", "timer")),
    "turbidity": (("浊度|zhuodu",), ("עכירות",), ("turbiditet",)),
    "starts": (("启动|qidong", "次数|cishu"), ("מספר", "הפעלות"), ("antal", "starter")),
    "horiz": (("水平|shuiping", "偏差|piancha"), ("סטייה", "אופקית"), ("afvigelse", "vandret")),
    "vert": (("垂直|chuizhi", "偏差|piancha"), ("סטייה", "אנכית"), ("afvigelse", "lodret")),
    "roll": (("滚动角|gundongjiao",), ("גלגול",), ("rulning",)),
    "pitch": (("俯仰角|fuyangjiao",), ("שיפוע",), ("hældning",)),
    "shift": (("班次|banci",), ("משמרת",), ("skift",)),
    "foreman": (("值班|zhiban", "工长|gongzhang"), ("מנהל", "עבודה"), ("formand",)),
    "rings_built": (("完成|wancheng", "环数|huanshu"), ("טבעות", "שהורכבו"), ("ringe", "bygget")),
    "downtime": (("停机|tingji", "时间|shijian"), ("זמן", "השבתה"), ("stilstands", "tid")),
    "cause": (("停机|tingji", "原因|yuanyin"), ("סיבת", "עיכוב"), ("årsag",)),
    "note": (("备注|beizhu",), ("הערה",), ("bemærkning",)),
    "ticket_no": (("隐患|yinhuan", "编号|bianhao"), ("מספר", "דיווח"), ("sags", "nr")),
    "revision": (("版本|banben",), ("עדכון",), ("revision",)),
    "location": (("位置|weizhi",), ("מיקום",), ("sted",)),
    "category": (("隐患|yinhuan", "类别|leibie"), ("סוג", "מפגע"), ("kategori",)),
    "reporter": (("上报人|shangbaoren",), ("מדווח",), ("indberetter",)),
    "disc": (("刀位|daowei", "编号|bianhao"), ("מספר", "דיסק"), ("rulle", "nr")),
    "wear": (("磨损量|mosunliang",), ("שחיקה",), ("slid",)),
    "changed": (("是否|shifou", "更换|genghuan"), ("הוחלף",), ("udskiftet",)),
    "access": (("进仓|jincang", "方式|fangshi"), ("סוג", "כניסה"), ("adgang",)),
    "chamber_pressure": (("舱内|cangnei", "气压|qiya"), ("לחץ", "אוויר", "בתא"), ("kammer", "overtryk")),
    "overbreak": (("坍方|tanfang", "方量|fangliang"), ("נפח", "מפולת"), ("udfald", "volumen")),
    "torque_pct": (("扭矩|niuju", "百分比|baifenbi"), ("אחוז", "מומנט"), ("moment", "procent")),
    "address": (("地点|didian",), ("כתובת",), ("adresse",)),
    "diameter": (("塌陷|taxian", "直径|zhijing"), ("קוטר",), ("diameter",)),
    "occurrences": (("报警|baojing", "次数|cishu"), ("מספר", "התרעות"), ("antal", "alarmer")),
}

# The priority field's name per form and dialect: none is a priority word in English.
PRIO_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "words": (("优先级|youxianji",), ("עדיפות",), ("prioritet",)),
    "scope": (("停工|tinggong", "范围|fanwei"), ("היקף", "עצירה"), ("stop", "omfang")),
    "crews": (("出动|chudong", "班组|banzu"), ("צוותים", "להזעקה"), ("hold", "udkaldt")),
    "signoff": (("复工|fugong", "签认|qianren"), ("אישור", "חזרה", "לעבודה"), ("frigives", "af")),
    "rings": (("剩余|shengyu", "可掘|kejue", "环数|huanshu"), ("טבעות", "עד", "טיפול"), ("ringe", "til", "afklaring")),
    "cordon": (("警戒|jingjie", "半径|banjing"), ("רדיוס", "גידור"), ("afspærring", "radius", "m")),
    "ppe": (("防护|fanghu", "要求|yaoqiu"), ("ציוד", "מגן", "נדרש"), ("krævede", "værnemidler")),
    "cadence": (("监测|jiance", "频率|pinlv"), ("תדירות", "מדידה"), ("måle", "frekvens")),
}

# What each word form writes per step 0..4.
PRIO_VALUES: dict[str, tuple[tuple[str, ...], ...]] = {
    "words": (("常规", "低", "中", "高", "紧急"),
              ("שגרתית", "נמוכה", "בינונית", "גבוהה", "קריטית"),
              ("normal", "lav", "middel", "høj", "kritisk")),
    # how much of the works must stop
    "scope": (("无需停工", "本工位", "掌子面区域", "全隧道", "全工地"),
              ("ללא עצירה", "נקודת העבודה", "אזור החזית", "כל המנהרה", "כל האתר"),
              ("intet stop", "arbejdsstedet", "brystningsområdet", "hele tunnelen", "hele pladsen")),
    # who must sign off before work resumes
    "signoff": (("无需签认", "班组长", "值班工程师", "项目经理", "安监站"),
                ("לא נדרש", "מנהל עבודה", "מהנדס משמרת", "מנהל פרויקט", "מפקח עבודה"),
                ("ingen", "sjakbajs", "vagthavende ingeniør", "projektchef", "Arbejdstilsynet")),
    # the protection required to go near it
    "ppe": (("常规防护", "防尘口罩", "便携式检测仪", "随身自救器", "正压呼吸器"),
            ("ציוד רגיל", "מסכת אבק", "גלאי גז אישי", "מסכת מילוט", "מנשם אוויר"),
            ("standard", "støvmaske", "personlig gasmåler", "selvredder", "friskluftsudstyr")),
    # how often the place is to be monitored from now on
    "cadence": (("每周", "每天", "每4小时", "每小时", "实时连续"),
                ("שבועי", "יומי", "כל 4 שעות", "כל שעה", "רציף"),
                ("ugentligt", "dagligt", "hver 4. time", "hver time", "kontinuerligt")),
}
RINGS_STEPS = ((60, 400), (20, 59), (6, 19), (1, 5), (0, 0))  # rings the TBM may still advance, per step
CORDON_BANDS = (5, 20, 80, 300)  # a cordon radius in metres: below 5 routine, then steps 1-4

# ---- values
TBM_NAMES = (("中铁1号", "中铁2号", "铁建3号", "盾构5号", "海瑞号", "春风号", "京华号", "长江号"),
             ("אורה", "נעמה", "שרה", "דבורה", "רות", "מרים", "אסתר", "חנה"),
             ("Eva", "Minerva", "Nora", "Tria", "Ellen", "Tove", "Karen", "Sigrid"))
PEOPLE = (("张伟", "王芳", "李强", "刘洋", "陈静", "杨磊", "赵勇", "黄敏", "周杰", "吴娟"),
          ("יוסי", "מיכל", "אבי", "שירה", "משה", "רונית", "דוד", "נועה", "מוחמד", "חוסאם"),
          ("Jens", "Mette", "Lars", "Kirsten", "Søren", "Pia", "Bjørn", "Åse", "Mikkel", "Lærke"))
MODES = (("掘进", "拼装", "停机"), ("כרייה", "הרכבת טבעת", "עצירה"), ("fremdrift", "ringbygning", "stilstand"))
METHODS = (("自动化监测", "全站仪", "水准测量"), ("פריזמה אוטומטית", "תחנה כוללת", "פילוס"),
           ("automatisk prisme", "totalstation", "nivellement"))
TAPERS = (("标准环", "左转弯环", "右转弯环"), ("ישרה", "שמאלית", "ימנית"), ("lige", "venstre", "højre"))
RING_STATUS = (("正常", "边角破损", "止水条调整"), ("תקין", "שבב בפינה", "אטם יושר"),
               ("ok", "afskallet hjørne", "pakning justeret"))
CRACKED_SEGMENT = ("管片开裂", "סגמנט סדוק", "revnet segment")
STATIONS = (("掌子面", "台车尾部", "隧道中部", "洞口", "竖井底"),
            ("חזית", "גרר אחורי", "אמצע המנהרה", "פורטל", "תחתית הפיר"),
            ("brystning", "bagudtræk", "tunnelmidte", "portal", "skaktbund"))
SHIFTS = (("早班", "中班", "夜班"), ("בוקר", "ערב", "לילה"), ("dag", "aften", "nat"))
CAUSES = (("无", "等待渣车", "管片供应", "换刀", "设备维修", "停电", "测量复核", "浆液供应"),
          ("אין", "המתנה לרכבת", "אספקת סגמנטים", "החלפת דיסקים", "תחזוקה", "הפסקת חשמל", "בדיקת מדידות",
           "אספקת דייס"),
          ("ingen", "venter på tog", "segmentlevering", "værktøjsskift", "vedligehold", "strømsvigt",
           "kontrolopmåling", "mørtellevering"))
UXO_FOUND = ("发现未爆弹药", "נמצאה תחמושת שלא התפוצצה", "fund af ueksploderet ammunition")
SHIFT_NOTES = (("掘进正常，姿态良好", "渣土改良效果一般，已加泡沫剂", "管片到场延迟半小时", "盾尾油脂注入正常",
                "交班时设备运转正常", "地面监测数据稳定"),
               ("הכרייה התקדמה כרגיל", "הוספנו קצף לשיפור הקרקע", "אספקת הסגמנטים התעכבה בחצי שעה",
                "הזרקת גריז לזנב כרגיל", "הציוד תקין בהחלפת המשמרת", "נתוני הניטור יציבים"),
               ("fremdrift som planlagt", "jordkonditionering justeret med mere skum",
                "segmentlevering forsinket en halv time", "halefedt påført som normalt", "alt udstyr kører ved vagtskifte",
                "overvågningsdata stabile"))
HAZARD_CATEGORIES = (("松散土体", "高处坠物", "地面湿滑", "用电安全", "车辆运输", "动火作业", "带压作业", "噪声"),
                     ("קרקע רופפת", "נפילת חפצים", "רצפה חלקלקה", "חשמל", "כלי רכב", "עבודה חמה", "עבודה בלחץ אוויר",
                      "רעש"),
                     ("løs jord", "faldende genstand", "glat gangbro", "el-sikkerhed", "køretøjer", "varmt arbejde",
                      "trykluftarbejde", "støj"))
HAZARD_NOTES = (("台车走道有积水", "管片吊具钢丝绳磨损", "电缆挂钩脱落", "人行通道照明不足", "渣车制动距离偏长",
                 "灭火器过期未换"),
                ("מים עומדים במעבר בגרר", "כבל ההרמה של הסגמנטים שחוק", "וו תליית כבלים נפל", "תאורה חלשה במעבר הולכי רגל",
                 "מרחק בלימה ארוך לרכבת העפר", "מטף כיבוי שפג תוקפו"),
                ("vand på gangbroen i bagudtrækket", "slidt wire på segmentløfteren", "kabelkrog faldet ned",
                 "for lidt lys på gangvejen", "lang bremselængde på jordtoget", "brandslukker over eftersynsdato"))
YES_NO = (("是", "否"), ("כן", "לא"), ("ja", "nej"))
ACCESS = (("常压", "带压"), ("אוויר חופשי", "אוויר דחוס"), ("fri luft", "trykluft"))
RARE_NOTES: dict[str, tuple[tuple[str, ...], ...]] = {
    "collapse": (("掌子面土体失稳", "土仓压力骤降", "出土量明显超方"),
                 ("קריסה בחזית הכרייה", "ירידה חדה בלחץ התא", "כמות עפר חריגה"),
                 ("ustabil brystning", "pludseligt trykfald i kammeret", "markant overudgravning")),
    "inrush": (("盾尾涌水", "螺旋输送机喷涌", "管片接缝渗漏加剧"),
               ("חדירת מים מזנב המכונה", "פרץ מים מהבורג", "דליפה גוברת בין הסגמנטים"),
               ("vand ved skjoldhalen", "udblæsning ved sneglen", "tiltagende lækage i fugerne")),
    "methane": (("掌子面瓦斯超限", "台车区域瓦斯报警", "传感器报警已复核"),
                ("מתאן מעל הסף בחזית", "התרעת מתאן באזור הגרר", "ההתרעה אומתה ידנית"),
                ("metan over grænsen ved brystningen", "metanalarm i bagudtrækket", "alarmen verificeret manuelt")),
    "stall": (("刀盘被卡", "扭矩超限停机", "疑似孤石"),
              ("ראש החיתוך נתקע", "עצירה בגלל מומנט יתר", "חשד לסלע בודד"),
              ("skærehovedet sidder fast", "stop på grund af overmoment", "mistanke om kampesten")),
    "sinkhole": (("路面出现塌陷坑", "人行道下沉", "管线附近地面塌陷"),
                 ("בור נפער בכביש", "שקיעת מדרכה", "קריסת קרקע ליד צנרת"),
                 ("hul i vejbanen", "fortovet er sunket", "jordfald ved ledningsanlæg")),
}
STREETS = (("人民路", "解放大道", "中山路", "建设街", "和平路"),
           ("רחוב הרצל", "דרך בגין", "רחוב אלנבי", "שדרות רוטשילד", "רחוב יפו"),
           ("Nørrebrogade", "Vesterbrogade", "Østerbrogade", "Jagtvej", "Amagerbrogade"))
_RARE_VALUES = frozenset(CRACKED_SEGMENT + UXO_FOUND)

# Simplified -> traditional characters (a Hong Kong or Taiwanese subcontractor's software re-typing a value).
_TRAD = dict(zip(
    "进装机准测仪动监标环转弯边损条调车竖应换设备维电复浆无体处坠湿辆输运业带压声张伟强刘陈静杨磊赵黄杰吴号铁长京华"
    "风报检过钢丝绳缆挂钩脱长灭时态剂稳数据剧缝区认实连续计项经师签组罩携随护尘规个队紧丝线开门场迟",
    "進裝機準測儀動監標環轉彎邊損條調車豎應換設備維電複漿無體處墜濕輛輸運業帶壓聲張偉強劉陳靜楊磊趙黃傑吳號鐵長京華"
    "風報檢過鋼絲繩纜掛鉤脫長滅時態劑穩數據劇縫區認實連續計項經師簽組罩攜隨護塵規個隊緊絲線開門場遲", strict=True))
_WIDE = {"+": "＋", "-": "－", ",": "，"}
_FOLD_DA = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa"))


def world_form(seed: int) -> tuple[str, str]:
    """A world's dialect and priority form: the first two draws of its generator."""
    rng = random.Random(seed)
    return DIALECTS[rng.randrange(3)], PRIORITY_FORMS[rng.randrange(len(PRIORITY_FORMS))]


def _cap(w: str) -> str:
    return w[:1].upper() + w[1:]


def style_kind(words: tuple[str, ...], style: str) -> str:
    """A kind name in a naming style."""
    if style == "upper":
        return "_".join(w.upper() for w in words)
    if style == "pascal":
        return "".join(_cap(w) for w in words)
    if style == "bracket":
        return f"【{words[0]}】" + "".join(words[1:])
    sep = {"dotted": ".", "slash": "/", "joined": "", "snake": "_", "spaced": " ", "maqaf": "־"}[style]
    return sep.join(words)


def style_field(words: tuple[str, ...], style: str) -> str:
    """A field name in a naming style (Chinese words written ``汉字|pinyin``)."""
    if style == "pinyin":
        return "_".join(w.split("|")[1] for w in words)
    words = tuple(w.split("|")[0] for w in words)
    if style == "camel":
        return words[0] + "".join(_cap(w) for w in words[1:])
    sep = {"snake": "_", "kebab": "-", "spaced": " ", "joined": "", "maqaf": "־"}[style]
    return sep.join(words)


def read_number(v: object) -> float | None:
    """The number a field value writes (a plain number or a quantity string with its unit), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    m = _QTY_TEXT.fullmatch(str(v))
    return float(m["n"].replace(",", ".")) if m else None


def to_space(x: float, space: str) -> float:
    if space == "log":
        return math.log(max(x, 1e-9))
    if space == "log1p":
        return math.log1p(max(x, 0.0))
    return x


def from_space(y: float, space: str) -> float:
    if space == "log":
        return math.exp(y)
    if space == "log1p":
        return math.expm1(y)
    return y


def _pct(xs: list[float], q: float) -> float:
    """The ``q`` quantile of sorted ``xs`` (linear between order statistics)."""
    pos = q * (len(xs) - 1)
    i = math.floor(pos)
    j = min(i + 1, len(xs) - 1)
    return xs[i] * (1.0 - (pos - i)) + xs[j] * (pos - i)


def _phi_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _count(rng: random.Random, mean: float) -> int:
    """A Poisson count: unit-rate exponential arrivals before ``mean``."""
    k, clock = 0, rng.expovariate(1.0)
    while clock < mean:
        k += 1
        clock += rng.expovariate(1.0)
    return k


_UNIT_NORMAL = statistics.NormalDist()


@dataclass(frozen=True, slots=True)
class Stat:
    """A watched number's routine centre and spread (in ``space``), measured when the world is made."""

    centre: float
    spread: float
    space: str


@dataclass(slots=True)
class _Tbm:
    name: str
    line: str  # zh chainage prefix: Y (right line) or Z (left line)
    slurry: bool
    diameter: float
    ring_len: float
    x0: float  # chainage of ring 0, m
    ring: int
    stroke: int
    face: float  # face support pressure set point, bar
    face_sd: float
    face_amp: float  # share the set point follows the cover along the drive
    face_period: float  # m
    thrust: float  # kN while advancing
    torque: float  # MNm while advancing
    rpm: float
    advance: float  # mm/min median
    advancing: float  # share of working time spent boring (the rest builds rings)
    bearing: float  # °C
    build: float  # ring build minutes median
    lipping: float  # mm median
    ovality: float  # mm median
    fill: float  # grout fill ratio %
    fill_sd: float
    annulus: float  # m3 of annular gap per ring
    grout_over: float  # bar over the face pressure
    gel: float  # s
    bias_h: float
    bias_v: float
    steer_sd: float
    roll: float
    gradient: float  # ‰
    discs: int
    wear: float  # mm median since the last inspection
    hyperbaric: float  # share of interventions under compressed air
    mass: float  # t of muck per ring
    cars: int
    cycle: float  # train round trip, min
    rings_per_shift: float
    # conveyor
    belt_speed: float
    belt_load: float
    belt_current: float
    belt_gear: float
    belt_track: float
    belt_track_sd: float
    belt_running: float
    tonnage: int


@dataclass(slots=True)
class _Station:
    tbm: int
    name: str
    co: float
    velocity: float
    o2_drop: float
    temp: float
    seq: int


@dataclass(slots=True)
class _Sump:
    name: str
    inflow: float
    turbidity: float
    level: float
    current: float
    running: float
    runtime: float
    starts: int


@dataclass(slots=True)
class _Burst:
    kind: str
    head: int
    sem: dict[str, Any]
    origin: str
    importance: float
    fields: dict[str, Any]


class TunnelWorkload:
    """One tunnel project's site stream (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.dialect = DIALECTS[rng.randrange(3)]
        self.prio_form = PRIORITY_FORMS[rng.randrange(len(PRIORITY_FORMS))]
        self.prio_mode = self.prio_form  # the name other families give it
        d = self.dialect
        self.di = DIALECTS.index(d)
        self.kind_style = rng.choice(KIND_STYLES[d])
        self.field_style = rng.choice(FIELD_STYLES[d])
        self.strings = (d == "da" and rng.random() < 0.55) or (d == "he" and rng.random() < 0.45)
        self.wide_parens = d == "zh" and rng.random() < 0.5
        self.units: dict[str, Unit] = {}
        for q in sorted(UNITS):
            opts = UNITS[q][d]
            self.units[q] = rng.choices([u for _w, u in opts], weights=[w for w, _u in opts])[0]
        muck = "conveyor" if rng.random() < 0.6 else "train"
        picked = rng.sample(["grout", muck, "pump", "survey", "cutter"], rng.randint(2, 4))
        self.common = tuple(k for k in COMMON_KINDS if k in ALWAYS_PRESENT or k in picked)
        picked_rare = rng.sample(RARE_KINDS, rng.randint(1, 3))
        self.rare = tuple(k for k in RARE_KINDS if k in picked_rare)
        self.kinds = self.common + self.rare
        self.kind_names = {k: style_kind(KIND_WORDS[k][self.di], self.kind_style) for k in self.kinds}
        self.kind_of = {name: k for k, name in self.kind_names.items()}
        self.keys = {sem: self._key(sem, words[self.di]) for sem, words in FIELD_WORDS.items()}
        self.prio_key = style_field(PRIO_WORDS[self.prio_form][self.di], self.field_style)
        # case rates (per fresh arrival) and clocks
        self.raise_rate = rng.uniform(0.09, 0.2)
        self.anomaly_rate = rng.uniform(0.022, 0.036)
        self.rare_value_rate = rng.uniform(0.015, 0.03)
        self.dup_rate = rng.uniform(0.05, 0.068)
        self.near_rate = rng.uniform(0.062, 0.082)
        self.resend_rate = rng.uniform(0.008, 0.015)
        self.burst_rate = rng.uniform(0.008, 0.013)
        self.tail_extra = rng.uniform(3.0, 7.0)
        self.recent = rng.randint(5, 14)
        self.lost_poll = rng.uniform(0.01, 0.05)
        self.mean_gap_ms = math.exp(rng.uniform(math.log(100.0), math.log(2500.0)))
        self.burst_gap_ms = self.mean_gap_ms * rng.uniform(0.03, 0.1)
        self.tz = rng.randrange(24)
        self.maint_start = rng.uniform(4.0, 8.0)
        self.maint_len = rng.uniform(1.5, 3.5)
        self._make_site()
        n_orig = rng.randint(3, 8)
        self.origins: tuple[str, ...] = tuple(rng.sample(ORIGIN_IDS, n_orig))
        roles = ["office", "scada", "monitoring"] + [f"tbm{i}" for i in range(len(self.tbms))] + ["guidance",
                                                                                                 "logistics"]
        self.role_origin = {r: self.origins[i % n_orig] for i, r in enumerate(roles)}
        weights = {"tbm": 3.0, "settle": 2.2, "gas": 2.4, "ring": 0.9, "shift": 0.55, "hazard": 0.9, "grout": 0.8,
                   "conveyor": 1.6, "train": 0.9, "pump": 1.4, "survey": 1.5, "cutter": 0.6}
        w = {k: weights[k] * rng.lognormvariate(0.0, 0.3) for k in self.common}
        if "grout" in w:  # grout follows ring builds: its share is the rings'
            w["grout"] = 0.85 * w["ring"]
        rare_share = {k: rng.uniform(0.0015, 0.007) for k in self.rare}
        scale = (1.0 - sum(rare_share.values())) / sum(w.values())
        self.share = {k: v * scale for k, v in w.items()} | rare_share
        self.stats: dict[str, dict[str, Stat]] = {}
        self._calibrate(random.Random(seed * 104_729 + 31))
        self._heap: list[tuple[float, int, tuple[Any, ...]]] = []
        self._tails: list[tuple[float, int, int]] = []
        self._seq = 0
        self._sources: list[tuple[str, str, int, float]] = []  # what, kind, device, mean gap (ms)
        self._bursts: list[_Burst] = []
        self._news: list[tuple[str, dict[str, Any], str, float]] = []
        self.last_ts = 0
        self._started = False

    # ------------------------------------------------------------ the world

    def _key(self, sem: str, words: tuple[str, ...]) -> str:
        name = style_field(words, self.field_style)
        if sem in QTY and not self.strings:
            unit = self.units[QTY[sem][0]]
        elif sem in INT_UNITS:
            unit = Unit(1.0, 0, INT_UNITS[sem], INT_UNITS[sem], {"mm": "מ״מ", "t": "טון"}[INT_UNITS[sem]])
        else:
            return name
        style = self.field_style
        if self.dialect == "zh":
            if style == "pinyin":
                return f"{name}_{unit.latin}"
            return f"{name}（{unit.sym}）" if self.wide_parens else f"{name}({unit.sym})"
        if self.dialect == "he":
            return name + {"snake": "_", "spaced": " ", "maqaf": "־"}[style] + unit.native
        if style == "spaced":
            return f"{name} ({unit.sym})"
        if style == "camel":
            return name + _cap(unit.latin)
        return name + {"snake": "_", "kebab": "-"}[style] + unit.latin

    def _make_site(self) -> None:
        rng, d = self.rng, self.di
        self.road = rng.random() < 0.3
        n = rng.choice((1, 1, 2, 2, 2, 3))
        ring_len = rng.choice((1.2, 1.4, 1.5, 1.5, 1.6, 1.8, 2.0))
        face_base = rng.uniform(1.3, 2.9)
        names = rng.sample(TBM_NAMES[d], n)
        lines = rng.sample(("Y", "Z"), 2)
        self.tbms: list[_Tbm] = []
        for i in range(n):
            dia = rng.uniform(10.0, 14.5) if self.road else rng.uniform(6.0, 7.0)
            slurry = rng.random() < (0.6 if self.road else 0.25)
            mass = math.pi / 4.0 * dia ** 2 * ring_len * rng.uniform(1.85, 2.2)
            self.tbms.append(_Tbm(
                name=names[i], line=lines[i % 2], slurry=slurry, diameter=dia, ring_len=ring_len,
                x0=rng.uniform(0.0, 4_000.0), ring=rng.randint(40, 2_500), stroke=rng.randint(0, 1_500),
                face=face_base + rng.uniform(-0.15, 0.15), face_sd=rng.uniform(0.05, 0.1),
                face_amp=rng.uniform(0.02, 0.05), face_period=rng.uniform(250.0, 600.0),
                thrust=380.0 * dia ** 2 * rng.uniform(0.8, 1.2), torque=0.022 * dia ** 3 * rng.uniform(0.7, 1.3),
                rpm=12.0 / dia * rng.uniform(0.8, 1.2), advance=rng.uniform(25.0, 70.0),
                advancing=rng.uniform(0.5, 0.7), bearing=rng.uniform(32.0, 46.0), build=rng.uniform(22.0, 45.0),
                lipping=rng.uniform(1.5, 4.0), ovality=dia * rng.uniform(1.5, 3.0), fill=rng.uniform(112.0, 135.0),
                fill_sd=rng.uniform(0.025, 0.045),
                annulus=math.pi / 4.0 * ((dia + 2 * rng.uniform(0.11, 0.17)) ** 2 - dia ** 2) * ring_len,
                grout_over=rng.uniform(0.3, 0.9), gel=rng.uniform(6.0, 14.0), bias_h=rng.uniform(-15.0, 15.0),
                bias_v=rng.uniform(-15.0, 15.0), steer_sd=rng.uniform(8.0, 16.0), roll=rng.uniform(-0.4, 0.4),
                gradient=rng.uniform(-30.0, 30.0), discs=int(dia * rng.uniform(5.5, 7.0)),
                wear=rng.uniform(1.5, 4.0),
                hyperbaric=rng.uniform(0.3, 0.7) if slurry else rng.uniform(0.05, 0.25), mass=mass,
                cars=rng.randint(4, 8), cycle=rng.uniform(20.0, 55.0), rings_per_shift=rng.uniform(4.0, 12.0),
                belt_speed=rng.uniform(2.5, 4.0), belt_load=dia ** 2 * rng.uniform(5.0, 9.0),
                belt_current=rng.uniform(60.0, 250.0), belt_gear=rng.uniform(52.0, 70.0),
                belt_track=rng.uniform(-5.0, 5.0), belt_track_sd=rng.uniform(2.5, 5.0),
                belt_running=rng.uniform(0.7, 0.9), tonnage=rng.randint(100_000, 5_000_000)))
        self.tbm_weight = [1.0 / math.sqrt(i + 1) for i in range(n)]
        names = rng.sample(STATIONS[d], rng.randint(3, 5))
        self.stations = [_Station(tbm=rng.randrange(n), name=nm, co=rng.uniform(2.0, 7.0),
                                  velocity=rng.uniform(0.5, 1.6), o2_drop=rng.uniform(0.0, 0.15),
                                  temp=rng.uniform(18.0, 30.0), seq=rng.randint(1_000, 900_000)) for nm in names]
        self.ch4_zero = rng.uniform(0.72, 0.9)
        self.ch4_median = rng.uniform(0.8, 3.0)  # %LEL when there is any
        self.sumps = []
        for i in range(rng.randint(1, 4)):
            name = (f"{i + 1}号集水井", f"בור {i + 1}", f"PS{i + 1:02d}")[d]
            self.sumps.append(_Sump(name=name, inflow=rng.uniform(1.5, 14.0), turbidity=rng.uniform(4.0, 40.0),
                                    level=rng.uniform(25.0, 65.0), current=rng.uniform(8.0, 40.0),
                                    running=rng.uniform(0.5, 0.85), runtime=round(rng.uniform(100.0, 20_000.0), 1),
                                    starts=rng.randint(100, 9_000)))
        self.settle_max = rng.uniform(3.0, 12.0) * (1.3 if self.road else 1.0)  # mm, a point's median
        self.trough = rng.uniform(6.0, 14.0)  # m, longitudinal trough width
        self.settle_noise = rng.uniform(0.25, 0.55)
        self.point_spacing = rng.uniform(8.0, 15.0)
        self.read_step = rng.uniform(3.0, 12.0)  # m the face advances between a point's readings
        self.salt = rng.randrange(2 ** 31)
        self.cycle = rng.randint(1_000, 90_000)
        self.down_zero = rng.uniform(0.2, 0.45)
        self.down_median = rng.uniform(25.0, 70.0)
        self.ticket_no = rng.randint(100, 5_000)
        self.round_size = rng.uniform(3.0, 8.0)

    def _dev_count(self, kind: str) -> int:
        if kind in ("gas", "methane"):
            return len(self.stations)
        if kind == "pump":
            return len(self.sumps)
        return len(self.tbms)

    def _pick(self, kind: str, rng: random.Random) -> int:
        if kind in ("gas", "methane", "pump"):
            return rng.randrange(self._dev_count(kind))
        return rng.choices(range(len(self.tbms)), weights=self.tbm_weight)[0]

    def _origin(self, kind: str, dev: int) -> str:
        if kind in ("tbm", "ring", "grout", "stall"):
            role = f"tbm{dev}"
        elif kind in ("gas", "methane", "pump", "conveyor"):
            role = "scada"
        elif kind in ("settle", "sinkhole"):
            role = "monitoring"
        elif kind == "survey":
            role = "guidance"
        elif kind == "train":
            role = "logistics"
        else:
            role = "office"
        return self.role_origin[role]

    def _hour(self, t: float) -> float:
        return (t / 3_600_000.0 + self.tz) % 24.0

    def _maintenance(self, t: float) -> bool:
        return (self._hour(t) - self.maint_start) % 24.0 < self.maint_len

    def _activity(self, kind: str, t: float) -> float:
        """The share of a Poisson source's firings kept at ``t`` (rings stop, inspections come, in maintenance)."""
        m = self._maintenance(t)
        if kind == "ring":
            return 0.08 if m else 1.0
        if kind == "cutter":
            return 1.0 if m else 0.3
        return 1.0

    def _mean_activity(self, kind: str) -> float:
        f = self.maint_len / 24.0
        return {"ring": (1 - f) + 0.08 * f, "cutter": 0.3 * (1 - f) + f}.get(kind, 1.0)

    def _smax(self, dev: int, pid: int) -> float:
        """A settlement point's final settlement (mm): log-normal, fixed per point by an integer hash."""
        h = (pid * 2_654_435_761 + dev * 40_503 + self.salt) % 4_294_967_296
        z = _UNIT_NORMAL.inv_cdf((h + 0.5) / 4_294_967_296)
        return self.settle_max * math.exp(0.35 * z)

    def _chainage(self, tb: _Tbm, x: float) -> str:
        km, m = divmod(x, 1_000.0)
        if self.dialect == "zh":
            return f"{tb.line}K{int(km)}+{m:07.3f}"
        text = f"{int(km)}+{m:05.1f}"
        return text.replace(".", ",") if self.dialect == "da" else text

    # ------------------------------------------------------------ drawing routine values

    def _draw(self, kind: str, dev: int, t: float, rng: random.Random, *, calib: bool = False,
              advancing: bool = False) -> dict[str, Any]:
        """Raw values (canonical units) of one routine record; counters and ids come in :meth:`_stamp`."""
        d = self.di
        s: dict[str, Any] = {"_dev": dev}
        hour = self._hour(t)
        day = math.sin((hour - 9.0) / 24.0 * 2.0 * math.pi)  # +1 at 15 h, -1 at 3 h
        if kind in ("gas", "methane"):
            st = self.stations[dev]
            s["station"] = st.name
            if kind == "methane":
                s.update(ch4=rng.uniform(15.0, 60.0), note=rng.choice(RARE_NOTES[kind][d]))
                return s
            ch4 = 0.0 if rng.random() < self.ch4_zero else self.ch4_median * rng.lognormvariate(0.0, 0.5)
            s.update(ch4=ch4, co=st.co * rng.lognormvariate(0.0, 0.3), o2=20.93 - st.o2_drop + rng.gauss(0.0, 0.04),
                     velocity=st.velocity * rng.lognormvariate(0.0, 0.12),
                     temp=st.temp + 1.5 * day + rng.gauss(0.0, 0.6))
            return s
        if kind == "pump":
            sp = self.sumps[dev]
            inflow = sp.inflow * rng.lognormvariate(0.0, 0.25)
            running = rng.random() < sp.running
            s.update(sump=sp.name, inflow=inflow, level=min(98.0, max(4.0, sp.level + rng.gauss(0.0, 8.0))),
                     current=sp.current * (0.8 + 0.2 * inflow / sp.inflow) * rng.gauss(1.0, 0.03) if running else 0.0,
                     turbidity=sp.turbidity * rng.lognormvariate(0.0, 0.35))
            return s
        tb = self.tbms[dev]
        s["tbm"] = tb.name
        if kind == "tbm":
            if advancing:
                mode = 0
            elif self._maintenance(t) or rng.random() < 0.04:
                mode = 2
            else:
                mode = 0 if rng.random() < tb.advancing else 1
            x = tb.x0 + (rng.uniform(0.0, tb.face_period) if calib else tb.ring * tb.ring_len)
            face = tb.face * (1.0 + tb.face_amp * math.sin(2.0 * math.pi * x / tb.face_period))
            s.update(mode=MODES[d][mode], _mode=mode, face_pressure=face + rng.gauss(0.0, tb.face_sd),
                     bearing_temp=tb.bearing + (4.0 if mode == 0 else 0.0) + 1.2 * day + rng.gauss(0.0, 1.0))
            if mode == 0:
                s.update(advance=tb.advance * rng.lognormvariate(0.0, 0.22), thrust=tb.thrust * rng.gauss(1.0, 0.06),
                         torque=tb.torque * rng.lognormvariate(0.0, 0.15))
            else:
                s.update(advance=0.0, torque=0.0,
                         thrust=tb.thrust * (0.35 if mode == 1 else 0.15) * rng.gauss(1.0, 0.1))
        elif kind == "settle":
            ahead = rng.uniform(-140.0, 45.0)  # where the point lies from the face, m
            face_x = tb.ring * tb.ring_len
            pid = max(0, round((face_x + ahead) / self.point_spacing))
            ahead = pid * self.point_spacing - face_x
            smax = self._smax(dev, pid)
            z = -ahead / self.trough
            dens = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
            s.update(_pid=pid, settlement=-(smax * _phi_cdf(z)) + rng.gauss(0.0, self.settle_noise),
                     delta=-(smax * dens * self.read_step / self.trough) + rng.gauss(0.0, 0.7 * self.settle_noise),
                     face_dist=ahead, method=rng.choices(METHODS[d], weights=(6, 3, 1.5))[0])
        elif kind == "ring":
            s.update(key=rng.randint(1, 12), build_time=tb.build * rng.lognormvariate(0.0, 0.18),
                     lipping=tb.lipping * rng.lognormvariate(0.0, 0.3),
                     ovality=tb.ovality * rng.lognormvariate(0.0, 0.25),
                     taper=rng.choices(TAPERS[d], weights=(6, 2, 2))[0], operator=rng.choice(PEOPLE[d][:5]),
                     status=rng.choices(RING_STATUS[d], weights=(88, 8, 4))[0])
        elif kind == "grout":
            fill = tb.fill * rng.gauss(1.0, tb.fill_sd)
            s.update(fill=fill, volume=tb.annulus * fill / 100.0,
                     grout_pressure=tb.face + tb.grout_over + rng.gauss(0.0, 0.12), gel_time=rng.gauss(tb.gel, 1.2))
        elif kind == "conveyor":
            running = rng.random() < tb.belt_running
            load = tb.belt_load * rng.lognormvariate(0.0, 0.3) if running else 0.0
            s.update(belt=(f"{dev + 1}号皮带机", f"מסוע {dev + 1}", f"B{dev + 1}")[d],
                     speed=tb.belt_speed * rng.gauss(1.0, 0.01) if running else 0.0, load=load,
                     current=(tb.belt_current * (0.45 + 0.55 * load / tb.belt_load) * rng.gauss(1.0, 0.04)
                              if running else 0.0),
                     gearbox_temp=tb.belt_gear + (0.0 if running else -9.0) + rng.gauss(0.0, 2.0),
                     tracking=tb.belt_track + rng.gauss(0.0, tb.belt_track_sd), _running=running)
        elif kind == "train":
            s.update(train=(f"{dev + 1}号列车", f"רכבת {dev + 1}", f"tog {dev + 1}")[d],
                     cars=tb.cars, mass=tb.mass * rng.gauss(1.0, 0.025),
                     cycle_time=tb.cycle * rng.lognormvariate(0.0, 0.2), driver=rng.choice(PEOPLE[d][3:]))
        elif kind == "survey":
            s.update(horiz=tb.bias_h + rng.gauss(0.0, tb.steer_sd), vert=tb.bias_v + rng.gauss(0.0, 0.8 * tb.steer_sd),
                     roll=tb.roll + rng.gauss(0.0, 0.15), pitch=tb.gradient + rng.gauss(0.0, 0.5))
        elif kind == "shift":
            down = 0.0 if rng.random() < self.down_zero else min(400.0, self.down_median * rng.lognormvariate(0.0, 0.7))
            built = _count(rng, tb.rings_per_shift * (1.0 - down / 480.0))
            s.update(shift=SHIFTS[d][0 if 6 <= hour < 14 else 1 if 14 <= hour < 22 else 2],
                     foreman=rng.choice(PEOPLE[d][4:]), rings_built=built, downtime=down,
                     cause=CAUSES[d][0] if down == 0.0 else rng.choice(CAUSES[d][1:]), note=rng.choice(SHIFT_NOTES[d]))
        elif kind == "hazard":
            back = rng.randint(0, 400)
            if rng.random() < 0.6:
                loc = (f"第{max(1, tb.ring - back)}环", f"טבעת {max(1, tb.ring - back)}",
                       f"ring {max(1, tb.ring - back)}")[d]
            else:
                k = rng.randint(1, 6)
                loc = (f"{k}号台车", f"גרר {k}", f"bagudtræk {k}")[d]
            s.update(revision=1, location=loc, category=rng.choice(HAZARD_CATEGORIES[d]),
                     reporter=rng.choice(PEOPLE[d]), note=rng.choice(HAZARD_NOTES[d]))
        elif kind == "cutter":
            hyper = rng.random() < tb.hyperbaric
            wear = tb.wear * rng.lognormvariate(0.0, 0.28)
            s.update(disc=rng.randint(1, tb.discs), wear=wear,
                     changed=YES_NO[d][0 if wear > 1.15 * tb.wear or rng.random() < 0.1 else 1],
                     access=ACCESS[d][1 if hyper else 0],
                     chamber_pressure=tb.face * rng.gauss(1.0, 0.03) if hyper else 0.0)
        elif kind == "collapse":
            s.update(overbreak=rng.lognormvariate(math.log(8.0), 0.8), note=rng.choice(RARE_NOTES[kind][d]))
        elif kind == "inrush":
            s.update(inflow=rng.lognormvariate(math.log(60.0), 0.6), note=rng.choice(RARE_NOTES[kind][d]))
        elif kind == "stall":
            s.update(torque_pct=rng.uniform(100.0, 130.0), note=rng.choice(RARE_NOTES[kind][d]))
        elif kind == "sinkhole":
            street = rng.choice(STREETS[d])
            no = rng.randint(1, 180)
            s.update(address=(f"{street}{no}号", f"{street} {no}", f"{street} {no}")[d],
                     diameter=rng.uniform(0.8, 8.0), note=rng.choice(RARE_NOTES[kind][d]))
        return s

    @staticmethod
    def _derive(kind: str, s: dict[str, Any], moved: str, before: float) -> None:
        """What follows from a moved watched number (an anomaly, or a tail's drift)."""
        if kind == "settle" and moved == "delta":  # a sudden drop adds to what the point has settled
            s["settlement"] += s["delta"] - before
        elif kind == "grout" and moved == "fill":
            s["volume"] *= s["fill"] / before
        elif kind == "pump" and moved == "inflow" and s["inflow"] > before:
            s["level"] = min(100.0, s["level"] + 35.0 * (1.0 - before / s["inflow"]))
            if s["current"] > 0.0:
                s["current"] *= 1.0 + 0.2 * (s["inflow"] / before - 1.0) ** 0.5
        elif kind == "gas" and moved == "velocity" and s["velocity"] < before:
            s["temp"] += 2.0 * (1.0 - s["velocity"] / before)
        elif kind == "train" and moved == "mass" and s["mass"] > before:
            s["cycle_time"] *= 1.0 + 0.5 * (s["mass"] / before - 1.0)

    # ------------------------------------------------------------ writing values

    def _write(self, sem: str, x: Any) -> Any:
        if sem not in QTY or isinstance(x, str):
            return x
        q, dec = QTY[sem]
        u = self.units[q]
        dec = max(0, dec + u.shift)
        y = round(float(x) * u.factor, dec) + 0.0  # + 0.0: no negative zero
        if dec == 0:
            y = int(y)
        if not self.strings:
            return y
        text = str(y) if dec == 0 else f"{y:.{dec}f}"
        if self.dialect == "da":
            text = text.replace(".", ",")
        return f"{text} {u.sym}"

    def _canonical(self, sem: str, y: float) -> float:
        return y / self.units[QTY[sem][0]].factor

    def _fields(self, kind: str, s: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for sem in KIND_FIELDS[kind]:
            v = s[sem]
            if sem == "key":
                v = (f"{v}点", v, f"kl. {v}")[self.di]
            out[self.keys[sem]] = self._write(sem, v)
        if kind in CARRIERS:
            out[self.prio_key] = s["_prio"]
        return out

    # ------------------------------------------------------------ priority

    def _prio_value(self, step: int, rng: random.Random) -> Any:
        form, d = self.prio_form, self.di
        if form in PRIO_VALUES:
            return PRIO_VALUES[form][d][step]
        if form == "crews":
            n = rng.randint(4, 6) if step == 4 else step
            return ("无" if n == 0 else f"{n}个班组", n, n)[d]
        if form == "rings":
            lo, hi = RINGS_STEPS[step]
            n = lo if lo == hi else round(math.exp(rng.uniform(math.log(lo), math.log(hi + 1)) - 1e-9))
            n = min(hi, max(lo, n))
            return (f"{n}环", f"{n} טב׳", n)[d]
        # cordon radius, metres
        if step == 0:
            r = 0 if rng.random() < 0.65 else rng.randint(1, 3)
        else:
            r = rng.choice(((5, 10, 15), (20, 30, 40, 50, 60), tuple(range(80, 251, 10)),
                            tuple(range(300, 1_001, 50)))[step - 1])
        return (f"{r}米", f"{r} מ׳", r)[d]

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """The strength of the priority a record writes (0 when it writes none or a calm one)."""
        if kind not in CARRIERS:
            return 0.0
        v, form = fields[self.prio_key], self.prio_form
        if form in PRIO_VALUES:
            return STEP_STRENGTH[PRIO_VALUES[form][self.di].index(v)]
        n = v if isinstance(v, int) else 0 if v == "无" else int(re.match(r"\d+", v)[0])  # type: ignore[index]
        if form == "crews":
            return STEP_STRENGTH[min(n, 4)]
        if form == "rings":
            return STEP_STRENGTH[next(i for i, (lo, hi) in enumerate(RINGS_STEPS) if lo <= n <= hi)]
        return STEP_STRENGTH[sum(n >= b for b in CORDON_BANDS)]

    def _step(self, kind: str, rng: random.Random) -> int:
        if kind in ALWAYS_RAISED:
            return rng.choices((2, 3, 4), weights=(2, 2, 1))[0]
        if kind == "methane":
            return rng.choices((1, 2, 3, 4), weights=(1, 2, 2, 1))[0] if rng.random() < 0.5 else 0
        if rng.random() >= self.raise_rate:
            return 0
        return rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0]

    # ------------------------------------------------------------ truth

    def k_of(self, kind: str, fields: dict[str, Any]) -> float:
        """How far a record's watched numbers lie from their centres, in spreads (the largest)."""
        k = 0.0
        for key, st in self.stats.get(kind, {}).items():
            x = read_number(fields.get(key))
            if x is not None:
                k = max(k, abs(to_space(x, st.space) - st.centre) / st.spread)
        return k

    def truth(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        k = self.k_of(kind, fields)
        a = 0.0 if k < ANOMALY_FROM else min(1.0, (k - 2.5) / 4.0)
        p = self.priority_of(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in _RARE_VALUES for v in fields.values()) else 0.0
        r = rk or rv
        return noisy_or(0.04, 0.9 * a, 0.9 * p, r), main_reason(0.9 * a, 0.9 * p, r, rk)

    def _calibrate(self, rng: random.Random) -> None:
        for kind in self.common:
            if kind not in WATCHED:
                continue
            seen: dict[str, list[float]] = {sem: [] for sem in WATCHED[kind]}
            for _ in range(DRAWS):
                s = self._draw(kind, rng.randrange(self._dev_count(kind)), rng.uniform(0.0, 86_400_000.0), rng,
                               calib=True)
                for sem, (space, _t, _b) in WATCHED[kind].items():
                    x = read_number(self._write(sem, s[sem]))
                    assert x is not None
                    seen[sem].append(to_space(x, space))
            stats = {}
            for sem, (space, _t, _b) in WATCHED[kind].items():
                xs = sorted(seen[sem])
                dec = max(0, QTY[sem][1] + self.units[QTY[sem][0]].shift)
                floor = 10.0 ** -dec if space == "lin" else 0.01
                spread = max((_pct(xs, 0.975) - _pct(xs, 0.025)) / 3.92, floor)
                stats[self.keys[sem]] = Stat(_pct(xs, 0.5), spread, space)
            self.stats[kind] = stats

    def _k_raw(self, kind: str, s: dict[str, Any], only: str | None = None) -> float:
        k = 0.0
        for sem in WATCHED[kind]:
            if only is not None and sem != only:
                continue
            st = self.stats[kind][self.keys[sem]]
            x = read_number(self._write(sem, s[sem]))
            assert x is not None
            k = max(k, abs(to_space(x, st.space) - st.centre) / st.spread)
        return k

    def _routine(self, kind: str, dev: int, t: float, rng: random.Random, *, advancing: bool = False) -> dict[str, Any]:
        """A routine draw, drawn again while a watched number lies 4 spreads or more off."""
        for _ in range(80):
            s = self._draw(kind, dev, t, rng, advancing=advancing)
            if kind not in self.stats or self._k_raw(kind, s) < ROUTINE_UNDER:
                return s
        raise RuntimeError(f"no routine draw for {kind}")  # pragma: no cover

    def _make_anomalous(self, kind: str, s: dict[str, Any], rng: random.Random) -> bool:
        """Put one watched number 4.6-10.5 spreads off, the way that means trouble; what follows, follows."""
        sem = rng.choice(tuple(WATCHED[kind]))
        space, trouble, (lo, hi) = WATCHED[kind][sem]
        st = self.stats[kind][self.keys[sem]]
        for _ in range(40):
            sign = trouble or rng.choice((-1, 1))
            x = self._canonical(sem, from_space(st.centre + sign * rng.uniform(4.6, 10.5) * st.spread, space))
            if (lo is not None and x < lo) or (hi is not None and x > hi) or (space == "log1p" and x <= 0.0):
                continue
            trial = dict(s)
            trial[sem] = x
            self._derive(kind, trial, sem, s[sem])
            if self._k_raw(kind, trial, sem) >= ANOMALY_FROM and self._k_raw(kind, trial) <= ANOMALY_MAX:
                s.update(trial)
                return True
        return False

    # ------------------------------------------------------------ counters and ids

    def _stamp(self, kind: str, s: dict[str, Any], t: float, rng: random.Random) -> None:
        dev = s["_dev"]
        if kind in ("gas",):
            st = self.stations[dev]
            st.seq += 1
            s["seq"] = st.seq
            return
        if kind == "methane":
            s["occurrences"] = 1
            return
        if kind == "pump":
            sp = self.sumps[dev]
            sp.runtime = round(sp.runtime + rng.uniform(0.0, 0.2), 1)
            sp.starts += rng.random() < 0.1
            s.update(runtime=sp.runtime, starts=sp.starts)
            return
        if kind == "hazard":
            self.ticket_no += 1
            s["ticket_no"] = self.ticket_no
            return
        if kind not in ("shift", "sinkhole"):
            tb = self.tbms[dev]
            if kind == "ring":
                tb.ring += 1
                tb.stroke = rng.randint(0, 40)
                s["ring"] = tb.ring
            elif "ring" not in s:
                s["ring"] = tb.ring
            if kind == "tbm":
                if s["_mode"] == 0:
                    tb.stroke = min(int(tb.ring_len * 1_000) + 150, tb.stroke + rng.randint(5, 60))
                s["stroke"] = tb.stroke
            if kind in ("tbm", "collapse", "inrush"):
                s["chainage"] = self._chainage(tb, tb.x0 + tb.ring * tb.ring_len + tb.stroke / 1_000.0)
            if kind == "settle":
                self.cycle += 1
                s["cycle"] = self.cycle
                s["point"] = (f"DB{dev + 1}-{s['_pid']:03d}", f"נק׳ {dev + 1}-{s['_pid']:03d}",
                              f"MP{dev + 1}.{s['_pid']:03d}")[self.di]
            if kind == "conveyor":
                tb.tonnage += rng.randint(5, 60) if s["_running"] else 0
                s["tonnage"] = tb.tonnage

    # ------------------------------------------------------------ the stream

    def _push(self, t: float, action: tuple[Any, ...]) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, action))

    def _start(self, t0: float) -> None:
        rng = self.rng
        rate = 1.0 / self.mean_gap_ms  # fresh records per ms
        for kind in self.kinds:
            if kind == "grout":
                continue  # follows the rings
            if kind in POLLED:
                n = self._dev_count(kind)
                for dev in range(n):
                    period = n / (self.share[kind] * rate)
                    self._sources.append(("poll", kind, dev, period))
                    self._push(t0 + rng.uniform(0.0, period), ("src", len(self._sources) - 1))
            else:
                what = "round" if kind == "settle" else "poisson"
                per = self.round_size if kind == "settle" else self._mean_activity(kind)
                gap = per / (self.share[kind] * rate)
                self._sources.append((what, kind, -1, gap))
                self._push(t0 + rng.expovariate(1.0 / gap), ("src", len(self._sources) - 1))
        for what, r in (("dup", self.dup_rate), ("near", self.near_rate), ("resend", self.resend_rate),
                        ("burst", self.burst_rate)):
            self._sources.append((what, "", -1, 1.0 / (r * rate)))
            self._push(t0 + rng.expovariate(r * rate), ("src", len(self._sources) - 1))
        self._started = True

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """The next ``n`` records, labelled, starting at ``now_ms`` or just after the last batch."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        rng = self.rng
        t0 = float(max(now_ms, self.last_ts + 1))
        if not self._started:
            self._start(t0)
        if self._heap[0][0] < t0:  # the site kept working while nobody listened: its clocks move on
            lag = t0 - self._heap[0][0]
            self._heap = [(t + lag, q, a) for t, q, a in self._heap]
            heapq.heapify(self._heap)
        out: list[tuple[LabeledRecord, str]] = []
        self._bursts = []
        owed = 0
        pool: list[int] = []  # routine records and burst heads of this batch
        while len(out) < n:
            left = n - len(out)
            take_tail = bool(self._tails) and (left <= owed or self._tails[0][0] <= self._heap[0][0])
            if take_tail:
                t, _q, bi = heapq.heappop(self._tails)
                self._tail(out, bi, t)
                owed -= 1
                continue
            t, _q, action = heapq.heappop(self._heap)
            if action[0] == "fresh":  # a follow-up: a survey round's reading, a ring's grout record
                _tag, kind, dev, extra = action
                if self._fresh(out, kind, dev, t, extra):
                    pool.append(len(out) - 1)
                continue
            what, kind, dev, gap = self._sources[action[1]]
            if what == "poll":
                self._push(t + gap * rng.uniform(0.97, 1.03), action)
                if rng.random() >= self.lost_poll:
                    self._fresh(out, kind, dev, t)
                    pool.append(len(out) - 1)
                continue
            self._push(t + rng.expovariate(1.0 / gap), action)
            if what in ("dup", "near"):
                if pool:
                    self._copy(out, pool, t, near=what == "near")
            elif what == "resend":
                if self._news:
                    self._resend(out, t)
            elif what == "burst":
                tails = min(2 + int(rng.expovariate(1.0 / self.tail_extra)), 30, left - 1 - owed)
                if tails >= 2:
                    owed += self._head(out, t, tails)
                    pool.append(len(out) - 1)
            elif what == "round":  # a survey round: readings along one drive, a few seconds apart
                dev = self._pick("settle", rng)
                when = t
                for _ in range(1 + _count(rng, self.round_size - 1.0)):
                    self._push(when, ("fresh", "settle", dev, None))
                    when += self.mean_gap_ms * rng.uniform(0.3, 1.5)
            elif rng.random() < self._activity(kind, t) and self._fresh(out, kind, -1, t):
                pool.append(len(out) - 1)
        for lr, _kind in out:
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._news.append((lr.record.kind, lr.record.fields, lr.record.origin, lr.importance))
        del self._news[:-300]
        return [lr for lr, _kind in out]

    def _ts(self, t: float) -> int:
        self.last_ts = max(int(t), self.last_ts)
        return self.last_ts

    def _fresh(self, out: list[tuple[LabeledRecord, str]], kind: str, dev: int, t: float,
               extra: Any = None) -> bool:
        rng = self.rng
        if dev < 0:
            dev = self._pick(kind, rng)
        s = self._routine(kind, dev, t, rng)
        if kind in self.stats and rng.random() < self.anomaly_rate:
            self._make_anomalous(kind, s, rng)
        if kind in CARRIERS:
            s["_prio"] = self._prio_value(self._step(kind, rng), rng)
        if rng.random() < self.rare_value_rate:
            if kind == "ring":
                s["status"] = CRACKED_SEGMENT[self.di]
            elif kind == "shift" and s["downtime"] > 0.0:
                s["cause"] = UXO_FOUND[self.di]
        if extra is not None:
            s["ring"] = extra
        self._stamp(kind, s, t, rng)
        ts = self._ts(t)
        fields = self._fields(kind, s)
        imp, detail = self.truth(kind, fields)
        rec = Record.create(self.kind_names[kind], self._origin(kind, dev), ts, fields)
        out.append((LabeledRecord(rec, imp, "routine", -1, detail), kind))
        if kind == "ring" and "grout" in self.common:  # the ring's grout record comes a little later
            self._push(t + self.mean_gap_ms * rng.uniform(3.0, 30.0), ("fresh", "grout", dev, s["ring"]))
        return True

    def _head(self, out: list[tuple[LabeledRecord, str]], t: float, tails: int) -> int:
        """A burst head (news) with ``tails`` tails on the burst clock; returns the tails reserved."""
        rng = self.rng
        if "methane" in self.rare and rng.random() < 0.15:
            kind = "methane"
        else:
            kind = rng.choice([k for k in BURST_KINDS if k in self.common])
        dev = self._pick(kind, rng)
        s = self._routine(kind, dev, t, rng, advancing=True)
        if kind in self.stats:
            while not self._make_anomalous(kind, s, rng):
                pass
        if kind in CARRIERS:
            step = self._step(kind, rng) if kind == "methane" else rng.choice((1, 2, 3, 3, 4))
            s["_prio"] = self._prio_value(step, rng)
        self._stamp(kind, s, t, rng)
        ts = self._ts(t)
        fields = self._fields(kind, s)
        imp, detail = self.truth(kind, fields)
        origin = self._origin(kind, dev)
        rec = Record.create(self.kind_names[kind], origin, ts, fields)
        out.append((LabeledRecord(rec, imp, "burst_head", -1, detail), kind))
        self._bursts.append(_Burst(kind, len(out) - 1, s, origin, imp, fields))
        when = t
        for _ in range(tails):
            when += self.burst_gap_ms * rng.uniform(0.5, 1.5)
            self._seq += 1
            heapq.heappush(self._tails, (when, self._seq, len(self._bursts) - 1))
        return tails

    def _tail(self, out: list[tuple[LabeledRecord, str]], bi: int, t: float) -> None:
        rng = self.rng
        b = self._bursts[bi]
        s = b.sem
        for sem, (space, _t, _b) in WATCHED.get(b.kind, {}).items():  # the watched numbers drift a little
            st = self.stats[b.kind][self.keys[sem]]
            was = s[sem]
            y = to_space(read_number(self._write(sem, was)) or 0.0, space) + rng.gauss(0.0, 0.07 * st.spread)
            x = self._canonical(sem, from_space(y, space))
            s[sem] = max(x, 0.0) if space == "log1p" else x
            if sem in ("delta", "fill", "inflow", "velocity", "mass") and was:
                self._derive(b.kind, s, sem, was)
        dev = s["_dev"]
        if b.kind == "tbm":  # the counters run on with the tails
            tb = self.tbms[dev]
            tb.stroke = s["stroke"] = max(tb.stroke, s["stroke"]) + rng.randint(3, 25)
        elif b.kind == "settle":
            self.cycle = s["cycle"] = max(self.cycle, s["cycle"]) + 1
        elif b.kind == "gas":
            st = self.stations[dev]
            st.seq = s["seq"] = max(st.seq, s["seq"]) + 1
        elif b.kind == "pump":
            sp = self.sumps[dev]
            sp.starts = s["starts"] = max(sp.starts, s["starts"]) + 1
        elif b.kind == "conveyor":
            tb = self.tbms[dev]
            tb.tonnage = s["tonnage"] = max(tb.tonnage, s["tonnage"]) + rng.randint(5, 40)
        elif b.kind == "hazard":
            s["revision"] += 1
        elif b.kind == "methane":
            s["occurrences"] += 1
        fields = self._fields(b.kind, s)
        rec = Record.create(self.kind_names[b.kind], b.origin, self._ts(t), fields)
        imp = max(TAIL_MIN, TAIL_FACTOR * b.importance)
        out.append((LabeledRecord(rec, imp, "burst_tail", b.head, ""), b.kind))

    def _other_origin(self, origin: str) -> str:
        return self.rng.choice([o for o in self.origins if o != origin])

    def _copy(self, out: list[tuple[LabeledRecord, str]], pool: list[int], t: float, *, near: bool) -> None:
        rng = self.rng
        if rng.random() < 0.7:
            cands = pool[-self.recent:]
            i = rng.choices(cands, weights=[0.5 + 4.0 * out[j][0].importance for j in cands])[0]
        else:
            i = rng.choice(pool)
        src = out[i][0]
        fields = src.record.fields
        if near:
            fields = self._retype(fields)
            if fields is None:
                return
        other = rng.random() < (0.65 if near else 0.45)
        origin = self._other_origin(src.record.origin) if other else src.record.origin
        ts = self._ts(t)
        if ts == src.record.ts_ms and origin == src.record.origin and not near:
            ts = self.last_ts = ts + 1
        rec = Record.create(src.record.kind, origin, ts, fields)
        case, factor = ("near_dup", 0.1) if near else ("dup", 0.05)
        out.append((LabeledRecord(rec, factor * src.importance, case, i, ""), out[i][1]))

    def _retype_one(self, v: str | float) -> str | float | None:
        """How another system writes one value: None when it cannot differ."""
        rng = self.rng
        if isinstance(v, float):
            r = repr(v)
            if "e" in r or "." not in r or r.endswith(".0"):
                return None
            nv = round(v, len(r.split(".")[1]) - 1) + 0.0
            return nv if nv != v else None
        m = _QTY_TEXT.fullmatch(v)
        if m and m["u"]:  # a quantity string
            ways = [v.replace(" ", "", 1)]
            if self.dialect == "da":
                ways.append(v.replace(",", ".", 1))
            else:
                ways.append(v.replace("״", '"').replace("׳", "'"))
            ways = [w for w in ways if w != v]
            return rng.choice(ways) if ways else None
        if self.dialect == "zh":
            ways = ["".join(_TRAD.get(c, c) for c in v), "".join(_WIDE.get(c, c) for c in v)]
        elif self.dialect == "he":
            ways = [v.replace("״", '"').replace("׳", "'").replace("־", "-")]
            words = v.split(" ")
            if len(words) >= 2 and len(words[-1]) >= 4 and not any(c.isdigit() for c in words[-1]):
                ways.append(" ".join(words[:-1] + [words[-1][:2] + "׳"]))  # an abbreviation
        else:
            folded = v
            for a, b in _FOLD_DA:
                folded = folded.replace(a, b)
            ways = [folded, v.replace(",", "."), v.lower() if v[:1].isupper() else _cap(v)]
        ways = [w for w in ways if w != v]
        return rng.choice(ways) if ways else None

    def _retype(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        rng = self.rng
        keys = [k for k, v in fields.items() if k != self.prio_key and isinstance(v, str | float)
                and not isinstance(v, bool)]
        rng.shuffle(keys)
        want = 2 if rng.random() < 0.3 else 1
        out = dict(fields)
        changed = 0
        for k in keys:
            nv = self._retype_one(fields[k])
            if nv is not None and nv != fields[k]:
                out[k] = nv
                changed += 1
                if changed == want:
                    break
        return out if changed else None

    def _resend(self, out: list[tuple[LabeledRecord, str]], t: float) -> None:
        rng = self.rng
        kind_name, fields, origin, imp = self._news[rng.randrange(len(self._news))]
        same = rng.random() < 0.55
        rec = Record.create(kind_name, origin if same else self._other_origin(origin), self._ts(t), fields)
        out.append((LabeledRecord(rec, (0.01 if same else 0.02) * imp, "resend", -1, ""), self.kind_of[kind_name]))
