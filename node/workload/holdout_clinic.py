"""Held-out workload: hospital ward and clinic operations, in Italian, Turkish or Japanese romaji.

Theory of operation
===================

Written blind. Its author read only ``protocol/record.py`` (the Record type),
``protocol/keys.py`` (peer ids, PrivateKey), the definitions of ``noisy_or``,
``main_reason`` and ``LabeledRecord`` in ``node/workload/domains.py`` (a line
range around each, which also showed a few neighbouring lines), the shared
helpers in ``tests/node/holdout_checks.py`` and ``tests/node/test_holdout_rail.py``
(for test style and the case vocabulary), the ``[tool.ruff]`` section of
``pyproject.toml``, and by slip the first five lines (docstring and one import)
of ``tests/node/test_holdout_airspace.py``. Nothing of the importance model
(``node/attention/``), no other generator, no docs or scripts: the field names,
priority words and scales below are the author's own guesses of how hospital
staff and ward devices write, so the model meets data its authors never shaped.

The world
---------
A world (one seed) is a group of 3-6 wards or sites, each a node with an
Ed25519 peer id derived from seeded bytes. Every world writes in ONE dialect:

- ``it`` Italian: kinds are lowercase words joined by ``/`` (``monitor/parametri``),
  keys lowercase words joined by ``-`` with the unit after a colon
  (``pa-sistolica:mmhg``, ``velocita:ml/h``);
- ``tr`` Turkish: Title_Snake with Turkish letters (``Hasta_Monitörü``,
  ``Sistolik_Basınç_mmHg``);
- ``ja`` Japanese in romaji: kinds flat lowercase concatenation
  (``baitarusain``), keys lowerCamel ASCII (``shuushukukiKetsuatsuMmhg``).

Eleven common kinds exist (:data:`COMMON_KINDS`); a world uses 5-8 of them
with its own weights: bedside vitals (heart rate, SpO2 capped at 100, resp
rate, temperature, systolic BP, rhythm), infusion pumps (bimodal rate, a
volume-infused counter that grows per pump, occlusion pressure, drug, state),
lab panels (potassium, sodium, glucose, heavy-tailed lactate and troponin,
sample quality), nurse calls (heavy-tailed response time), porter transport,
the pharmacy dispensing cabinet, ward census, shift handover notes (free
text), autoclave cycles (a bimodal 134/121 C peak temperature, a cycle
counter), the oxygen manifold, and vaccine fridges (drifting temperature).
Units vary per world (:data:`FAMILIES`): temperature C or F, blood pressure
mmHg or kPa, glucose mg/dL or mmol/L, lactate mmol/L or mg/dL, troponin ng/L
or ug/L, gas pressure kPa, bar or psi, occlusion pressure mmHg, kPa or psi.
Categorical fields have dialect vocabularies, some with rare values
(concentrated potassium in a pump, a haemolysed sample, a failed autoclave
cycle, a bathroom emergency cord, an incubator transport...).

Five rare kinds exist (:data:`RARE_KINDS`); a world has 1-3, each well under 1%
of the stream: cardiac arrest and patient fall always carry high explicit
priority (:data:`ALWAYS_PRIORITY_RARE`); medication error, equipment recall and
visitor complaint never carry any (:data:`NEVER_PRIORITY_RARE`), and every
world has at least one of the latter.

Explicit priority
-----------------
Priority appears on the priority kinds (:data:`PRIORITY_KINDS`: lab, nurse
call, transport, pharmacy; a world has at least two) and on the always-priority
rare kinds, in a field whose name and encoding are the world's
(:data:`PRIORITY_MODES`). About 85% of such records sit at the lowest step.
Steps map to a strength in {0, 0.2, 0.55, 0.85, 1.0}:

- ``triage_word``: emergency-department triage colour or category in the
  dialect: Italian codes bianco < verde < azzurro < arancione < rosso; Turkish
  yeşil < sarı < kırmızı (three steps); Japanese JTAS hikinkyuu < teikinkyuu <
  junkinkyuu < kinkyuu < sosei;
- ``news2``: an integer early-warning score 0-20 with clinical thresholds
  (0-2 nothing, 3-4 low, 5-6 medium, 7-8 high, 9+ top);
- ``esi_down``: a descending acuity level 1-5 (1 is resuscitation);
- ``hl7_letter``: HL7 order priority letters R (routine) < P/C < T (timing
  critical) < A (ASAP) < S (STAT) [meant to be unfamiliar to a generic model];
- ``stat_flag``: a boolean urgent flag (urgente / Acil_Mi / shikyuu);
- ``code_text``: a free-text call note where overhead code words carry the
  urgency: "codice blu" / "mavi kod" / "koodo buruu" or the covert
  "dokutaa haato" (1.0), "codice rosso" / "beyaz kod" / "kinkyuu" (0.85),
  "urgente" / "acil" / "shikyuu" (0.55), "quando possibile" / "müsait olunca" /
  "hima na toki" (0.2); a negation does not count (Italian "non"/"nessun"
  before, Turkish "değil"/"yok" and Japanese "nai"/"arimasen" after)
  [meant to be unfamiliar];
- ``avpu``: the ACVPU consciousness letter, A (alert) < C (new confusion) <
  V < P/U [meant to be unfamiliar; "A" means the opposite of HL7's "A"].

In every world, handover notes also carry urgency in their text
(:data:`HANDOVER_MARKERS`, 0.85: "URGENTE", "ACİL", "SHIKYŪ", "rivalutare
subito"...), with negated forms ("non urgente", "acil değil", "shikyuu de wa
nai") that do not count. Text is matched accent- and case-folded.

Truth
-----
Per the definition (a record matters more when rare or anomalous, carries
explicit priority, or is novel; less when it is a copy or a burst's tail):

- ``routine`` and ``burst_head``: ``noisy_or(0.04, 0.9*a, 0.9*p, r)``, detail
  ``main_reason(0.9*a, 0.9*p, r, rk)``; ``a = anomaly_strength(k)`` where ``k``
  is the largest distance of a gauge field from the world's calibrated median
  in robust spreads ((q95-q05)/3.29 of 500 routine draws; heavy-tailed fields
  measured in log space); ``a`` is 0 below 5 spreads and 0.45..1 from there.
  About 3% of routine records get one gauge pushed 6-12 spreads out. ``p`` is
  the priority strength above; ``r`` is 0.5 for a rare kind (``rk``) or 0.45
  for a rare categorical value (novel against the window), else 0.
- ``burst_head``: a device chattering: a head that carries news (an anomaly
  or high priority), then 2-40 ``burst_tail`` records of the same kind, origin
  and keys within seconds, each worth ``min(0.02, 0.1*head)``.
- ``dup``: an exact copy (same fields) of a recent record in the batch, later
  or relayed by another ward: 0.05 of its source. ``near_dup``: another
  device's reading of the same event (rounded or nudged numbers, re-cased or
  accent-dropped words, re-typed codes): 0.1 of its source.
- ``resend``: an earlier batch's newsworthy record sent again: 0.01.

Deterministic in the seed: one ``random.Random`` (calibration draws from a
child generator it seeds), no string hashing, no set iteration. Imports nothing from ``node.attention``.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import FieldValue, Record

DIALECTS = ("it", "tr", "ja")
PRIORITY_MODES = ("triage_word", "news2", "esi_down", "hl7_letter", "stat_flag", "code_text", "avpu")
COMMON_KINDS = ("vitals", "pump", "lab", "nursecall", "transport", "pharmacy", "census", "handover",
                "autoclave", "o2", "fridge")
PRIORITY_KINDS = ("lab", "nursecall", "transport", "pharmacy")
RARE_KINDS = ("arrest", "fall", "med_error", "recall", "complaint")
ALWAYS_PRIORITY_RARE = ("arrest", "fall")
NEVER_PRIORITY_RARE = ("med_error", "recall", "complaint")
CASES = ("routine", "dup", "near_dup", "burst_head", "burst_tail", "resend")

ROUTINE_FLOOR = 0.04
RARE_KIND_RARITY = 0.5
RARE_VALUE_RARITY = 0.45
RARE_VALUE_P = 0.006
ANOMALY_K = 5.0  # robust spreads from the median where an anomaly starts
P_BURST, P_DUP, P_NEAR, P_RESEND = 0.014, 0.045, 0.045, 0.008
STEP_P = (0.0, 0.2, 0.55, 0.85, 1.0)
_NOMINAL_W = {0.0: 0.85, 0.2: 0.06, 0.55: 0.045, 0.85: 0.03, 1.0: 0.015}

# --- units -------------------------------------------------------------------------------------
#: family -> ((unit, factor, offset, decimals), ...); the first is the canonical unit.
FAMILIES: dict[str, tuple[tuple[str, float, float, int], ...]] = {
    "temp": (("C", 1.0, 0.0, 1), ("F", 1.8, 32.0, 1)),
    "bp": (("mmHg", 1.0, 0.0, 0), ("kPa", 0.133322, 0.0, 1)),
    "gluc": (("mg/dL", 1.0, 0.0, 0), ("mmol/L", 1 / 18.016, 0.0, 1)),
    "lact": (("mmol/L", 1.0, 0.0, 1), ("mg/dL", 9.008, 0.0, 0)),
    "trop": (("ng/L", 1.0, 0.0, 0), ("ug/L", 0.001, 0.0, 4)),
    "gas": (("kPa", 1.0, 0.0, 0), ("bar", 0.01, 0.0, 2), ("psi", 0.145038, 0.0, 1)),
    "occl": (("mmHg", 1.0, 0.0, 0), ("kPa", 0.133322, 0.0, 1), ("psi", 0.0193368, 0.0, 2)),
}
#: unit -> key suffix per dialect (it, tr, ja)
UNIT_TEXT = {
    "C": ("c", "C", "C"), "F": ("f", "F", "F"), "mmHg": ("mmhg", "mmHg", "Mmhg"),
    "kPa": ("kpa", "kPa", "Kpa"), "mg/dL": ("mg/dl", "mg_dL", "Mgdl"),
    "mmol/L": ("mmol/l", "mmol_L", "Mmoll"), "ng/L": ("ng/l", "ng_L", "Ngl"),
    "ug/L": ("ug/l", "µg_L", "Ugl"), "bar": ("bar", "Bar", "Bar"), "psi": ("psi", "Psi", "Psi"),
    "mL/h": ("ml/h", "mL_Saat", "Mlh"), "L/min": ("l/min", "L_Dk", "Lmin"), "mL": ("ml", "mL", "Ml"),
    "s": ("s", "Sn", "Byou"), "min": ("min", "Dk", "Fun"), "%": ("pct", "Yüzde", "Pct"),
}

# --- names ---------------------------------------------------------------------------------------
KIND_WORDS = {
    "vitals": ("monitor parametri", "Hasta Monitörü", "baitaru sain"),
    "pump": ("pompa infusione", "İnfüzyon Pompası", "yueki ponpu"),
    "lab": ("laboratorio referto", "Laboratuvar Sonucu", "kensa kekka"),
    "nursecall": ("chiamata infermiere", "Hemşire Çağrı", "naasu kooru"),
    "transport": ("trasporto barelliere", "Hasta Transferi", "kanja hansou"),
    "pharmacy": ("farmacia armadio", "Eczane Dolabı", "yakuzai kaato"),
    "census": ("reparto censimento", "Servis Doluluk", "byoushou kanri"),
    "handover": ("consegne turno", "Vardiya Devri", "moushi okuri"),
    "autoclave": ("sterilizzazione ciclo", "Sterilizasyon Döngüsü", "mekkin saikuru"),
    "o2": ("gas medicali", "Oksijen Santrali", "sanso manihoorudo"),
    "fridge": ("frigo vaccini", "Aşı Dolabı", "wakuchin reizouko"),
    "arrest": ("emergenza arresto", "Mavi Kod", "kyuuhen shinteishi"),
    "fall": ("evento caduta", "Hasta Düşmesi", "tentou tenraku"),
    "med_error": ("segnalazione errore-terapia", "İlaç Hatası", "toyaku inshidento"),
    "recall": ("avviso richiamo", "Cihaz Geri Çağırma", "kiki kaishuu"),
    "complaint": ("reclamo visitatore", "Ziyaretçi Şikayeti", "menkai kujou"),
}
WORDS = {
    "bed": ("letto", "Yatak", "beddo bangou"),
    "hr": ("fc", "Nabız", "myakuhaku"), "spo2": ("spo2", "SpO2", "spo2"),
    "rr": ("fr", "Solunum Sayısı", "kokyuu suu"), "temp": ("temperatura", "Ateş", "taion"),
    "sbp": ("pa sistolica", "Sistolik Basınç", "shuushukuki ketsuatsu"),
    "rhythm": ("ritmo", "Ritim", "shindenzu"),
    "rate": ("velocita", "Hız", "ryuusoku"), "vol": ("volume infuso", "Verilen Hacim", "ryuunyuu ryou"),
    "occl": ("pressione occlusione", "Tıkanma Basıncı", "heisoku atsu"),
    "pump_id": ("pompa", "Pompa No", "ponpu id"), "drug": ("farmaco", "İlaç", "yakuzai"),
    "state": ("stato", "Durum", "joutai"),
    "k": ("potassio", "Potasyum", "kariumu"), "lact": ("lattato", "Laktat", "nyuusan"),
    "trop": ("troponina", "Troponin", "toroponin"), "gluc": ("glicemia", "Glukoz", "kettouchi"),
    "na": ("sodio", "Sodyum", "natoriumu"), "sample": ("provetta", "Numune No", "kentai bangou"),
    "quality": ("idoneita campione", "Numune Durumu", "kentai joutai"),
    "calltype": ("tipo chiamata", "Çağrı Tipi", "kooru shubetsu"),
    "resp": ("tempo risposta", "Yanıt Süresi", "outou jikan"),
    "calls": ("chiamate turno", "Vardiya Çağrı Sayısı", "kinmu kooru suu"),
    "from": ("da", "Nereden", "shuppatsu"), "to": ("a", "Nereye", "touchaku"),
    "mode": ("mezzo", "Taşıma Şekli", "hansou houhou"), "wait": ("attesa", "Bekleme", "machi jikan"),
    "porters": ("barellieri", "Personel Sayısı", "tantousha suu"),
    "drawer": ("cassetto", "Çekmece", "hikidashi"), "qty": ("quantita", "Adet", "suuryou"),
    "open": ("apertura", "Açık Kalma", "kaihou jikan"), "override": ("override", "Zorla Açma", "kyousei kaihou"),
    "user": ("operatore", "Kullanıcı", "sousasha"), "outcome": ("esito", "Sonuç", "kekka"),
    "cap": ("posti letto", "Yatak Kapasitesi", "byoushou suu"), "occ": ("occupazione", "Doluluk", "kadouritsu"),
    "adm": ("ricoveri", "Yatış", "nyuuin"), "dis": ("dimissioni", "Taburcu", "taiin"),
    "iso": ("isolamenti", "İzolasyon", "kakuri"), "staff": ("infermieri in turno", "Nöbetçi Hemşire", "kinmu kangoshi"),
    "text": ("testo", "Not", "naiyou"), "shift": ("turno", "Vardiya", "kinmutai"), "role": ("ruolo", "Görev", "shokushu"),
    "cycle": ("ciclo n", "Döngü No", "saikuru bangou"), "ac_temp": ("temperatura picco", "Tepe Sıcaklık", "saikou ondo"),
    "hold": ("mantenimento", "Tutma Süresi", "hoji jikan"), "program": ("programma", "Program", "puroguramu"),
    "result": ("esito ciclo", "Döngü Sonucu", "hantei"),
    "line": ("pressione linea", "Hat Basıncı", "kaisen atsu"), "flow": ("flusso", "Akış", "ryuuryou"),
    "reserve": ("riserva", "Rezerv", "zanryou"), "bank": ("rampa", "Banka", "bonbe gun"),
    "fridge_id": ("frigo", "Dolap No", "reizouko id"), "f_temp": ("temperatura", "Sıcaklık", "ondo"),
    "hum": ("umidita", "Nem", "shitsudo"), "door": ("aperture porta", "Kapı Açılma", "tobira kaihei"),
    "alarm": ("allarme", "Alarm", "keihou"),
    "team": ("arrivo team", "Ekip Varış", "chiimu touchaku"), "desc": ("descrizione", "Açıklama", "gaiyou"),
    "injury": ("esito lesioni", "Yaralanma", "gaishou"), "stage": ("fase", "Aşama", "dankai"),
    "model": ("modello", "Model", "kishu"), "lot": ("lotto", "Lot No", "rotto"),
    "topic": ("motivo", "Konu", "naiyou bunrui"),
}
PRIO_WORDS = {
    "triage_word": ("codice colore", "Triaj Rengi", "toriaaji kubun"),
    "news2": ("news2", "NEWS2 Skoru", "news2 sukoa"),
    "esi_down": ("livello esi", "ESI Düzeyi", "esi reberu"),
    "hl7_letter": ("priorita ordine", "Order Önceliği", "oodaa yuusendo"),
    "stat_flag": ("urgente", "Acil Mi", "shikyuu"),
    "code_text": ("nota chiamata", "Çağrı Notu", "renraku memo"),
    "avpu": ("coscienza", "Bilinç", "ishiki reberu"),
}


def format_key(words: str, dialect: str, unit: str = "") -> str:
    """A field key in the dialect's style, the unit (if any) as a suffix."""
    toks = words.split()
    d = DIALECTS.index(dialect)
    suffix = UNIT_TEXT[unit][d] if unit else ""
    if dialect == "it":
        return "-".join(t.lower() for t in toks) + (":" + suffix if suffix else "")
    if dialect == "tr":
        return "_".join(t[0].upper() + t[1:] for t in toks) + ("_" + suffix if suffix else "")
    return toks[0].lower() + "".join(t.capitalize() for t in toks[1:]) + suffix


def format_kind(words: str, dialect: str) -> str:
    toks = words.split()
    if dialect == "it":
        return "/".join(t.lower() for t in toks)
    if dialect == "tr":
        return "_".join(toks)
    return "".join(t.lower() for t in toks)


# --- numeric fields ------------------------------------------------------------------------------
@dataclass(frozen=True)
class NumDef:
    fid: str
    dist: str  # norm, lnorm, bimod, drift, pois, unif, counter, cap
    params: tuple[float, ...]
    unit: str = ""  # a FAMILIES name, a fixed unit, or ""
    dec: int = 0  # decimals when the unit is not a family
    gauge: bool = False  # measured for anomalies
    log: bool = False  # heavy tailed: measured in log space
    dirs: str = "both"  # where an anomaly may be pushed: up, down, both
    lo: float = 0.0  # canonical bounds
    hi: float = 1e9


@dataclass(frozen=True)
class CatDef:
    fid: str
    values: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    rare: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())


NUMS: dict[str, tuple[NumDef, ...]] = {
    "vitals": (
        NumDef("hr", "norm", (78, 11), gauge=True, lo=25, hi=260),
        NumDef("spo2", "norm", (97.2, 1.3), gauge=True, dirs="down", lo=40, hi=100),
        NumDef("rr", "norm", (16, 2.2), gauge=True, dirs="up", lo=4, hi=70),
        NumDef("temp", "norm", (36.9, 0.35), "temp", gauge=True, lo=30, hi=43),
        NumDef("sbp", "norm", (124, 14), "bp", gauge=True, lo=40, hi=300),
    ),
    "pump": (
        NumDef("rate", "bimod", (0.7, 40, 12, 160, 35), "mL/h", 1, gauge=True, dirs="up", lo=0.5, hi=2000),
        NumDef("vol", "counter", (0, 200, 5, 60, 1000), "mL"),
        NumDef("occl", "norm", (90, 18), "occl", gauge=True, dirs="up", lo=5, hi=2000),
    ),
    "lab": (
        NumDef("k", "norm", (4.1, 0.35), "mmol/L", 1, gauge=True, lo=1.0, hi=12),
        NumDef("na", "norm", (139, 2.5), "mmol/L", 0, gauge=True, lo=95, hi=190),
        NumDef("gluc", "norm", (108, 18), "gluc", gauge=True, dirs="up", lo=20, hi=1500),
        NumDef("lact", "lnorm", (1.1, 0.35), "lact", gauge=True, log=True, dirs="up", lo=0.2, hi=40),
        NumDef("trop", "lnorm", (7, 0.8), "trop", gauge=True, log=True, dirs="up", lo=2, hi=1e6),
    ),
    "nursecall": (
        NumDef("resp", "lnorm", (70, 0.5), "s", gauge=True, log=True, dirs="up", lo=3, hi=36000),
        NumDef("calls", "pois", (4,)),
    ),
    "transport": (
        NumDef("wait", "lnorm", (12, 0.45), "min", gauge=True, log=True, dirs="up", lo=1, hi=2000),
        NumDef("porters", "unif", (1, 2)),
    ),
    "pharmacy": (
        NumDef("drawer", "unif", (1, 48)),
        NumDef("qty", "unif", (1, 4)),
        NumDef("open", "lnorm", (20, 0.4), "s", gauge=True, log=True, dirs="up", lo=2, hi=36000),
    ),
    "census": (
        NumDef("cap", "cap", ()),
        NumDef("occ", "norm", (86, 6), "%", gauge=True, dirs="up", lo=20, hi=400),
        NumDef("adm", "pois", (3,)), NumDef("dis", "pois", (3,)), NumDef("iso", "pois", (2,)),
        NumDef("staff", "norm", (8, 1.2), lo=1, hi=30),
    ),
    "handover": (),
    "autoclave": (
        NumDef("cycle", "counter", (1000, 40000, 1, 1, 0)),
        NumDef("ac_temp", "bimod", (0.75, 134.2, 0.4, 121.3, 0.4), "temp", gauge=True, lo=60, hi=200),
    ),
    "o2": (
        NumDef("line", "norm", (410, 6), "gas", gauge=True, lo=50, hi=1500),
        NumDef("flow", "norm", (160, 30), "L/min", gauge=True, dirs="up", lo=5, hi=3000),
        NumDef("reserve", "drift", (60, 25, 2), "%", lo=0, hi=100),
    ),
    "fridge": (
        NumDef("f_temp", "drift", (4.8, 0.9, 0.25), "temp", gauge=True, lo=-30, hi=40),
        NumDef("hum", "norm", (48, 5), "%", gauge=True, lo=1, hi=100),
        NumDef("door", "pois", (3,)),
    ),
}

_IT, _TR, _JA = 0, 1, 2
CATS: dict[str, tuple[CatDef, ...]] = {
    "vitals": (CatDef("rhythm", (
        ("sinusale", "sinusale", "tachicardia sinusale", "bradicardia sinusale"),
        ("sinüs ritmi", "sinüs ritmi", "sinüs taşikardisi", "sinüs bradikardisi"),
        ("douchouritsu", "douchouritsu", "dousei hinmyaku", "dousei jomyaku")),
        (("tachicardia ventricolare",), ("ventriküler taşikardi",), ("shinshitsu hinpaku",))),),
    "pump": (
        CatDef("drug", (
            ("fisiologica", "eparina", "noradrenalina", "insulina", "vancomicina", "propofol"),
            ("serum fizyolojik", "heparin", "noradrenalin", "insülin", "vankomisin", "propofol"),
            ("seishoku", "heparin", "noruadorenarin", "insurin", "bankomaishin", "puropohooru")),
            (("potassio concentrato",), ("konsantre potasyum",), ("kcl genneki",))),
        CatDef("state", (
            ("in infusione", "in infusione", "in pausa", "fine vicina"),
            ("infüzyonda", "infüzyonda", "duraklatıldı", "bitmek üzere"),
            ("yueki chuu", "yueki chuu", "ichiji teishi", "shuuryou chikai")),
            (("occlusione a valle",), ("hat tıkanıklığı",), ("heisoku keihou",))),
    ),
    "lab": (CatDef("quality", (("idoneo",), ("uygun",), ("tekisei",)),
                   (("emolizzato", "coagulato"), ("hemolizli", "pıhtılı"), ("youketsu", "gyouko"))),),
    "nursecall": (CatDef("calltype", (
        ("campanello", "bagno", "flebo finita", "dolore", "assistenza"),
        ("zil", "tuvalet", "serum bitti", "ağrı", "yardım"),
        ("yobidashi", "toire", "tenteki shuuryou", "toutsuu", "kaijo")),
        (("tirante doccia",), ("banyo acil kordonu",), ("yokushitsu hijou kooru",))),),
    "transport": (
        CatDef("from", (
            ("pronto soccorso", "radiologia", "sala operatoria", "medicina", "cardiologia", "dialisi"),
            ("acil servis", "radyoloji", "ameliyathane", "dahiliye", "kardiyoloji", "diyaliz"),
            ("kyuukyuu gairai", "houshasenka", "shujutsushitsu", "naika byoutou", "junkanki naika", "touseki shitsu"))),
        CatDef("to", (
            ("radiologia", "medicina", "sala operatoria", "cardiologia", "dialisi", "endoscopia"),
            ("radyoloji", "dahiliye", "ameliyathane", "kardiyoloji", "diyaliz", "endoskopi"),
            ("houshasenka", "naika byoutou", "shujutsushitsu", "junkanki naika", "touseki shitsu", "naishikyou"))),
        CatDef("mode", (
            ("letto", "carrozzina", "barella", "a piedi"),
            ("yatak", "tekerlekli sandalye", "sedye", "yürüyerek"),
            ("beddo", "kurumaisu", "sutorecchaa", "toho")),
            (("incubatrice",), ("küvöz",), ("hoikki",))),
    ),
    "pharmacy": (
        CatDef("drug", (
            ("paracetamolo", "morfina", "enoxaparina", "furosemide", "ceftriaxone", "omeprazolo"),
            ("parasetamol", "morfin", "enoksaparin", "furosemid", "seftriakson", "omeprazol"),
            ("asetoaminofen", "moruhine", "enokisaparin", "furosemido", "sefutoriakuson", "omepurazooru"))),
        CatDef("outcome", (("regolare",), ("tamam",), ("seijou",)),
               (("discrepanza conteggio",), ("sayım farkı",), ("suuryou fuicchi",))),
    ),
    "census": (),
    "handover": (
        CatDef("shift", (("mattina", "pomeriggio", "notte"), ("sabah", "akşam", "gece"),
                         ("nikkin", "junya", "shinya"))),
        CatDef("role", (("infermiere", "medico", "oss"), ("hemşire", "doktor", "hasta bakıcı"),
                        ("kangoshi", "ishi", "kango joshu"))),
    ),
    "autoclave": (CatDef("result", (("superato",), ("geçti",), ("goukaku",)),
                         (("fallito",), ("kaldı",), ("fugoukaku",))),),
    "o2": (
        CatDef("bank", (("A", "B"), ("A", "B"), ("A", "B"))),
        CatDef("state", (("normale",), ("normal",), ("seijou",)),
               (("commutazione emergenza",), ("acil geçiş",), ("kinkyuu kirikae",))),
    ),
    "fridge": (),
}
#: extra string / bool fields per kind (ids, text): generated by ``_extras``
EXTRAS = {
    "vitals": ("bed",), "pump": ("pump_id",), "lab": ("sample",), "nursecall": ("bed",),
    "transport": (), "pharmacy": ("user", "override"), "census": (), "handover": ("bed", "text"),
    "autoclave": ("program", "hold"), "o2": (), "fridge": ("fridge_id", "alarm"),
    "arrest": ("bed", "team", "desc"), "fall": ("bed", "injury", "desc"), "med_error": ("drug", "stage", "desc"),
    "recall": ("model", "lot", "desc"), "complaint": ("topic", "desc"),
}
BASE_WEIGHT = {"vitals": 3.0, "pump": 2.5, "lab": 2.0, "nursecall": 2.0, "transport": 1.2, "pharmacy": 1.5,
               "census": 0.6, "handover": 1.0, "autoclave": 0.6, "o2": 0.7, "fridge": 1.0}

# --- priority ------------------------------------------------------------------------------------
TRIAGE_WORDS = {
    "it": ((0.0, ("bianco",)), (0.2, ("verde",)), (0.55, ("azzurro",)), (0.85, ("arancione",)),
           (1.0, ("rosso",))),
    "tr": ((0.0, ("yeşil",)), (0.55, ("sarı",)), (1.0, ("kırmızı",))),
    "ja": ((0.0, ("hikinkyuu",)), (0.2, ("teikinkyuu",)), (0.55, ("junkinkyuu",)), (0.85, ("kinkyuu",)),
           (1.0, ("sosei",))),
}
CODE_PHRASES = {
    "it": ((1.0, "codice blu"), (0.85, "codice rosso"), (0.55, "urgente"), (0.2, "quando possibile")),
    "tr": ((1.0, "mavi kod"), (0.85, "beyaz kod"), (0.55, "acil"), (0.2, "müsait olunca")),
    "ja": ((1.0, "koodo buruu"), (1.0, "kodo buru"), (1.0, "dokutaa haato"), (0.85, "kinkyuu"),
           (0.85, "kinkyu"), (0.55, "shikyuu"), (0.55, "shikyu"), (0.2, "hima na toki")),
}
CODE_NOTES = {  # step strength -> note templates; the lowest step includes negated code words
    "it": {0.0: ("richiesta programmata", "controllo di routine", "non urgente",
                 "nessun codice blu, paziente vigile", "non è codice rosso"),
           0.2: ("quando possibile", "da fare quando possibile"),
           0.55: ("urgente", "richiesta urgente dal medico"),
           0.85: ("codice rosso", "CODICE ROSSO in stanza {bed}"),
           1.0: ("CODICE BLU letto {bed}", "codice blu")},
    "tr": {0.0: ("rutin istek", "planlı kontrol", "acil değil", "mavi kod değil, hasta uyanık"),
           0.2: ("müsait olunca", "müsait olunca bakılsın"),
           0.55: ("acil", "acil istek"),
           0.85: ("BEYAZ KOD", "beyaz kod, {bed}"),
           1.0: ("MAVİ KOD yatak {bed}", "mavi kod")},
    "ja": {0.0: ("teiki kakunin", "ruutin irai", "shikyuu de wa nai", "kinkyuu ja nai"),
           0.2: ("hima na toki ni onegai",),
           0.55: ("SHIKYŪ", "shikyuu onegai shimasu"),
           0.85: ("kinkyuu", "KINKYUU {bed}"),
           1.0: ("koodo buruu {bed}", "Dokutaa Haato {bed}")},
}
HANDOVER_MARKERS = {
    "it": ((0.85, "urgente"), (0.85, "rivalutare subito")),
    "tr": ((0.85, "acil"), (0.85, "hemen bakılmalı")),
    "ja": ((0.85, "shikyuu"), (0.85, "shikyu"), (0.85, "sugu kakunin")),
}
#: negation words: (before the phrase, within 2 words; after it, within 3 words), folded
NEGATIONS = {
    "it": (("non", "nessun", "nessuna", "niente", "senza"), ()),
    "tr": ((), ("degil", "yok", "gerekmiyor")),
    "ja": ((), ("nai", "janai", "arimasen", "nashi")),
}


def fold(text: str) -> str:
    """Lowercase without accents (Turkish dotless i included): how priority words are matched."""
    text = text.replace("ı", "i").replace("İ", "I")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def phrase_strength(text: str, phrases: tuple[tuple[float, str], ...], dialect: str) -> float:
    """The strongest phrase in ``text`` that no nearby negation cancels (0 if none)."""
    before_neg, after_neg = NEGATIONS[dialect]
    best = 0.0
    for clause in re.split(r"[.,;:!?\n]+", fold(text)):
        toks = re.findall(r"[a-z0-9]+", clause)
        for p, phrase in phrases:
            ph = fold(phrase).split()
            n = len(ph)
            for i in range(len(toks) - n + 1):
                if toks[i:i + n] != ph:
                    continue
                if any(t in before_neg for t in toks[max(0, i - 2):i]):
                    continue
                if any(t in after_neg for t in toks[i + n:i + n + 3]):
                    continue
                best = max(best, p)
    return best


def mode_steps(mode: str, dialect: str) -> tuple[tuple[float, tuple], ...]:
    """(strength, values) per step of a priority encoding, lowest first."""
    if mode == "triage_word":
        return TRIAGE_WORDS[dialect]
    if mode == "news2":
        return ((0.0, (0, 1, 2)), (0.2, (3, 4)), (0.55, (5, 6)), (0.85, (7, 8)), (1.0, tuple(range(9, 16))))
    if mode == "esi_down":
        return ((0.0, (5,)), (0.2, (4,)), (0.55, (3,)), (0.85, (2,)), (1.0, (1,)))
    if mode == "hl7_letter":
        return ((0.0, ("R",)), (0.2, ("P", "C")), (0.55, ("T",)), (0.85, ("A",)), (1.0, ("S",)))
    if mode == "stat_flag":
        return ((0.0, (False,)), (0.85, (True,)))
    if mode == "code_text":
        return tuple((p, CODE_NOTES[dialect][p]) for p in STEP_P)
    if mode == "avpu":
        return ((0.0, ("A",)), (0.55, ("C",)), (0.85, ("V",)), (1.0, ("P", "U")))
    raise ValueError(mode)


def priority_value(mode: str, dialect: str, v: object) -> float:
    """Strength of an explicit priority value in the world's encoding."""
    if mode == "news2":
        if isinstance(v, bool) or not isinstance(v, int):
            return 0.0
        return 0.0 if v <= 2 else 0.2 if v <= 4 else 0.55 if v <= 6 else 0.85 if v <= 8 else 1.0
    if mode == "esi_down":
        if isinstance(v, bool) or not isinstance(v, int):
            return 0.0
        return {1: 1.0, 2: 0.85, 3: 0.55, 4: 0.2}.get(v, 0.0)
    if mode == "stat_flag":
        return 0.85 if v is True else 0.0
    if not isinstance(v, str):
        return 0.0
    if mode == "code_text":
        return phrase_strength(v, CODE_PHRASES[dialect], dialect)
    table = {fold(str(val)): p for p, vals in mode_steps(mode, dialect) for val in vals}
    return table.get(fold(v).strip(), 0.0)


def anomaly_strength(k: float) -> float:
    """0 below ANOMALY_K robust spreads from the median; 0.45 there, rising to 1 at 16 spreads."""
    return 0.0 if k < ANOMALY_K else min(1.0, 0.45 + 0.05 * (k - ANOMALY_K))


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# --- free text -------------------------------------------------------------------------------------
STATUS = {
    "it": ("parametri stabili", "notte tranquilla", "dolore controllato", "alimentazione regolare",
           "mobilizzato con aiuto", "in attesa di esami", "diuresi conservata", "medicazione eseguita"),
    "tr": ("durumu stabil", "gece sakin geçti", "ağrısı kontrol altında", "beslenmesi normal",
           "yardımla mobilize edildi", "tetkik bekleniyor", "idrar çıkışı yeterli", "pansumanı yapıldı"),
    "ja": ("baitaru antei", "yakan heion", "toutsuu kontorooru ryoukou", "shokuji zenryou sesshu",
           "hokou kaijo de idou", "kensa machi", "nyouryou juubun", "shochi zumi"),
}
HANDOVER_URGENT = {
    "it": ("URGENTE: rivalutare il paziente", "rivalutare subito, {status}", "urgente, chiamare il medico"),
    "tr": ("ACİL: hasta tekrar değerlendirilmeli", "hemen bakılmalı, {status}", "acil, doktor çağrılsın"),
    "ja": ("SHIKYŪ: sai hyouka onegai shimasu", "sugu kakunin shite kudasai, {status}", "shikyuu ishi ni renraku"),
}
HANDOVER_NEGATED = {
    "it": ("non urgente", "nessuna urgenza", "non serve rivalutare subito"),
    "tr": ("acil değil", "aciliyeti yok", "hemen bakılmalı değil"),
    "ja": ("shikyuu de wa nai", "isogi ja nai", "sugu kakunin wa hitsuyou nai"),
}
RARE_TEXT = {
    "arrest": {"it": ("paziente non risponde, RCP in corso", "arresto cardiaco al letto {bed}, defibrillatore"),
               "tr": ("hasta yanıt vermiyor, KPR başlandı", "yatak {bed}: kardiyak arrest, defibrilatör"),
               "ja": ("kanja hannou nashi, shinpai sosei kaishi", "{bed} shinteishi, AED youkyuu")},
    "fall": {"it": ("caduta dal letto durante la notte", "scivolato in bagno, rialzato con aiuto"),
             "tr": ("gece yataktan düştü", "banyoda kaydı, yardımla kaldırıldı"),
             "ja": ("yakan ni beddo kara tenraku", "toire de tentou, kaijo de kiritsu")},
    "med_error": {"it": ("dose doppia somministrata, paziente monitorato", "farmaco sbagliato preparato, non somministrato"),
                  "tr": ("çift doz uygulandı, hasta izlemde", "yanlış ilaç hazırlandı, uygulanmadı"),
                  "ja": ("nibai ryou toyo, keika kansatsu chuu", "yakuzai machigai, toyo mae ni hakken")},
    "recall": {"it": ("avviso del produttore: sostituire il set di infusione", "lotto ritirato, verificare le scorte"),
               "tr": ("üretici uyarısı: infüzyon setini değiştirin", "lot geri çekildi, stokları kontrol edin"),
               "ja": ("meekaa kara no jishu kaishuu tsuuchi", "rotto kaishuu, zaiko kakunin onegai")},
    "complaint": {"it": ("il visitatore lamenta lunghe attese", "rumore nei corridoi di notte"),
                  "tr": ("ziyaretçi uzun bekleme süresinden şikayetçi", "gece koridorlarda gürültü"),
                  "ja": ("menkaisha kara machi jikan no kujou", "yakan no rouka no souon")},
}
RARE_CATS = {
    "injury": (("nessuna lesione", "contusione", "ferita lacero-contusa", "sospetta frattura"),
               ("yaralanma yok", "morluk", "kesi", "kırık şüphesi"),
               ("gaishou nashi", "dabokushou", "sashou", "kossetsu utagai")),
    "stage": (("prescrizione", "preparazione", "somministrazione"), ("reçete", "hazırlama", "uygulama"),
              ("shohou", "chouzai", "toyo")),
    "topic": (("orari visita", "parcheggio", "rumore notturno", "attesa"),
              ("ziyaret saatleri", "otopark", "gece gürültüsü", "bekleme süresi"),
              ("menkai jikan", "chuushajou", "yakan no souon", "machi jikan")),
    "program": (("standard 134", "gomma 121"), ("standart 134", "kauçuk 121"), ("hyoujun 134", "gomu 121")),
}


@dataclass(frozen=True)
class Gauge:
    """A gauge field's calibrated centre and robust spread (log space when ``log``), in world units."""

    median: float
    spread: float
    log: bool
    lo: float
    hi: float
    dirs: str
    dec: int


@dataclass
class _Burst:
    head: int
    kind: str
    origin: int
    fields: dict
    left: int


class ClinicWorkload:
    """One seeded hospital world: see the module docstring."""

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.seed = seed
        self.dialect = rng.choice(DIALECTS)
        self.prio_mode = rng.choice(PRIORITY_MODES)
        self._d = DIALECTS.index(self.dialect)
        self.units = {fam: rng.choice(opts)[0] for fam, opts in FAMILIES.items()}
        self.wards = tuple(PrivateKey(rng.randbytes(32)).peer_id for _ in range(rng.randint(3, 6)))
        common = list(rng.sample(COMMON_KINDS, rng.randint(5, 8)))
        while sum(k in PRIORITY_KINDS for k in common) < 2:
            drop = rng.choice([i for i, k in enumerate(common) if k not in PRIORITY_KINDS])
            common[drop] = rng.choice([k for k in PRIORITY_KINDS if k not in common])
        self.common = tuple(k for k in COMMON_KINDS if k in common)
        self.weights = tuple(BASE_WEIGHT[k] * rng.uniform(0.5, 2.0) for k in self.common)
        rare = list(rng.sample(RARE_KINDS, rng.randint(1, 3)))
        if not any(k in NEVER_PRIORITY_RARE for k in rare):
            rare[-1] = rng.choice(NEVER_PRIORITY_RARE)
        self.rare = tuple(k for k in RARE_KINDS if k in rare)
        self.rare_p = {k: rng.uniform(0.002, 0.006) for k in self.rare}
        self.anomaly_rate = 0.03
        self.handover_urgent, self.handover_negated = rng.uniform(0.04, 0.07), rng.uniform(0.08, 0.15)
        self._caps = tuple(rng.randint(18, 40) for _ in self.wards)
        self._period = rng.uniform(800.0, 3000.0)
        self._tick = 0
        self._clock = 0
        self._counters: dict[tuple[str, int, str], float] = {}
        self._news: list[tuple[str, str, dict]] = []
        # names
        self.kind_name = {k: format_kind(KIND_WORDS[k][self._d], self.dialect) for k in self.common + self.rare}
        self.kind_of = {v: k for k, v in self.kind_name.items()}
        self.keys: dict[str, dict[str, str]] = {}
        for k in self.common + self.rare:
            kk: dict[str, str] = {}
            for nd in NUMS.get(k, ()):
                kk[nd.fid] = format_key(WORDS[nd.fid][self._d], self.dialect, self._unit(nd))
            for cd in CATS.get(k, ()):
                kk[cd.fid] = format_key(WORDS[cd.fid][self._d], self.dialect)
            for fid in EXTRAS[k]:
                kk[fid] = format_key(WORDS[fid][self._d], self.dialect, "min" if fid == "hold" else
                                     "s" if fid == "team" else "")
            self.keys[k] = kk
        self.prio_key = format_key(PRIO_WORDS[self.prio_mode][self._d], self.dialect)
        self.steps = mode_steps(self.prio_mode, self.dialect)
        nominal = [_NOMINAL_W[p] for p, _ in self.steps]
        rest = sum(nominal[1:])
        self.step_weights = tuple([0.85] + [0.15 * w / rest for w in nominal[1:]])
        self.stats = self._calibrate(random.Random(rng.getrandbits(64)))

    # --- units and numbers -----------------------------------------------------------------------
    def _unit(self, nd: NumDef) -> str:
        return self.units.get(nd.unit, nd.unit)

    def _convert(self, nd: NumDef, x: float) -> tuple[float, int]:
        if nd.unit in FAMILIES:
            for unit, factor, offset, dec in FAMILIES[nd.unit]:
                if unit == self.units[nd.unit]:
                    return x * factor + offset, dec
        return x, nd.dec

    def _world(self, nd: NumDef, x: float) -> int | float:
        v, dec = self._convert(nd, x)
        return int(round(v)) if dec == 0 else round(v, dec)

    def _canon(self, nd: NumDef, rng: random.Random, origin: int, phase: float) -> float:
        p = nd.params
        if nd.dist == "norm":
            x = rng.gauss(p[0], p[1])
        elif nd.dist == "lnorm":
            x = p[0] * math.exp(rng.gauss(0.0, p[1]))
        elif nd.dist == "bimod":
            x = rng.gauss(p[1], p[2]) if rng.random() < p[0] else rng.gauss(p[3], p[4])
        elif nd.dist == "drift":
            x = p[0] + p[1] * math.sin(phase) + rng.gauss(0.0, p[2])
        elif nd.dist == "pois":
            x = _poisson(rng, p[0])
        elif nd.dist == "unif":
            x = rng.randint(int(p[0]), int(p[1]))
        elif nd.dist == "cap":
            x = self._caps[origin]
        else:
            raise ValueError(nd.dist)
        return min(nd.hi, max(nd.lo, x))

    def _calibrate(self, rng: random.Random) -> dict[str, dict[str, Gauge]]:
        stats: dict[str, dict[str, Gauge]] = {}
        for kind in self.common:
            per: dict[str, Gauge] = {}
            for nd in NUMS[kind]:
                if not nd.gauge:
                    continue
                xs = []
                for _ in range(500):
                    v = self._world(nd, self._canon(nd, rng, rng.randrange(len(self.wards)),
                                                    rng.uniform(0, 2 * math.pi)))
                    xs.append(math.log(max(v, 1e-9)) if nd.log else float(v))
                xs.sort()
                med = xs[len(xs) // 2]
                spread = (xs[int(0.95 * (len(xs) - 1))] - xs[int(0.05 * (len(xs) - 1))]) / 3.29
                if spread <= 0:
                    spread = max(abs(med) * 0.01, 1e-6)
                lo, dec = self._convert(nd, nd.lo)
                hi, _ = self._convert(nd, nd.hi)
                per[self.keys[kind][nd.fid]] = Gauge(med, spread, nd.log, lo, hi, nd.dirs, dec)
            if per:
                stats[kind] = per
        return stats

    # --- the definition ----------------------------------------------------------------------------
    def anomaly_k(self, kind: str, fields: dict[str, FieldValue]) -> float:
        """Largest distance of a gauge field from its calibrated median, in robust spreads."""
        k = 0.0
        for key, g in self.stats.get(kind, {}).items():
            v = fields.get(key)
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            x = math.log(max(float(v), 1e-9)) if g.log else float(v)
            k = max(k, abs(x - g.median) / g.spread)
        return k

    def priority_of(self, kind: str, fields: dict[str, FieldValue]) -> float:
        if kind == "handover":
            text = fields.get(self.keys["handover"]["text"])
            return phrase_strength(text, HANDOVER_MARKERS[self.dialect], self.dialect) if isinstance(text, str) else 0.0
        if self.prio_key not in fields:
            return 0.0
        return priority_value(self.prio_mode, self.dialect, fields[self.prio_key])

    def rarity_of(self, kind: str, fields: dict[str, FieldValue]) -> tuple[float, float]:
        """(rarity, its rare-kind part)."""
        rk = RARE_KIND_RARITY if kind in RARE_KINDS else 0.0
        rv = 0.0
        for cd in CATS.get(kind, ()):
            v = fields.get(self.keys[kind][cd.fid])
            if isinstance(v, str) and fold(v) in {fold(r) for r in cd.rare[self._d]}:
                rv = RARE_VALUE_RARITY
        return max(rk, rv), rk

    def score(self, kind: str, fields: dict[str, FieldValue]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head: (importance, detail)."""
        a = 0.9 * anomaly_strength(self.anomaly_k(kind, fields))
        p = 0.9 * self.priority_of(kind, fields)
        r, rk = self.rarity_of(kind, fields)
        return noisy_or(ROUTINE_FLOOR, a, p, r), main_reason(a, p, r, rk)

    # --- record content ---------------------------------------------------------------------------
    def _bed(self) -> str:
        n = self.rng.randint(1, 32)
        return (f"L{n:02d}", f"Y-{n}", f"{300 + n // 4}-{n % 4 + 1}")[self._d]

    def _prio(self, min_p: float = 0.0, bed: str = "") -> FieldValue:
        rng = self.rng
        if min_p > 0:
            top = max(p for p, _ in self.steps)
            step = rng.choice([s for s in self.steps if s[0] >= min(min_p, top)])
        else:
            step = rng.choices(self.steps, self.step_weights)[0]
        v = rng.choice(step[1])
        return v.format(bed=bed or self._bed()) if isinstance(v, str) else v

    def _cat(self, cd: CatDef, rare_ok: bool) -> str:
        rng = self.rng
        if rare_ok and cd.rare[self._d] and rng.random() < RARE_VALUE_P:
            return rng.choice(cd.rare[self._d])
        return rng.choice(cd.values[self._d])

    def _handover_text(self) -> str:
        rng, d = self.rng, self.dialect
        parts = [f"{self._bed()}: {rng.choice(STATUS[d])}" for _ in range(rng.randint(1, 3))]
        u = rng.random()
        if u < self.handover_urgent:
            parts.append(rng.choice(HANDOVER_URGENT[d]).format(status=rng.choice(STATUS[d])))
        elif u < self.handover_urgent + self.handover_negated:
            parts.append(rng.choice(HANDOVER_NEGATED[d]))
        return ". ".join(parts)

    def _fields(self, kind: str, origin: int, rare_ok: bool = True) -> dict[str, FieldValue]:
        rng, d, keys = self.rng, self._d, self.keys[kind]
        out: dict[str, FieldValue] = {}
        device = ""
        for fid in EXTRAS[kind]:
            if fid == "bed":
                out[keys[fid]] = self._bed()
            elif fid == "pump_id":
                device = (f"P{rng.randint(1, 12):02d}", f"İP-{rng.randint(1, 12)}", f"PN{rng.randint(1, 12)}")[d]
                out[keys[fid]] = device
            elif fid == "sample":
                out[keys[fid]] = ("ACC", "NUM", "KN")[d] + f"{rng.randint(0, 9999999):07d}"
            elif fid == "user":
                out[keys[fid]] = ("INF", "HEM", "KG")[d] + f"{rng.randint(1, 300):03d}"
            elif fid == "override":
                out[keys[fid]] = rng.random() < 0.05
            elif fid == "fridge_id":
                device = (f"FR{rng.randint(1, 4)}", f"AD-{rng.randint(1, 4)}", f"RZ{rng.randint(1, 4)}")[d]
                out[keys[fid]] = device
            elif fid == "alarm":
                out[keys[fid]] = rng.random() < 0.02
            elif fid == "text":
                out[keys[fid]] = self._handover_text()
            elif fid == "team":
                out[keys[fid]] = rng.randint(45, 300)
            elif fid == "desc":
                bed = out.get(keys.get("bed", ""))
                out[keys[fid]] = rng.choice(RARE_TEXT[kind][self.dialect]).format(
                    bed=bed if isinstance(bed, str) else self._bed())
            elif fid in ("injury", "stage", "topic"):
                out[keys[fid]] = rng.choice(RARE_CATS[fid][d])
            elif fid == "drug":  # medication error: a pharmacy drug
                out[keys[fid]] = rng.choice(CATS["pharmacy"][0].values[d])
            elif fid == "model":
                out[keys[fid]] = f"{rng.choice(('IP', 'VS', 'SP'))}-{rng.randint(1, 9)}00"
            elif fid == "lot":
                out[keys[fid]] = f"{rng.randint(20, 25)}{rng.randint(0, 99999):05d}"
        phase = 2 * math.pi * self._tick / self._period
        for nd in NUMS.get(kind, ()):
            if nd.dist == "counter":
                start_lo, start_hi, step_lo, step_hi, wrap = nd.params
                ck = (kind, origin, device)
                v = self._counters.get(ck)
                v = rng.uniform(start_lo, start_hi) if v is None else v + rng.uniform(step_lo, step_hi)
                if wrap and v > wrap:
                    v = rng.uniform(step_lo, step_hi)
                self._counters[ck] = v
                out[keys[nd.fid]] = int(v)
            else:
                out[keys[nd.fid]] = self._world(nd, self._canon(nd, rng, origin, phase))
        for cd in CATS.get(kind, ()):
            out[keys[cd.fid]] = self._cat(cd, rare_ok)
        if kind == "autoclave":  # the program follows the peak temperature's mode
            hot = out[keys["ac_temp"]] > self._convert(NUMS["autoclave"][1], 127.0)[0]
            out[keys["program"]] = RARE_CATS["program"][d][0 if hot else 1]
            out[keys["hold"]] = round(rng.gauss(4.0, 0.05) if hot else rng.gauss(20.0, 0.1), 1)
        bed = out.get(keys.get("bed", ""))
        bed = bed if isinstance(bed, str) else ""
        if kind in PRIORITY_KINDS:
            out[self.prio_key] = self._prio(0.0, bed)
        elif kind == "arrest":
            out[self.prio_key] = self._prio(1.0, bed)
        elif kind == "fall":
            out[self.prio_key] = self._prio(0.55, bed)
        return out

    def _push(self, kind: str, fields: dict[str, FieldValue]) -> bool:
        """Push one gauge 6-12 robust spreads from its median; False if no way fits its bounds."""
        rng = self.rng
        gauges = list(self.stats[kind].items())
        key, g = gauges[rng.randrange(len(gauges))]
        dirs = {"up": [1], "down": [-1], "both": rng.sample([1, -1], 2)}[g.dirs]
        dirs += [-s for s in dirs if -s not in dirs]
        for k in (rng.uniform(6.0, 12.0), 7.0, 6.0):
            for s in dirs:
                x = g.median + s * k * g.spread
                v = math.exp(x) if g.log else x
                v = int(round(v)) if g.dec == 0 else round(v, g.dec)
                if not g.lo <= v <= g.hi:
                    continue
                trial = dict(fields)
                trial[key] = v
                if self.anomaly_k(kind, trial) >= ANOMALY_K + 0.5:
                    fields[key] = v
                    return True
        return False

    def _routine(self) -> tuple[str, int, dict[str, FieldValue]]:
        rng = self.rng
        origin = rng.randrange(len(self.wards))
        u = rng.random()
        for k in self.rare:
            u -= self.rare_p[k]
            if u < 0:
                return k, origin, self._fields(k, origin)
        kind = rng.choices(self.common, self.weights)[0]
        fields = self._fields(kind, origin)
        if kind in self.stats and rng.random() < self.anomaly_rate:
            self._push(kind, fields)
        return kind, origin, fields

    def _burst_head(self) -> tuple[str, int, dict[str, FieldValue]] | None:
        rng = self.rng
        kinds = [k for k in self.common if k in self.stats and k not in ("census", "transport")]
        if not kinds:
            return None
        kind = rng.choice(kinds)
        origin = rng.randrange(len(self.wards))
        fields = self._fields(kind, origin, rare_ok=False)
        if kind in PRIORITY_KINDS and rng.random() < 0.35:
            bed = fields.get(self.keys[kind].get("bed", ""))
            fields[self.prio_key] = self._prio(0.55, bed if isinstance(bed, str) else "")
        elif not self._push(kind, fields):
            return None
        return kind, origin, fields

    def _tail(self, b: _Burst) -> dict[str, FieldValue]:
        """The chattering device again: the same reading, or a hair off, counters moving on."""
        rng = self.rng
        out = dict(b.fields)
        if rng.random() < 0.4:
            return out
        for nd in NUMS.get(b.kind, ()):
            key = self.keys[b.kind][nd.fid]
            v = out[key]
            if nd.dist == "counter":
                out[key] = int(v) + rng.randint(0, 3)
            elif nd.gauge and isinstance(v, float) and rng.random() < 0.5:
                out[key] = round(v * (1 + rng.gauss(0, 0.002)), _decimals(v))
        return out

    def _near(self, kind: str, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
        """Another device's reading of the same event: small differences, never the priority field."""
        rng = self.rng
        cands: list[tuple[str, FieldValue]] = []
        for key, v in fields.items():
            if key == self.prio_key or isinstance(v, bool):
                continue
            if isinstance(v, int):
                cands.append((key, v + rng.choice((1, -1))))
            elif isinstance(v, float):
                nd = _decimals(v)
                alt = round(v, nd - 1) if nd >= 2 else round(v + rng.choice((1, -1)) * 10 ** -nd, nd)
                if alt == v:
                    alt = round(v + rng.choice((1, -1)) * 10 ** -nd, nd)
                cands.append((key, alt))
            elif isinstance(v, str):
                for alt in _retypes(v):
                    if alt != v:
                        cands.append((key, alt))
        out = dict(fields)
        picked = rng.sample(cands, min(len(cands), rng.randint(1, 2)))
        for key, alt in picked:
            out[key] = alt
        return out

    # --- the stream ---------------------------------------------------------------------------------
    def _record(self, kind: str, origin: int, fields: dict[str, FieldValue]) -> Record:
        return Record.create(self.kind_name[kind], self.wards[origin], self._clock, fields)

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        if n < 0:
            raise ValueError("n must be non-negative")
        rng = self.rng
        self._clock = max(self._clock, now_ms)
        out: list[LabeledRecord] = []
        meta: list[tuple[str, int, dict]] = []  # kind, origin index, fields per batch index
        sources: list[int] = []
        burst: _Burst | None = None
        for i in range(n):
            self._clock += 1 + int(rng.expovariate(1 / 600))
            self._tick += 1
            left = n - i
            if burst is not None and (rng.random() < 0.6 or left <= burst.left):
                fields = self._tail(burst)
                head = out[burst.head]
                imp = min(0.02, 0.1 * head.importance)
                out.append(LabeledRecord(self._record(burst.kind, burst.origin, fields), imp, "burst_tail",
                                         burst.head))
                meta.append((burst.kind, burst.origin, fields))
                burst.left -= 1
                if burst.left == 0:
                    burst = None
                continue
            u = rng.random()
            recent = sources[-30:]
            if burst is None and u < P_BURST and left >= 3 and (hd := self._burst_head()) is not None:
                kind, origin, fields = hd
                imp, detail = self.score(kind, fields)
                tails = min(2 + int(rng.expovariate(1 / 5)), 40, left - 1)
                burst = _Burst(i, kind, origin, fields, tails)
                out.append(LabeledRecord(self._record(kind, origin, fields), imp, "burst_head", -1, detail))
                meta.append((kind, origin, fields))
                sources.append(i)
                continue
            u -= P_BURST
            if recent and u < P_DUP + P_NEAR:
                src = rng.choice(recent)
                kind, s_origin, s_fields = meta[src]
                origin = s_origin if rng.random() < 0.5 else rng.randrange(len(self.wards))
                if u < P_DUP:
                    fields, case, factor = dict(s_fields), "dup", 0.05
                else:
                    fields, case, factor = self._near(kind, s_fields), "near_dup", 0.1
                out.append(LabeledRecord(self._record(kind, origin, fields), factor * out[src].importance,
                                         case, src))
                meta.append((kind, origin, fields))
                continue
            u -= P_DUP + P_NEAR
            if self._news and u < P_RESEND:
                kind_name, origin_id, fields = self._news[rng.randrange(len(self._news))]
                rec = Record.create(kind_name, origin_id, self._clock, fields)
                out.append(LabeledRecord(rec, 0.01, "resend"))
                meta.append((self.kind_of[kind_name], self.wards.index(origin_id), fields))
                continue
            kind, origin, fields = self._routine()
            imp, detail = self.score(kind, fields)
            out.append(LabeledRecord(self._record(kind, origin, fields), imp, "routine", -1, detail))
            meta.append((kind, origin, fields))
            sources.append(i)
        for lr in out:
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._news.append((lr.record.kind, lr.record.origin, lr.record.fields))
        del self._news[:-256]
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]


def _decimals(v: float) -> int:
    s = repr(v)
    return len(s.split(".")[1]) if "." in s and "e" not in s else 2


def _strip_accents(s: str) -> str:
    s = s.replace("ı", "i").replace("İ", "I")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _retypes(v: str) -> tuple[str, ...]:
    """Ways another device or person writes the same word or code."""
    alts = [v.upper(), v.lower() if v != v.lower() else v.capitalize(), _strip_accents(v)]
    m = re.fullmatch(r"([A-Za-zİ]+)-?0*(\d+)", v)
    if m:
        alts += [f"{m.group(1)}{m.group(2)}", f"{m.group(1)}-{int(m.group(2)):02d}", f"{m.group(1).lower()}{m.group(2)}"]
    return tuple(alts)
