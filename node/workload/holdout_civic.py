"""Held-out family ``civic``: a city's municipal services operations centre. Used ONLY by evaluation.

Theory of operation
-------------------
The twenty-first held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it
shares no code path, name, distribution or vocabulary with the training generators or the other held-out
families. Only the truth helpers (:func:`noisy_or`, :func:`main_reason`, :func:`tail_importance`,
``ROUTINE_FLOOR``, through :func:`routine_truth`), :class:`LabeledRecord` (through the shared scheduler)
and the stream scheduler of node/workload/holdout_stream.py (:class:`BurstStream`) are shared. Training
never imports this module (tests/node/test_holdout_civic.py checks ``sys.modules``).

One seed is one world: one city's operations centre (a Brazilian prefeitura with its "156" service line,
Budapest's municipal companies, a Lusatian town hall) whose nodes (3-9 peer ids, the ``origins``: the
service desk, the work-management system, the fleet telematics, the water SCADA, the lighting management
system, the sensor platform, the traffic centre, the pavement-survey contractor) log citizen service
requests, work orders, crew vehicles, water-network metering, reservoirs, booster pumps, street-light
controllers, waste-bin fill sensors, traffic counts, pavement condition, the call-centre queue and
inspections. A world draws, from one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks units and the
  number format, and writes every note;
- 4-6 common kinds of 12 (at least one carrying priority) and 1-3 rare kinds of 4 (each 0.12-0.9% of the
  fresh records);
- one of eleven priority forms (``prio_mode``, field ``prio_key``);
- its city: 5-12 districts (each ingested through one origin for its lamps and bins, Zipf), 3-9 metering
  zones (a base pressure and a night flow of their own), 2-5 reservoirs (a chlorine set point of their
  own, a level that random-walks), 2-5 booster pumps (rated power), 6-40 lamps (a wattage and a burn-hour
  counter each), 8-60 bins (a fill rate of their own: a sawtooth emptied by collection), 2-8 traffic loops
  (a volume and a free-flow speed of their own), 3-10 crew vehicles (a tank, an odometer), crews,
  inspectors, road segments (a roughness of their own that creeps up);
- a clock: 1-6 minutes of city time per fresh record, with a morning and an evening peak (traffic, water
  demand, calls), lamps on between dusk and dawn, and a calendar date (deadlines are dated);
- case rates, a mean gap between records (0.4-6 s), whether the stream arrives in uploads, and how far
  back copies reach.

Dialects
--------
- ``pt``: Brazilian Portuguese, as a prefeitura's systems could write it: kinds ``module.subject`` in ASCII
  snake case (``sac156.solicitacao``, ``saneamento.reservatorio``), fields ASCII-folded snake case
  (``numero_protocolo``, ``cloro_residual``), values and notes with their accents (``Iluminação
  Pública``); six readings are quantity strings with a decimal comma and the unit after a space
  (``"31,5 mca"``, ``"1,12 mg/L"``, ``"0,45 NTU"``), pressure in metres of water column, 220 V lamps,
  material cost in reais (``"R$ 1.234,56"``), protocols ``2024.00123456``, Mercosul plates.
- ``hu``: Hungarian, as Budapest's municipal systems could write it: kinds ``area/subject`` with diacritics
  (``közvilágítás/lámpavezérlő``, ``vízhálózat/tározó``), fields ASCII-folded lowerCamelCase
  (``szabadKlor``, ``atlagosVarakozas``), values and notes with diacritics (``Üllői út``, ``XI.
  kerület``); five readings are quantity strings with a decimal comma (``"3,45 bar"``, ``"231 V"``,
  ``"38 km/h"``), pressure in bar, flow in m³/h, 230 V, cost in forints with a space between thousands
  (``"123 456 Ft"``), dates ``2024.05.13. 08:42``, plates ``AB-CD-123``.
- ``hsb``: Upper Sorbian, as a Lusatian town's systems could write it: kinds ``Area.Subject``
  (``Woda.Zběrnik``, ``Swěcenje.Latarnja``), snake_case fields with diacritics and the unit as the last
  segment (``tłóčenje_kpa``, ``přerězne_čakanje_s``); every reading a plain number, pressure in kPa,
  230 V, cost in euros, dates ``13.05.2024 08:42``, plates ``BZ-SL 123``.

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``ticket`` a citizen service request (a protocol counter, category, district, street, channel,
confirmations by other citizens* zero-inflated (up), note); ``workorder`` a work order (a counter, crew,
task, estimated hours* log-normal (up), material cost* heavy-tailed log-normal (up), note); ``vehicle`` a
crew vehicle's telemetry (plate, an odometer, speed bimodal parked / driving, fuel that drains and is
refilled, coolant temperature* (up), idling minutes* zero-inflated (up)); ``water`` a metering zone
(pressure* by demand (either way), flow* log-normal by demand (up)); ``reservoir`` (level random-walking
between bounds, free chlorine* drifting per reservoir (either way), turbidity* log-normal (up));
``light`` a street-light controller (lamp, mode, lamp current bimodal off by day / on at night, a
burn-hour counter, supply voltage* (either way), leakage current* log-normal (up)); ``bin`` a waste-bin
sensor (fill level a sawtooth saturating at 100, temperature* (up), tilt* zero-inflated (up), battery
voltage draining); ``traffic`` a loop's 15-minute count (an interval counter, the slot, vehicles by the
day, mean speed* by congestion (either way), occupancy saturating); ``callq`` the call centre's interval
(an interval counter, calls offered and answered by the day, mean wait* log-normal (up), abandonment*
(up), agents); ``inspection`` an inspection (a counter, inspector, site, result, defects* zero-inflated
(up), duration* log-normal (up), note); ``pump`` a booster station (source, power by rating, vibration*
log-normal (up), bearing temperature* (up), a run-hour counter); ``road`` a pavement survey segment
(roughness IRI* log-normal drifting per segment (up), rut depth* (up), potholes zero-inflated). Rare:
``mainburst`` a burst water main (always raised priority), ``sinkhole`` a road collapse, ``ecoli`` a
positive coliform sample, ``streetflood`` a flooded street. Rare categorical values (a ticket from the
press, a lamp forced on by hand, a pump on its generator) appear in about 1.2% of their kinds' records.

Priority forms (carried by ``ticket``, ``workorder``, ``inspection`` and ``mainburst``)
----------------------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 83% at 0); the world's form writes it, and
the truth is read back from what is written:

- ``words`` (``gravidade`` / ``sulyossag`` / ``ćežkosć``): irrelevante / leve / média / grave / gravíssima;
  elhanyagolható / enyhe / közepes / súlyos / életveszélyes; wšědny / lochki / srjedźny / ćežki / kritiski;
- ``level`` (``nivel_prioridade`` / ``riasztasiFokozat`` / ``prioritny_stopjeń``): pt an integer where 1 is
  worst (5 routine), hu ``"5. fokozat"`` where 5 is worst, hsb an integer 0..4 where 4 is worst;
- ``sla`` (``prazo_atendimento_h`` / ``reakcioido`` / ``reakciski_čas_min``): a response target, small is
  pressing (bands at 2 days / 24 h / 8 h / 2 h; routine 2-30 days): pt whole hours, hu ``"5 nap"`` /
  ``"8 óra"`` / ``"30 perc"``, hsb whole minutes;
- ``deadline`` (``prazo_limite`` / ``hatarido`` / ``termin``, with the opening time ``aberto_em`` /
  ``bejelentve`` / ``zapodate``): a dated deadline; the time left between the two is the response target
  above: pt ISO 8601 with the offset (``2024-05-13T08:42:00-03:00``), hu ``2024.05.13. 08:42``, hsb
  ``13.05.2024 08:42``;
- ``score`` (``pontuacao_risco`` / ``kockazatiPontszam`` / ``rizikowe_hódnoćenje``): large is pressing, in
  fifths of its scale: pt an integer 0..100, hu an integer 0..1000, hsb a float 0.0..10.0;
- ``percent`` (``impacto`` / ``erintettseg`` / ``potrjechenosć_pct``): the share of the district's service
  affected, large is pressing (bands at 5 / 20 / 50 / 80): pt ``"45%"``, hu ``"45 %"``, hsb an integer;
- ``flag`` (``urgente`` / ``surgos`` / ``nuzne``): urgent, strength 0.9 at steps 3-4: pt ``"S"`` / ``"N"``,
  hu a boolean, hsb ``"haj"`` / ``"ně"``;
- ``code`` (``classificacao`` / ``kategoriaKod`` / ``kod``): PRG / NOR / PRI / URG / EMG; R / C / B / A /
  A+; R / N / S / W / K;
- ``colour`` (``cor`` / ``szin`` / ``barba``): azul / verde / amarelo / laranja / vermelho (Manchester
  order); fehér / zöld / sárga / narancs / piros; zeleny / módry / žołty / oranžowy / čerwjeny;
- ``escalation`` (``escalonamento`` / ``eszkalacio`` / ``eskalacija``): who the record is escalated to, from
  the local crew to civil defence;
- ``text``: no field; an urgency phrase in the note (four levels), and routine notes that often say
  outright that nothing is pressing ("sem urgência", "nem sürgős", "njeje nuzne").

Cases and truth
---------------
Routine records and burst heads, from their content alone (see :meth:`CivicWorkload.score`):
``routine_truth(anomaly, priority, rarity, rare kind)``, i.e. ``noisy_or(0.04, 0.9a, 0.9p, rarity)``;
anomaly = 0 below 5 spreads, else ``min(1, 0.4 + 0.1 * (k - 5))`` where k is the largest distance of an
anomaly-prone number (read back from what is written) from its (kind, field) median in spreads (central
95% width / 3.92 of the world's written routine values, measured when the world is made over the whole
day; log space for positive heavy-tailed fields, log(1 + x) for zero-inflated counts); routine values are
redrawn while 4 or more spreads off; an anomaly (1.5-3.5% of fresh records) puts one number 5.2-12 spreads
off, in the field's physical direction and within its bounds. Rarity 0.5 for a rare kind, 0.45 for a rare
value. ``detail = main_reason(...)``.

An exact copy (a ticket registered twice, a SCADA poll forwarded by a second gateway) keeps 5% of its
source; a near copy (another system's re-entry: a number re-rounded or moved by its last digit, a decimal
comma typed as a point, a unit's space dropped, accents folded, a street abbreviated, an id's separator or
case changed; never the priority field, the opening time, nor the note where the world writes priority in
notes) 10%; a burst (a sensor re-reporting at alarm rate, a ticket re-submitted by the app, a work order
re-synchronised) has a head carrying the news and 2-40 tails from the same origin, plain numbers drifting
and counters stepping, worth ``tail_importance(head)``; a re-send of an earlier batch's news keeps 1% of
it (2% through another origin).

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import hashlib
import itertools
import math
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from node.workload.domains import tail_importance
from node.workload.holdout_stream import BurstStream, routine_truth
from node.workload.holdout_stream import Rec as _Rec
from node.workload.holdout_stream import Storm as _Storm
from node.workload.holdout_stream import space as _space
from node.workload.holdout_stream import unspace as _unspace
from protocol.keys import PrivateKey

__all__ = [
    "ALWAYS_PRIORITY_RARE",
    "COMMON_KINDS",
    "COUNTERS",
    "DIALECTS",
    "PRIORITY_KINDS",
    "PRIORITY_MODES",
    "RARE_KINDS",
    "CivicWorkload",
    "read_number",
]

_T = TypeVar("_T")

DIALECTS = ("pt", "hu", "hsb")
PRIORITY_MODES = ("words", "level", "sla", "deadline", "score", "percent", "flag", "code", "colour",
                  "escalation", "text")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
STEP_ODDS = (0.83, 0.06, 0.045, 0.035, 0.03)
ANOMALY_AT = 5.0  # spreads: an anomaly-prone number this far off its median is news
ROUTINE_BELOW = 4.0  # spreads: routine draws stay inside this

COMMON_KINDS = ("ticket", "workorder", "vehicle", "water", "reservoir", "light", "bin", "traffic", "callq",
                "inspection", "pump", "road")
PRIORITY_KINDS = frozenset({"ticket", "workorder", "inspection"})
RARE_KINDS = ("mainburst", "sinkhole", "ecoli", "streetflood")
ALWAYS_PRIORITY_RARE = frozenset({"mainburst"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
COUNTERS = ("protocol", "osno", "odo", "burnh", "tiv", "ivq", "insno", "runh")

# -- names ------------------------------------------------------------------------------------------------------
_KINDS = {
    "pt": {"ticket": "sac156.solicitacao", "workorder": "manutencao.ordem_servico", "vehicle": "frota.telemetria",
           "water": "saneamento.setor_medicao", "reservoir": "saneamento.reservatorio",
           "light": "iluminacao.controlador", "bin": "limpeza.lixeira_sensor", "traffic": "transito.contagem",
           "callq": "central156.fila", "inspection": "fiscalizacao.vistoria", "pump": "saneamento.elevatoria",
           "road": "vias.levantamento_pavimento", "mainburst": "saneamento.rompimento_adutora",
           "sinkhole": "vias.cratera", "ecoli": "saneamento.coliformes", "streetflood": "defesa_civil.alagamento"},
    "hu": {"ticket": "ügyfélszolgálat/bejelentés", "workorder": "üzemeltetés/munkalap",
           "vehicle": "gépjármű/telemetria", "water": "vízhálózat/mérőkörzet", "reservoir": "vízhálózat/tározó",
           "light": "közvilágítás/lámpavezérlő", "bin": "hulladék/gyűjtőedény", "traffic": "forgalom/számlálás",
           "callq": "telefonközpont/hívássor", "inspection": "hatóság/ellenőrzés", "pump": "vízhálózat/átemelő",
           "road": "közút/burkolatállapot", "mainburst": "vízhálózat/csőtörés", "sinkhole": "közút/útbeszakadás",
           "ecoli": "vízminőség/coliform", "streetflood": "katasztrófavédelem/elöntés"},
    "hsb": {"ticket": "Słužba.Zdźělenka", "workorder": "Dźěło.Nadawk", "vehicle": "Jězdźidło.Telemetrija",
            "water": "Woda.Tłóčenje", "reservoir": "Woda.Zběrnik", "light": "Swěcenje.Latarnja",
            "bin": "Wotpadki.Popjelnica", "traffic": "Wobchad.Ličenje", "callq": "Telefon.Rynk",
            "inspection": "Kontrola.Přepruwowanje", "pump": "Woda.Pumpa", "road": "Dróha.Powjerch",
            "mainburst": "Woda.Rozpuk", "sinkhole": "Dróha.Zapadnjenje", "ecoli": "Woda.Kolibakterije",
            "streetflood": "Katastrofa.Powodźeń"},
}

# semantic name -> (pt, hu, hsb)
_FIELDS: dict[str, tuple[str, str, str]] = {
    "protocol": ("numero_protocolo", "bejelentesSzam", "čisło_zdźělenki"),
    "cat": ("assunto", "kategoria", "kategorija"),
    "district": ("bairro", "kerulet", "dźěl_města"),
    "street": ("logradouro", "cim", "adresa"),
    "channel": ("canal", "csatorna", "kanal"),
    "confirms": ("confirmacoes", "megerositesek", "wobkrućenja"),
    "note": ("observacao", "megjegyzes", "přispomnjenka"),
    "osno": ("numero_os", "munkalapSzam", "čisło_nadawka"),
    "crew": ("equipe", "brigad", "skupina"),
    "task": ("servico", "feladat", "dźěło"),
    "esth": ("horas_estimadas", "becsultOra", "trěbne_hodźiny"),
    "cost": ("custo_material", "anyagkoltseg", "material_eur"),
    "plate": ("placa", "rendszam", "čisło_awta"),
    "odo": ("hodometro_km", "kmOraAllas", "kilometry"),
    "speed": ("velocidade_kmh", "sebessegKmh", "spěšnosć_km_h"),
    "fuel": ("combustivel_pct", "uzemanyagSzint", "palidło_pct"),
    "ect": ("temp_motor", "motorHomerseklet", "temperatura_motora_c"),
    "idle": ("marcha_lenta_min", "alapjaratPerc", "prózdnoběh_min"),
    "zone": ("setor", "meroKorzet", "měrjenski_wobwod"),
    "press": ("pressao", "nyomas", "tłóčenje_kpa"),
    "flow": ("vazao_l_s", "atfolyasM3h", "přetok_l_s"),
    "res": ("reservatorio", "tarolo", "zběrnik"),
    "level": ("nivel_pct", "szintSzazalek", "staw_pct"),
    "chlorine": ("cloro_residual", "szabadKlor", "chlor_mg_l"),
    "turb": ("turbidez", "zavarossagNtu", "mutnosć_ntu"),
    "lamp": ("ponto_ip", "lampaAzonosito", "latarnja"),
    "lmode": ("modo", "uzemmod", "modus"),
    "lcur": ("corrente_a", "aramA", "prud_a"),
    "burnh": ("horas_acesa", "egesiOra", "hodźiny_swěćenja"),
    "volt": ("tensao_v", "feszultseg", "napjatosć_v"),
    "leak": ("fuga_ma", "szivargoAramMa", "wućekowy_prud_ma"),
    "bin": ("lixeira", "gyujtoedeny", "popjelnica"),
    "fill": ("enchimento_pct", "telitettseg", "napjelnjenje_pct"),
    "btemp": ("temperatura", "homerseklet", "temperatura_c"),
    "tilt": ("inclinacao_graus", "dolesszog", "nachilenosć_stopnje"),
    "batt": ("bateria_v", "akkuFeszultseg", "baterija_v"),
    "loop": ("contador", "szamlalo", "ličak"),
    "tiv": ("intervalo", "intervallum", "interwal"),
    "slot": ("horario", "idoszak", "čas"),
    "vehicles": ("veiculos", "jarmuvek", "jězdźidła"),
    "tspeed": ("velocidade_media", "atlagsebesseg", "přerězna_spěšnosć_km_h"),
    "occ": ("ocupacao_pct", "foglaltsag", "wobsadźenosć_pct"),
    "ivq": ("intervalo_fila", "idoablak", "časowe_wokno"),
    "offered": ("chamadas_recebidas", "beerkezoHivasok", "přichadźace_zawołanja"),
    "answered": ("chamadas_atendidas", "fogadottHivasok", "přijate_zawołanja"),
    "wait": ("espera_media_s", "atlagosVarakozas", "přerězne_čakanje_s"),
    "aband": ("abandono_pct", "elhagyasiArany", "přetorhnjene_pct"),
    "agents": ("atendentes", "operatorok", "operatorojo"),
    "insno": ("numero_vistoria", "ellenorzesSzam", "čisło_kontrole"),
    "inspector": ("fiscal", "ellenor", "kontrolor"),
    "site": ("endereco", "helyszin", "městno"),
    "result": ("resultado", "eredmeny", "wuslědk"),
    "defects": ("irregularidades", "hianyossagok", "njedostatki"),
    "insdur": ("duracao_min", "idotartamPerc", "traće_min"),
    "station": ("elevatoria", "atemelo", "pumpowa_stacija"),
    "source": ("alimentacao", "aramforras", "žórło_energije"),
    "power": ("potencia_kw", "teljesitmenyKw", "mócnosć_kw"),
    "pvib": ("vibracao", "rezges", "wibracija_mm_s"),
    "mtemp": ("temp_mancal", "csapagyHomerseklet", "temperatura_łožišća_c"),
    "runh": ("horimetro", "uzemora", "dźěłowe_hodźiny"),
    "segment": ("trecho", "szakasz", "wotrězk"),
    "iri": ("iri_m_km", "egyenetlensegIri", "iri_m_km"),
    "rut": ("trilha_roda_mm", "keregmelysegMm", "kolije_mm"),
    "potholes": ("buracos", "katyuk", "dźěry"),
    "diam": ("diametro_mm", "atmeroMm", "prěměr_mm"),
    "customers": ("imoveis_afetados", "erintettFogyasztok", "potrjechene_přizamki"),
    "hole": ("diametro_m", "atmeroM", "šěrokosć_m"),
    "depth": ("profundidade_m", "melysegM", "hłubokosć_m"),
    "sample": ("amostra", "mintaAzonosito", "próbka"),
    "cfu": ("coliformes_ufc", "coliformTelepek", "kolonije_kfu"),
    "wcm": ("lamina_agua_cm", "vizmelysegCm", "wysokosć_wody_cm"),
    "passable": ("transitavel", "jarhato", "přejězdźomny"),
    "opened": ("aberto_em", "bejelentve", "zapodate"),
}
_PRIO_KEYS = {
    "words": ("gravidade", "sulyossag", "ćežkosć"),
    "level": ("nivel_prioridade", "riasztasiFokozat", "prioritny_stopjeń"),
    "sla": ("prazo_atendimento_h", "reakcioido", "reakciski_čas_min"),
    "deadline": ("prazo_limite", "hatarido", "termin"),
    "score": ("pontuacao_risco", "kockazatiPontszam", "rizikowe_hódnoćenje"),
    "percent": ("impacto", "erintettseg", "potrjechenosć_pct"),
    "flag": ("urgente", "surgos", "nuzne"),
    "code": ("classificacao", "kategoriaKod", "kod"),
    "colour": ("cor", "szin", "barba"),
    "escalation": ("escalonamento", "eszkalacio", "eskalacija"),
}

# -- units and formats: semantic units m (water column), L/s, mg/L, NTU, V, mA, A, deg C, km/h, %, s, min, h --------
_DEC = {"confirms": 0, "esth": 1, "cost": 2, "speed": 0, "fuel": 0, "ect": 0, "idle": 0, "press": 1, "flow": 1,
        "level": 1, "chlorine": 2, "turb": 2, "lcur": 2, "volt": 0, "leak": 1, "fill": 0, "btemp": 1, "tilt": 0,
        "batt": 2, "tspeed": 0, "occ": 0, "wait": 0, "aband": 1, "defects": 0, "insdur": 0, "power": 1, "pvib": 2,
        "mtemp": 1, "iri": 2, "rut": 0, "potholes": 0, "hole": 1, "depth": 1, "wcm": 0}


@dataclass(frozen=True, slots=True)
class _Unit:
    to: Callable[[float], float]
    dec: int


def _scale(a: float) -> Callable[[float], float]:
    return lambda x: a * x


_UNITS: dict[str, dict[str, _Unit]] = {
    "pt": {},
    "hu": {"press": _Unit(_scale(0.0980665), 2), "flow": _Unit(_scale(3.6), 1), "cost": _Unit(_scale(75.0), 0)},
    "hsb": {"press": _Unit(_scale(9.80665), 0), "cost": _Unit(_scale(0.18), 2)},
}
# Readings written as quantity strings (a decimal comma, the unit after a space).
_QTY: dict[str, dict[str, str]] = {
    "pt": {"press": "mca", "chlorine": "mg/L", "turb": "NTU", "ect": "°C", "btemp": "°C", "pvib": "mm/s"},
    "hu": {"press": "bar", "chlorine": "mg/l", "volt": "V", "pvib": "mm/s", "tspeed": "km/h"},
    "hsb": {},
}
_MONEY = {"pt": "brl", "hu": "huf"}  # the cost as a money string (hsb: a plain number of euros)
_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")

# Anomaly-prone numbers per kind: semantic name -> (space, physical direction, semantic bounds).
_PRONE: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "ticket": {"confirms": ("log1p", 1, 0.0, 2000.0)},
    "workorder": {"esth": ("log", 1, 0.2, 3000.0), "cost": ("log", 1, 5.0, 5e7)},
    "vehicle": {"ect": ("lin", 1, -25.0, 135.0), "idle": ("log1p", 1, 0.0, 60.0)},
    "water": {"press": ("lin", 0, 0.0, 110.0), "flow": ("log", 1, 0.05, 20000.0)},
    "reservoir": {"chlorine": ("lin", 0, 0.0, 6.0), "turb": ("log", 1, 0.01, 400.0)},
    "light": {"volt": ("lin", 0, 120.0, 320.0), "leak": ("log", 1, 0.05, 3000.0)},
    "bin": {"btemp": ("lin", 1, -30.0, 200.0), "tilt": ("log1p", 1, 0.0, 180.0)},
    "traffic": {"tspeed": ("lin", 0, 1.0, 160.0)},
    "callq": {"wait": ("log", 1, 1.0, 30000.0), "aband": ("lin", 1, 0.0, 100.0)},
    "inspection": {"defects": ("log1p", 1, 0.0, 500.0), "insdur": ("log", 1, 2.0, 5000.0)},
    "pump": {"pvib": ("log", 1, 0.05, 200.0), "mtemp": ("lin", 1, -20.0, 160.0)},
    "road": {"iri": ("log", 1, 0.4, 60.0), "rut": ("lin", 1, 0.0, 250.0)},
}
_SPREAD_FLOOR = {"log": 0.04, "log1p": 0.3}

# -- priority forms ----------------------------------------------------------------------------------------------
_WORDS = {"pt": ("irrelevante", "leve", "média", "grave", "gravíssima"),
          "hu": ("elhanyagolható", "enyhe", "közepes", "súlyos", "életveszélyes"),
          "hsb": ("wšědny", "lochki", "srjedźny", "ćežki", "kritiski")}
_SLA_MIN = ((2880, 4320, 7200, 10080, 20160, 43200), (1440, 2160), (480, 720, 960), (120, 240, 360), (30, 60))
_SLA_EDGES = (2880, 1440, 480, 120)  # minutes: below each edge one step more pressing
_SCORE_TOP = {"pt": 100, "hu": 1000, "hsb": 10}
_PCT = ((0, 4), (5, 19), (20, 49), (50, 79), (80, 100))
_PCT_EDGES = (5, 20, 50, 80)
_FLAG: dict[str, tuple[object, object]] = {"pt": ("N", "S"), "hu": (False, True), "hsb": ("ně", "haj")}
_CODE = {"pt": ("PRG", "NOR", "PRI", "URG", "EMG"), "hu": ("R", "C", "B", "A", "A+"),
         "hsb": ("R", "N", "S", "W", "K")}
_COLOUR = {"pt": ("azul", "verde", "amarelo", "laranja", "vermelho"),
           "hu": ("fehér", "zöld", "sárga", "narancs", "piros"),
           "hsb": ("zeleny", "módry", "žołty", "oranžowy", "čerwjeny")}
_ESCALATION = {"pt": ("equipe local", "supervisão regional", "secretaria", "gabinete do prefeito", "Defesa Civil"),
               "hu": ("körzeti brigád", "diszpécser", "osztályvezető", "igazgató", "katasztrófavédelem"),
               "hsb": ("dźěłowa skupina", "dispečer", "nawoda wotrjada", "měšćanosta", "katastrofowy štab")}
_URGENT = {  # steps 1..4, inside the note (text worlds) and nowhere else
    "pt": ("verificar quando possível", "resolver ainda hoje", "urgente: enviar equipe imediatamente",
           "EMERGÊNCIA: risco à vida, acionar a Defesa Civil"),
    "hu": ("ha lesz rá idő, nézzék meg", "még ma javítani kell", "sürgős: azonnal küldjenek brigádot",
           "ÉLETVESZÉLY: azonnali beavatkozás szükséges"),
    "hsb": ("hdyž je chwila, prošu přepruwować", "hišće dźensa porjedźić", "nuzne: skupinu hnydom pósłać",
            "STRACH ŽIWJENJA: hnydom zasahować"),
}
_CALM = {
    "pt": ("sem urgência", "não é urgente", "pode aguardar a rota normal", "apenas para registro",
           "atender na programação semanal"),
    "hu": ("nem sürgős", "ráér", "csak tájékoztatásul", "a következő körben elég", "a heti ütemezés szerint"),
    "hsb": ("njeje nuzne", "móže čakać", "jenož k wědźe", "při přichodnej kontroli dosaha", "po tydźenskim planje"),
}

# -- the dialects' words -----------------------------------------------------------------------------------------
_STREETS = {
    "pt": ("Rua XV de Novembro", "Avenida Sete de Setembro", "Rua das Flores", "Avenida Brasil",
           "Rua Marechal Deodoro", "Rua Dom Pedro II", "Travessa da Paz", "Avenida Getúlio Vargas",
           "Rua Tiradentes", "Rua São João", "Alameda das Acácias", "Rua Padre Anchieta", "Avenida Paraná",
           "Rua da Conceição", "Estrada do Ipê Amarelo", "Rua Barão do Rio Branco"),
    "hu": ("Üllői út", "Váci út", "Andrássy út", "Bartók Béla út", "Thököly út", "Rákóczi út",
           "Kossuth Lajos utca", "Szentendrei út", "Hungária körút", "Fehérvári út", "Petőfi Sándor utca",
           "Béke tér", "Dózsa György út", "Margit körút", "Örs vezér tere", "Nagy Lajos király útja"),
    "hsb": ("Serbska hasa", "Hłowna hasa", "Dwórnišćowa hasa", "Lipowa hasa", "Młynska hasa", "Šulska hasa",
            "Zahrodna hasa", "Kwětkowa hasa", "Tkalcowska hasa", "Ćichi puć", "Brězowa hasa", "Rěčna hasa",
            "Hórska hasa", "Krótka hasa", "Nowa hasa", "Cyhelnica"),
}
_DISTRICTS = {
    "pt": ("Centro", "Jardim América", "Vila Nova", "Boa Vista", "Santa Cândida", "São Cristóvão", "Água Verde",
           "Parque São Jorge", "Cidade Industrial", "Bela Vista", "Vila Esperança", "Jardim das Palmeiras"),
    "hu": ("I. kerület", "II. kerület", "III. kerület", "V. kerület", "VI. kerület", "VIII. kerület",
           "IX. kerület", "XI. kerület", "XIII. kerület", "XIV. kerület", "XVII. kerület", "XXII. kerület"),
    "hsb": ("Stare město", "Nowe město", "Budyšin-Juh", "Budyšin-Sewjer", "Budyšin-Wuchod", "Budyšin-Zapad",
            "Industrijowa zona", "Při Sprjewi", "Na hórce", "Pod hrodom", "Lěsny kraj", "Nadraže"),
}
_CATS = {  # the service catalogue: pothole, lamp out, leak, fallen tree, waste not collected, graffiti, noise, ...
    "pt": ("buraco na via", "lâmpada apagada", "vazamento de água", "queda de árvore", "coleta de lixo não realizada",
           "pichação", "perturbação do sossego", "calçada danificada", "boca de lobo entupida", "animal morto na via"),
    "hu": ("kátyú", "nem világít a lámpa", "vízszivárgás", "kidőlt fa", "elmaradt hulladékszállítás", "falfirka",
           "zajpanasz", "járdahiba", "eldugult víznyelő", "elhullott állat"),
    "hsb": ("dźěra w dróze", "latarnja njeswěći", "woda wućeka", "padnjeny štom", "wotpadki njewotwjezene",
            "graffiti", "hałk", "wobškodźeny chódnik", "zatykany kanal", "mortwe zwěrjo na dróze"),
}
_CHANNELS = {"pt": ("aplicativo", "telefone 156", "portal web", "presencial"),
             "hu": ("mobilapp", "telefon", "webes űrlap", "személyesen"),
             "hsb": ("app", "telefon", "webformular", "wosobinsce")}
_RARE_VALUES = {"pt": {"channel": "imprensa", "lmode": "manual forçado", "source": "gerador"},
                "hu": {"channel": "sajtó", "lmode": "kézi felülbírálás", "source": "aggregátor"},
                "hsb": {"channel": "nowiny", "lmode": "ručnje zašaltowane", "source": "generator"}}
_LMODES = {"pt": ("automático", "dimerizado"), "hu": ("automata", "dimmelt"), "hsb": ("awtomatisce", "pomjeńšene")}
_SOURCES = {"pt": ("rede",), "hu": ("hálózat",), "hsb": ("syć",)}
_TASKS = {
    "pt": ("tapa-buraco", "troca de lâmpada", "reparo de rede", "poda de árvore", "remoção de entulho",
           "limpeza de boca de lobo", "remoção de pichação", "recomposição de calçada"),
    "hu": ("kátyúzás", "lámpacsere", "csőjavítás", "fakivágás", "lomtalanítás", "víznyelő tisztítása",
           "graffiti eltávolítása", "járdajavítás"),
    "hsb": ("zaplatanje dźěry", "wuměna žárowki", "porjedźenje wodowoda", "rězanje štoma", "wotwoz wotpadkow",
            "čisćenje kanala", "wotstronjenje graffiti", "porjedźenje chódnika"),
}
_CREWS = {"pt": lambda i: f"Equipe {i:02d}", "hu": lambda i: f"{i}. brigád", "hsb": lambda i: f"skupina {i}"}
_RESULTS = {"pt": ("regular", "notificado", "autuado", "interditado"),
            "hu": ("megfelelő", "felszólítva", "bírságolva", "lezárva"),
            "hsb": ("w porjadku", "napominany", "pokutowany", "zawrjeny")}
_PASSABLE = {"pt": ("sim", "não", "parcialmente"), "hu": ("igen", "nem", "részben"), "hsb": ("haj", "ně", "zdźěla")}
_PEOPLE = {
    "pt": ("Ana Paula Souza", "José Carlos Silva", "Mariana Oliveira", "João Pedro Santos", "Luciana Ferreira",
           "Marcos Antônio Lima", "Fernanda Costa", "Rafael Almeida", "Patrícia Gonçalves", "Sebastião Ribeiro"),
    "hu": ("Nagy Péter", "Kovács Éva", "Tóth Gábor", "Szabó Zsuzsanna", "Horváth László", "Varga Katalin",
           "Kiss Ákos", "Molnár Eszter", "Németh Zoltán", "Farkas Ildikó"),
    "hsb": ("Jan Kral", "Marja Kralowa", "Pětr Šołta", "Hana Žurowa", "Beno Wjela", "Michał Nuk", "Jurij Cyž",
            "Měrćin Brězan", "Lejna Krawcowa", "Bjarnat Krawc"),
}
_RESERVOIRS = {
    "pt": ("Reservatório Alto da Glória", "Reservatório Tarumã", "Reservatório Cajuru", "Reservatório Pilarzinho",
           "Reservatório Santa Felicidade", "Reservatório Portão"),
    "hu": ("Gellérthegyi tároló", "Kőbányai tároló", "Széchenyi-hegyi tároló", "Rákoshegyi tároló",
           "Csillebérci tároló", "Mátyásföldi tároló"),
    "hsb": ("wodowa wěža Budyšin", "zběrnik Čornobóh", "zběrnik Mnišonc", "zběrnik Hrodźišćo", "wodowa wěža Juh",
            "zběrnik Prašica"),
}
_PUMPS = {
    "pt": ("EEA Bacacheri", "EEA Boqueirão", "EEA Uberaba", "EEA Pinheirinho", "EEA Ahú", "EEA Capão Raso"),
    "hu": ("Budafoki átemelő", "Csepeli nyomásfokozó", "Óbudai átemelő", "Zuglói nyomásfokozó", "Pesterzsébeti átemelő",
           "Rákospalotai átemelő"),
    "hsb": ("pumpowa stacija Sprjewja", "pumpowa stacija Juh", "pumpowa stacija Hora", "pumpowa stacija Łuka",
            "pumpowa stacija Hat", "pumpowa stacija Lěs"),
}
_TICKET_NOTES = {
    "pt": ("moradora informa que o problema persiste há {n} dias", "em frente ao número {no}, perto da escola",
           "já foi aberto outro protocolo e ninguém veio", "esquina com {street}, risco para pedestres",
           "situação piorou depois da chuva de ontem", "cidadão enviou foto pelo aplicativo",
           "próximo ao ponto de ônibus, muito movimento", "reclamação recorrente dos vizinhos da quadra"),
    "hu": ("a lakó szerint a probléma {n} napja fennáll", "a {no}. szám előtt, az iskola közelében",
           "már volt bejelentés, de senki nem jött ki", "a {street} sarkán, gyalogosokra veszélyes",
           "a tegnapi eső után romlott a helyzet", "a bejelentő fotót küldött az alkalmazásban",
           "a buszmegálló mellett, nagy a forgalom", "a szomszédok többször panaszkodtak már"),
    "hsb": ("wobydler praji, zo problem hižo {n} dnjow traje", "před čisłom {no}, blisko šule",
            "zdźělenka hižo běše, ale nichtó njepřińdźe", "blisko róžka, {street}, strach za pěšich",
            "po wčerawšim dešću je hórše", "wobydler je foto přez app pósłał",
            "pola busoweho zastanišća, wjele wobchada", "susodźa so hižo husćišo skoržachu"),
}
_WO_NOTES = {
    "pt": ("material retirado no almoxarifado {n}", "aguardando liberação do trânsito", "serviço iniciado às {hh}h",
           "necessário caminhão munck", "equipe reduzida, {n} servidores", "concluir antes da feira de sábado",
           "vinculada ao protocolo do {district}", "solicitar apoio da guarda municipal"),
    "hu": ("anyag a(z) {n}. raktárból kivételezve", "forgalomkorlátozás engedélyére vár", "munka kezdése {hh} órakor",
           "daruskocsi szükséges", "csökkentett létszám, {n} fő", "a szombati piac előtt befejezendő",
           "a(z) {district} bejelentéséhez kapcsolódik", "közterület-felügyelet támogatása kell"),
    "hsb": ("material ze składowa {n} wzaty", "čaka na dowolnosć za wobchad", "dźěło započate w {hh} hodź.",
            "trjeba so awto z žerjawom", "mjeńša skupina, {n} dźěłaćerjo", "dokónčić před sobotnymi wikami",
            "słuša k zdźělence z {district}", "prosyć wo podpěru městneje policije"),
}
_INS_NOTES = {
    "pt": ("alvará vencido desde {n}/2023", "obra sem placa de identificação", "calçada obstruída por material",
           "reincidente, segunda notificação", "estabelecimento fechado na hora da vistoria",
           "denúncia anônima pelo 156", "medição de ruído no local", "descarte irregular de entulho"),
    "hu": ("a működési engedély {n}/2023 óta lejárt", "az építkezésen nincs tájékoztató tábla",
           "a járdát anyag torlaszolja", "visszaeső, második felszólítás", "az üzlet zárva volt az ellenőrzéskor",
           "névtelen bejelentés alapján", "zajmérés a helyszínen", "illegális sittlerakás"),
    "hsb": ("dowolnosć płaćiwa jenož hač do {n}/2023", "twarnišćo bjez informaciskeje tafle",
            "chódnik z materialom zatykany", "znowa, druhe napominanje", "wobchod při kontroli zawrjeny",
            "anonymna zdźělenka přez telefon", "měrjenje hałka na městnje", "njedowolene wotkładźenje twarskich wotpadkow"),
}
_BURST_NOTES = {
    "pt": ("adutora de {diam} mm rompida, água na pista", "bairro sem abastecimento", "equipe de manobra a caminho"),
    "hu": ("{diam} mm-es gerincvezeték tört el, víz az úttesten", "a környék víz nélkül maradt",
           "a hálózati ügyelet úton van"),
    "hsb": ("wodowód {diam} mm je rozpukany, woda na dróze", "dźěl města je bjez wody", "skupina je na puću"),
}
_ABBREV = {
    "pt": (("Avenida", "Av."), ("Rua", "R."), ("Travessa", "Tv."), ("Alameda", "Al."), ("Estrada", "Estr."),
           ("Reservatório", "Res."), ("Marechal", "Mal."), ("Padre", "Pe."), ("Jardim", "Jd."), ("Parque", "Pq.")),
    "hu": (("utca", "u."), ("körút", "krt."), ("kerület", "ker."), ("tároló", "tár."), ("nyomásfokozó", "nyf."),
           ("átemelő", "átem."), ("király", "kir.")),
    "hsb": (("hasa", "h."), ("pumpowa stacija", "pump. st."), ("zběrnik", "zb."), ("Budyšin", "Bud."),
            ("wodowa wěža", "wod. wěža")),
}
_FOLD_EXTRA = str.maketrans({"ł": "l", "Ł": "L"})


def _fold(s: str) -> str:
    """Letters without their marks, as an IT system that folds to ASCII writes them."""
    return "".join(c for c in unicodedata.normalize("NFKD", s.translate(_FOLD_EXTRA)) if not unicodedata.combining(c))


@dataclass(slots=True)
class Spread:
    """A (kind, field)'s routine centre and spread, as written (in its space), with its bounds as written."""

    space: str
    direction: int
    center: float
    spread: float
    lo: float
    hi: float


@dataclass(slots=True)
class _District:
    name: str
    origin: int


@dataclass(slots=True)
class _Zone:
    name: str
    press: float  # m of water column at mean demand
    flow: float  # L/s at mean demand
    night: float  # the zone's minimum night flow share


@dataclass(slots=True)
class _Reservoir:
    name: str
    level: float  # %
    cl: float  # mg/L set point
    drift: float  # mg/L, the chlorine's current drift
    turb: float  # NTU


@dataclass(slots=True)
class _Pump:
    name: str
    kw: float
    vib: float  # mm/s
    temp: float  # deg C at the bearing
    runh: int


@dataclass(slots=True)
class _Lamp:
    name: str
    district: int
    watt: float
    leak: float  # mA
    burnh: int


@dataclass(slots=True)
class _Bin:
    name: str
    district: int
    rate: float  # % per hour
    fill: float  # %
    batt: float  # V
    tilt: float  # deg, its resting tilt


@dataclass(slots=True)
class _Loop:
    name: str
    street: str
    volume: float  # vehicles per 15 minutes at the peak
    free: float  # km/h
    iv: int


@dataclass(slots=True)
class _Vehicle:
    plate: str
    tank: float
    fuel: float  # %
    odo: int
    ect: float  # deg C, its running temperature


@dataclass(slots=True)
class _Segment:
    name: str
    street: str
    iri: float  # m/km
    rut: float  # mm


class CivicWorkload(BurstStream):
    """A held-out municipal-services world (see the module docstring). Deterministic in ``seed``."""

    KIND_NAMES = _KINDS
    PRIORITY_KINDS = PRIORITY_KINDS

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-civic/{seed}")
        self.dialect: str = r.choice(DIALECTS)
        d = self.dialect
        di = DIALECTS.index(d)
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self.prio_key: str | None = None if self.prio_mode == "text" else _PRIO_KEYS[self.prio_mode][di]
        picked: list[str] = []
        while not PRIORITY_KINDS & set(picked):
            picked = r.sample(COMMON_KINDS, r.randint(4, 6))
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in picked)
        rare = r.sample(RARE_KINDS, r.randint(1, 3))
        self.rare: tuple[str, ...] = tuple(k for k in RARE_KINDS if k in rare)
        busy = {"ticket": 1.8, "vehicle": 1.5, "light": 1.4, "bin": 1.3, "water": 1.2, "callq": 0.6, "road": 0.5,
                "inspection": 0.7}
        self.weights = {k: r.lognormvariate(0.0, 0.5) * busy.get(k, 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.0012, 0.009) for k in self.rare}
        n_origins = r.randint(3, 9)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-civic-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(n_origins)))
        self.desk_origin = r.randrange(n_origins)  # the service desk: tickets, the call-centre queue
        self.wms_origin = r.randrange(n_origins)  # work management: work orders, inspections
        self.fleet_origin = r.randrange(n_origins)  # fleet telematics
        self.scada_origin = r.randrange(n_origins)  # water SCADA: zones, reservoirs, pumps, bursts, samples
        self.traffic_origin = r.randrange(n_origins)  # the traffic centre: loops, flooded streets
        self.survey_origin = r.randrange(n_origins)  # the pavement-survey contractor: segments, sinkholes
        self.mean_gap = r.choice((400.0, 1500.0, 3000.0, 6000.0))
        self.clumpy = r.random() < 0.3  # sensor gateways and handhelds upload in clumps
        self.burst_period = r.uniform(0.03, 0.12)
        self.copy_memory = r.uniform(25.0, 200.0)
        self.rates = {"dup": r.uniform(0.025, 0.055), "near": r.uniform(0.05, 0.09),
                      "burst": r.uniform(0.006, 0.013), "resend": r.uniform(0.006, 0.014)}
        self.anomaly_rate = r.uniform(0.015, 0.035)
        self.keys: dict[str, str] = {s: names[di] for s, names in _FIELDS.items()}
        self.sem_of: dict[str, str] = {v: k for k, v in self.keys.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(_RARE_VALUES[d].values())
        self._units = {s: _UNITS[d].get(s) or _Unit(float, _DEC[s]) for s in _DEC}
        self._dec = {self.keys[s]: u.dec for s, u in self._units.items()}
        self._qty = {self.keys[s]: u for s, u in _QTY[d].items()}
        self._money = self.keys["cost"] if d in _MONEY else None
        self._cum: dict[tuple[int, float], list[float]] = {}
        self._build(r)
        self._fixed = frozenset(self.keys[s] for s in (*COUNTERS, "opened", "diam", "agents"))
        self._caps = {self.keys[s]: (0.0, 100.0) for s in ("fuel", "level", "fill", "occ", "aband")}
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure_spreads()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._last_ts = 0

    # -- the city ----------------------------------------------------------------------------------------------
    def _build(self, r: random.Random) -> None:
        d = self.dialect
        self.districts = [_District(n, self._zipf_origin()) for n in r.sample(_DISTRICTS[d], r.randint(5, 12))]
        self.streets = r.sample(_STREETS[d], r.randint(8, len(_STREETS[d])))
        self.zones = [_Zone(self._zone_name(i), r.uniform(22.0, 48.0), r.lognormvariate(math.log(40.0), 0.7),
                            r.uniform(0.15, 0.4)) for i in sorted(r.sample(range(1, 40), r.randint(3, 9)))]
        self.reservoirs = [_Reservoir(n, r.uniform(45.0, 90.0), r.uniform(0.6, 1.6), 0.0, r.uniform(0.15, 0.6))
                           for n in r.sample(_RESERVOIRS[d], r.randint(2, 5))]
        self.pumps = [_Pump(n, r.choice((15.0, 30.0, 55.0, 90.0, 160.0)), r.uniform(1.0, 3.2), r.uniform(38.0, 58.0),
                            r.randint(2000, 90000)) for n in r.sample(_PUMPS[d], r.randint(2, 5))]
        self.lamps = [_Lamp(self._lamp_name(r), r.randrange(len(self.districts)), r.choice((70.0, 100.0, 150.0, 250.0)),
                            r.lognormvariate(math.log(1.5), 0.5), r.randint(500, 60000)) for _ in range(r.randint(6, 40))]
        self.bins = [_Bin(self._bin_name(r), r.randrange(len(self.districts)), r.lognormvariate(math.log(2.0), 0.6),
                          r.uniform(0.0, 90.0), r.uniform(3.3, 3.65), abs(r.gauss(0.0, 1.2)))
                     for _ in range(r.randint(8, 60))]
        self.loops = [_Loop(self._loop_name(i), r.choice(self.streets), r.lognormvariate(math.log(220.0), 0.6),
                            r.choice((40.0, 50.0, 60.0, 70.0)) * r.uniform(0.9, 1.1), r.randint(1000, 300000))
                      for i in sorted(r.sample(range(1, 60), r.randint(2, 8)))]
        self.vehicles = [_Vehicle(self._plate(r), r.choice((60.0, 80.0, 150.0, 300.0)), r.uniform(25.0, 95.0),
                                  r.randint(5000, 400000), r.uniform(84.0, 94.0)) for _ in range(r.randint(3, 10))]
        self.segments = [_Segment(self._segment_name(r), r.choice(self.streets), r.lognormvariate(math.log(3.0), 0.35),
                                  r.uniform(3.0, 14.0)) for _ in range(r.randint(6, 30))]
        people = list(_PEOPLE[d])
        r.shuffle(people)
        self.inspectors = people[:r.randint(2, 5)]
        self.crews = [_CREWS[d](i) for i in sorted(r.sample(range(1, 30), r.randint(3, 8)))]
        # the clock
        self.hour = r.uniform(0.0, 24.0)
        self.day = r.randint(0, 700)  # days since 2024-01-01
        self.tick_h = r.uniform(1.0, 6.0) / 60.0
        self.am_peak = r.uniform(6.5, 8.5)
        self.pm_peak = r.uniform(17.0, 19.0)
        self.dusk = r.uniform(17.3, 20.5)
        self.dawn = r.uniform(4.8, 7.2)
        self.air = {"pt": r.uniform(14.0, 31.0), "hu": r.uniform(-6.0, 30.0), "hsb": r.uniform(-8.0, 27.0)}[d]
        self.v0 = {"pt": 220.0, "hu": 230.0, "hsb": 230.0}[d] * r.uniform(0.985, 1.02)
        self.esth0 = r.uniform(1.5, 6.0)  # h
        self.cost0 = r.uniform(150.0, 1200.0)  # reais
        self.wait0 = r.uniform(20.0, 120.0)  # s at a quiet hour
        self.agents0 = r.randint(4, 40)
        self.insdur0 = r.uniform(20.0, 70.0)  # min
        self.confirm_odds = r.uniform(0.15, 0.45)
        self.year = 2024 + self.day // 365
        self._protocol = r.randint(10**4, 9 * 10**6)
        self._osno = r.randint(100, 90000)
        self._insno = r.randint(100, 60000)
        self._ivq = r.randint(1000, 90000)

    def _zone_name(self, i: int) -> str:
        return {"pt": f"DMC-{i:02d}", "hu": f"MK{i:03d}", "hsb": f"MW {i}"}[self.dialect]

    def _lamp_name(self, r: random.Random) -> str:
        n = r.randint(1, 99999)
        return {"pt": f"IP-{n:06d}", "hu": f"KV-{r.randint(1, 23):02d}-{n:05d}", "hsb": f"LAT-{n:05d}"}[self.dialect]

    def _bin_name(self, r: random.Random) -> str:
        n = r.randint(1, 9999)
        return {"pt": f"LX-{n:04d}", "hu": f"GY{n:05d}", "hsb": f"POP-{n:04d}"}[self.dialect]

    def _loop_name(self, i: int) -> str:
        return {"pt": f"CT-{i:02d}", "hu": f"FSZ-{i:03d}", "hsb": f"LIC {i:02d}"}[self.dialect]

    def _segment_name(self, r: random.Random) -> str:
        n = r.randint(1, 9999)
        return {"pt": f"TR-{n:04d}", "hu": f"SZ/{n:04d}", "hsb": f"WOT-{n:04d}"}[self.dialect]

    def _plate(self, r: random.Random) -> str:
        up = "ABCDEFGHJKLMNPRSTUVWXYZ"
        if self.dialect == "pt":  # Mercosul
            return f"{''.join(r.choices(up, k=3))}{r.randint(0, 9)}{r.choice(up)}{r.randint(0, 99):02d}"
        if self.dialect == "hu":
            return f"{''.join(r.choices(up, k=2))}-{''.join(r.choices(up, k=2))}-{r.randint(1, 999):03d}"
        return f"BZ-{''.join(r.choices(up, k=2))} {r.randint(1, 999)}"

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _zipf(self, seq: Sequence[_T], s: float = 1.0) -> _T:
        cum = self._cum.get((len(seq), s))
        if cum is None:
            cum = self._cum[(len(seq), s)] = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(seq))))
        return seq[bisect.bisect_right(cum, self._r.random() * cum[-1])]

    # -- the day -----------------------------------------------------------------------------------------------
    def activity(self, hour: float) -> float:
        """The city's activity (0.05..1) at an hour: a morning and an evening peak, a quiet night."""
        h = hour % 24.0
        am = math.exp(-((h - self.am_peak) ** 2) / (2 * 1.3 ** 2))
        pm = math.exp(-((h - self.pm_peak) ** 2) / (2 * 1.8 ** 2))
        day = 0.35 if 9.0 <= h <= 16.5 else 0.0
        night = 0.05 if h < 5.0 or h >= 23.0 else 0.15
        return min(1.0, night + day + 0.85 * am + 0.7 * pm)

    def dark(self, hour: float) -> bool:
        h = hour % 24.0
        return h >= self.dusk or h < self.dawn

    def _hour(self, live: bool) -> float:
        return self.hour if live else self._r.uniform(0.0, 24.0)

    # -- spreads -----------------------------------------------------------------------------------------------
    def _measure_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of each anomaly-prone field as written (and read back),
        from 700 routine draws over the whole day that leave the city's state untouched."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            prone = _PRONE[kind]
            out[kind] = {}
            draws = [self._write({s: v for s, v in self._draw(kind, False)[0].items() if s in prone})
                     for _ in range(700)]
            for sem, (space, direction, lo, hi) in prone.items():
                key = self.keys[sem]
                xs = sorted(_space(self.read(key, f[key]), space) for f in draws)
                lo_i, hi_i = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                u = self._units[sem]
                floor = _SPREAD_FLOOR.get(space, 2.0 * 10.0 ** -u.dec)
                out[kind][key] = Spread(space, direction, xs[len(xs) // 2], max((xs[hi_i] - xs[lo_i]) / 3.92, floor),
                                        u.to(lo), u.to(hi))
        return out

    # -- drawing (semantic units) ------------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        drawer: Callable[[bool], tuple[dict[str, object], int]] = getattr(self, f"_draw_{kind}")
        return drawer(live)

    def _draw_ticket(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._protocol += r.randint(1, 6)
        dist = self._zipf(self.districts, 0.7)
        confirms = 0.0 if r.random() > self.confirm_odds else float(1 + int(r.expovariate(0.45)))
        note = self._fill(r.choice(_TICKET_NOTES[d])) if live else ""
        return {"protocol": self._protocol_id(self._protocol), "cat": self._zipf(_CATS[d], 0.6),
                "district": dist.name, "street": r.choice(self.streets),
                "channel": r.choices(_CHANNELS[d], (0.45, 0.35, 0.15, 0.05))[0], "confirms": confirms,
                "note": note}, self.desk_origin

    def _draw_workorder(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._osno += r.randint(1, 3)
        note = self._fill(r.choice(_WO_NOTES[d])) if live else ""
        return {"osno": self._os_id(self._osno), "crew": r.choice(self.crews), "task": r.choice(_TASKS[d]),
                "esth": r.lognormvariate(math.log(self.esth0), 0.5),
                "cost": r.lognormvariate(math.log(self.cost0), 0.8), "note": note}, self.wms_origin

    def _draw_vehicle(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        v = self._zipf(self.vehicles, 0.4)
        act = self.activity(self._hour(live))
        moving = r.random() < 0.15 + 0.6 * act
        speed = min(90.0, max(4.0, r.gauss(32.0, 12.0))) if moving else 0.0
        fuel = v.fuel
        if live:
            if moving:
                km = r.randint(1, 6)
                v.odo += km
                v.fuel -= km * r.uniform(8.0, 25.0) / v.tank
            if v.fuel < 15.0:
                v.fuel = r.uniform(88.0, 100.0)
            fuel = v.fuel
        else:
            fuel = r.uniform(15.0, 100.0)
        idle = 0.0 if moving or r.random() < 0.55 else float(min(60, int(r.expovariate(1 / 6.0))))
        ect = r.gauss(v.ect, 2.5) if moving or idle else r.gauss(v.ect - 12.0, 6.0)
        return {"plate": v.plate, "odo": v.odo, "speed": speed, "fuel": fuel, "ect": ect,
                "idle": idle}, self.fleet_origin

    def _draw_water(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        z = self._zipf(self.zones, 0.5)
        act = self.activity(self._hour(live))
        demand = z.night + (1.0 - z.night) * act
        return {"zone": z.name, "press": r.gauss(z.press * (1.12 - 0.25 * demand), 1.2),
                "flow": z.flow * (0.3 + 1.4 * demand) * r.lognormvariate(0.0, 0.12)}, self.scada_origin

    def _draw_reservoir(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        res = self._zipf(self.reservoirs, 0.6)
        if live:
            res.level = min(97.0, max(25.0, res.level + r.gauss(0.0, 1.8)))
            res.drift = min(0.25, max(-0.25, res.drift + r.gauss(0.0, 0.03)))
            level, drift = res.level, res.drift
        else:
            level, drift = r.uniform(25.0, 97.0), r.uniform(-0.25, 0.25)
        return {"res": res.name, "level": level, "chlorine": max(0.05, r.gauss(res.cl + drift, 0.08)),
                "turb": r.lognormvariate(math.log(res.turb), 0.3)}, self.scada_origin

    def _draw_light(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        lamp = self._zipf(self.lamps, 0.3)
        on = self.dark(self._hour(live))
        dim = on and r.random() < 0.3
        if live and on:
            lamp.burnh += 1
        cur = (lamp.watt / self.v0 * (0.6 if dim else 1.0) * r.gauss(1.08, 0.03)) if on else r.uniform(0.0, 0.02)
        return {"lamp": lamp.name, "lmode": _LMODES[d][1 if dim else 0], "lcur": cur, "burnh": lamp.burnh,
                "volt": r.gauss(self.v0, 0.012 * self.v0), "leak": r.lognormvariate(math.log(lamp.leak), 0.3)}, \
            self.districts[lamp.district].origin

    def _draw_bin(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        b = self._zipf(self.bins, 0.3)
        if live:
            b.fill += b.rate * self.tick_h * 60.0 * r.uniform(0.0, 2.0) * 0.05
            if b.fill >= 100.0 or (b.fill > 70.0 and r.random() < 0.1):
                b.fill = r.uniform(0.0, 6.0)  # collected
            b.batt = max(2.9, b.batt - r.uniform(0.0, 0.0015))
            fill, batt = b.fill, b.batt
        else:
            fill, batt = r.uniform(0.0, 100.0), r.uniform(3.0, 3.65)
        tilt = b.tilt + (0.0 if r.random() < 0.85 else r.expovariate(0.5))
        return {"bin": b.name, "fill": min(100.0, fill), "btemp": r.gauss(self.air + 3.0, 3.0), "tilt": tilt,
                "batt": batt}, self.districts[b.district].origin

    def _draw_traffic(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        lp = self._zipf(self.loops, 0.5)
        if live:
            lp.iv += 1
        iv = lp.iv if live else lp.iv + r.randint(0, 95)
        minute = iv * 15 % 1440
        act = self.activity(minute / 60.0)
        vehicles = int(round(lp.volume * act * r.lognormvariate(0.0, 0.2)))
        jam = max(0.0, act - 0.6) / 0.4
        speed = max(3.0, r.gauss(lp.free * (1.0 - 0.45 * jam), 3.5))
        occ = min(100.0, max(0.0, 3.0 + 40.0 * act * act + r.gauss(0.0, 3.0)))
        return {"loop": lp.name, "tiv": iv, "slot": self._slot(minute), "vehicles": vehicles, "tspeed": speed,
                "occ": occ}, self.traffic_origin

    def _draw_callq(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        if live:
            self._ivq += 1
        act = self.activity(self._hour(live))
        agents = max(1, int(round(self.agents0 * (0.2 + 0.8 * act))))
        offered = int(round(agents * 6.0 * act * r.lognormvariate(0.0, 0.2)))
        aband = min(40.0, max(0.0, r.gauss(2.0 + 6.0 * act, 1.5)))
        answered = int(round(offered * (1.0 - aband / 100.0)))
        return {"ivq": self._ivq, "offered": offered, "answered": answered,
                "wait": r.lognormvariate(math.log(self.wait0 * (1.0 + 1.5 * act)), 0.3), "aband": aband,
                "agents": agents}, self.desk_origin

    def _draw_inspection(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._insno += r.randint(1, 2)
        defects = 0.0 if r.random() < 0.6 else float(1 + int(r.expovariate(0.7)))
        result = _RESULTS[d][0] if defects == 0 else r.choices(_RESULTS[d][1:], (0.7, 0.25, 0.05))[0]
        note = self._fill(r.choice(_INS_NOTES[d])) if live else ""
        return {"insno": self._ins_id(self._insno), "inspector": r.choice(self.inspectors),
                "site": f"{r.choice(self.streets)}, {r.randint(1, 480)}", "result": result, "defects": defects,
                "insdur": r.lognormvariate(math.log(self.insdur0), 0.45), "note": note}, self.wms_origin

    def _draw_pump(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        p = self._zipf(self.pumps, 0.5)
        if live and r.random() < 0.4:
            p.runh += 1
        act = self.activity(self._hour(live))
        return {"station": p.name, "source": _SOURCES[d][0], "power": p.kw * (0.55 + 0.4 * act) * r.gauss(1.0, 0.04),
                "pvib": r.lognormvariate(math.log(p.vib), 0.2), "mtemp": r.gauss(p.temp + 6.0 * act, 1.8),
                "runh": p.runh}, self.scada_origin

    def _draw_road(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        s = self._zipf(self.segments, 0.2)
        if live:
            s.iri *= math.exp(r.uniform(0.0, 0.004))
        pot = 0.0 if r.random() < 0.7 else float(1 + int(r.expovariate(0.5)))
        return {"segment": s.name, "street": s.street, "iri": s.iri * r.lognormvariate(0.0, 0.12),
                "rut": max(0.0, r.gauss(s.rut, 1.5)), "potholes": pot}, self.survey_origin

    def _draw_mainburst(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        diam = r.choice((150, 200, 300, 400, 600, 800))
        return {"zone": r.choice(self.zones).name, "street": r.choice(self.streets), "diam": diam,
                "customers": int(r.lognormvariate(math.log(diam * 6.0), 0.6)),
                "note": self._fill(r.choice(_BURST_NOTES[d]), diam=str(diam))}, self.scada_origin

    def _draw_sinkhole(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        return {"street": r.choice(self.streets), "district": r.choice(self.districts).name,
                "hole": r.uniform(0.8, 12.0), "depth": r.uniform(0.5, 6.0)}, self.survey_origin

    def _draw_ecoli(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        res = r.choice(self.reservoirs)
        sample = {"pt": f"AM-{r.randint(1, 99999):05d}", "hu": f"M{r.randint(1, 999999):06d}",
                  "hsb": f"PR/{r.randint(1, 9999):04d}"}[d]
        return {"res": res.name, "sample": sample, "cfu": r.randint(1, 80),
                "chlorine": round(r.uniform(0.0, 0.2), 2)}, self.scada_origin

    def _draw_streetflood(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        return {"street": r.choice(self.streets), "district": r.choice(self.districts).name,
                "wcm": float(r.randint(10, 120)), "passable": r.choice(_PASSABLE[d])}, self.traffic_origin

    def _slot(self, minute: int) -> str:
        h, m = divmod(minute, 60)
        return {"pt": f"{h:02d}h{m:02d}", "hu": f"{h:02d}:{m:02d}", "hsb": f"{h}.{m:02d}"}[self.dialect]

    def _protocol_id(self, n: int) -> str:
        return {"pt": f"{self.year}.{n:08d}", "hu": f"BEJ-{self.year}-{n:07d}", "hsb": f"ZD{n:07d}"}[self.dialect]

    def _os_id(self, n: int) -> str:
        return {"pt": f"OS-{n:06d}", "hu": f"ML/{self.year}/{n:05d}", "hsb": f"DN-{n:05d}"}[self.dialect]

    def _ins_id(self, n: int) -> str:
        return {"pt": f"VST{n:06d}", "hu": f"ELL-{n:06d}", "hsb": f"KON-{n:05d}"}[self.dialect]

    def _fill(self, template: str, **given: str) -> str:
        r = self._r
        slots: dict[str, Callable[[], object]] = {
            "n": lambda: r.randint(2, 40), "no": lambda: r.randint(1, 1800), "hh": lambda: r.randint(6, 22),
            "street": lambda: r.choice(self.streets), "district": lambda: r.choice(self.districts).name}
        names = [p.split("}", 1)[0] for p in template.split("{")[1:]]
        return template.format_map({n: given[n] if n in given else slots[n]() for n in dict.fromkeys(names)})

    # -- writing and reading -----------------------------------------------------------------------------------
    def _enc(self, key: str, x: float, dec: int | None = None) -> object:
        """A number in written units as this dialect prints it: rounded; a money string or a quantity string
        (a decimal comma, the unit after a space) where the dialect writes one, else a plain number."""
        dec = self._dec[key] if dec is None else dec
        y = round(x, dec) + 0.0 if dec else int(round(x))
        if key == self._money:
            return _money(self.dialect, y, dec)
        unit = self._qty.get(key)
        if unit is None:
            return y
        s = f"{y:.{dec}f}" if dec else str(y)
        return f"{s.replace('.', ',')} {unit}"

    def _write(self, sem: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units, rounding and number format."""
        out: dict[str, object] = {}
        for s, v in sem.items():
            key = self.keys[s]
            out[key] = self._enc(key, self._units[s].to(v)) if s in self._units and isinstance(v, float) else v
        return out

    def read(self, key: str, v: object) -> float:
        """A written reading back as a number (money strings by their dialect's separators)."""
        if key == self._money and isinstance(v, str):
            return _read_money(self.dialect, v)
        return read_number(v)

    # -- truth -------------------------------------------------------------------------------------------------
    def _k_of(self, kind: str, key: str, f: dict[str, object]) -> float:
        s = self.stats[kind][key]
        return abs(_space(self.read(key, f[key]), s.space) - s.center) / s.spread

    def anomaly_k(self, kind: str, fields: dict[str, object]) -> float:
        """The largest distance, in spreads, of an anomaly-prone number from its (kind, field) median."""
        return max((self._k_of(kind, key, fields) for key in self.stats.get(kind, {}) if key in fields), default=0.0)

    def priority_value(self, kind: str, fields: dict[str, object]) -> float:
        """Explicit priority (0..1) as the world's form writes it."""
        if kind not in CARRIERS:
            return 0.0
        mode, d = self.prio_mode, self.dialect
        if mode == "text":
            note = str(fields.get(self.keys["note"], ""))
            return max((STEP_STRENGTH[i] for i, p in enumerate(_URGENT[d], 1) if p in note), default=0.0)
        v = fields[str(self.prio_key)]
        if mode == "words":
            return STEP_STRENGTH[_WORDS[d].index(str(v))]
        if mode == "level":
            n = int(_NUM.search(str(v)).group())  # type: ignore[union-attr]
            return STEP_STRENGTH[{"pt": 5 - n, "hu": n - 1, "hsb": n}[d]]
        if mode == "sla":
            return STEP_STRENGTH[sum(_sla_minutes(d, v) < e for e in _SLA_EDGES)]
        if mode == "deadline":
            left = _stamp_minutes(d, str(v)) - _stamp_minutes(d, str(fields[self.keys["opened"]]))
            return STEP_STRENGTH[sum(left < e for e in _SLA_EDGES)]
        if mode == "score":
            top = _SCORE_TOP[d]
            return STEP_STRENGTH[sum(float(v) >= e * top / 5 for e in (1, 2, 3, 4))]  # type: ignore[arg-type]
        if mode == "percent":
            return STEP_STRENGTH[sum(read_number(v) >= e for e in _PCT_EDGES)]
        if mode == "flag":
            return FLAG_STRENGTH if v == _FLAG[d][1] else 0.0
        if mode == "code":
            return STEP_STRENGTH[_CODE[d].index(str(v))]
        if mode == "colour":
            return STEP_STRENGTH[_COLOUR[d].index(str(v))]
        return STEP_STRENGTH[_ESCALATION[d].index(str(v))]

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < ANOMALY_AT else min(1.0, 0.4 + 0.1 * (k - ANOMALY_AT))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        return routine_truth(a, p, rk or rv, rk)

    # -- records -----------------------------------------------------------------------------------------------
    def _routine(self, kind: str) -> tuple[dict[str, object], int]:
        for _ in range(100):
            sem, origin = self._draw(kind)
            f = self._write(sem)
            if self.anomaly_k(kind, f) < ROUTINE_BELOW:
                return f, origin
        raise RuntimeError(f"no routine draw of {kind}")  # pragma: no cover

    def _push_off(self, kind: str, f: dict[str, object]) -> bool:
        """Move one anomaly-prone number 5.2-12 spreads off its median, within bounds; False if none can go."""
        r = self._r
        choices = []
        for key in sorted(self.stats.get(kind, {})):
            s = self.stats[kind][key]
            for sign in ((1, -1) if s.direction == 0 else (s.direction,)):
                edge = _space(s.hi if sign > 0 else s.lo, s.space)
                reach = min(12.0, (edge - s.center) * sign / s.spread)
                if reach >= 5.6:
                    choices.append((key, sign, reach))
        if not choices:
            return False
        key, sign, reach = r.choice(choices)
        s = self.stats[kind][key]
        x = _unspace(s.center + sign * r.uniform(5.3, reach) * s.spread, s.space)
        quantum = 10.0 ** -self._dec[key]
        for _ in range(20_000):
            f[key] = self._enc(key, min(s.hi, max(s.lo, x)))
            if self._k_of(kind, key, f) >= ANOMALY_AT:
                return True
            x += sign * max(quantum, abs(x) * 0.005)
        return False  # pragma: no cover

    def _draw_step(self, news: bool) -> int:
        r = self._r
        if not news:
            return r.choices(range(5), STEP_ODDS)[0]
        return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.3, 0.4, 0.3))[0]

    def _form(self, step: int, opened: float) -> object:
        """The step as the world's form writes it (``opened``: the city clock in minutes, for deadlines)."""
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return _WORDS[d][step]
        if mode == "level":
            return 5 - step if d == "pt" else f"{step + 1}. fokozat" if d == "hu" else step
        if mode == "sla":
            m = r.choice(_SLA_MIN[step])
            return max(1, m // 60) if d == "pt" else _hu_duration(m) if d == "hu" else m
        if mode == "deadline":
            return _stamp(d, opened + r.choice(_SLA_MIN[step]))
        if mode == "score":
            top = _SCORE_TOP[d]
            lo, hi = step * top / 5, (step + 1) * top / 5
            x = r.triangular(lo, hi, lo) if step == 0 else r.uniform(lo, hi)
            if d == "hsb":
                return min(round(x, 1), round(hi - 0.1, 1))
            return min(int(x), int(hi) - 1 if step < 4 else top)
        if mode == "percent":
            lo, hi = _PCT[step]
            n = r.randint(lo, hi)
            return f"{n}%" if d == "pt" else f"{n} %" if d == "hu" else n
        if mode == "flag":
            return _FLAG[d][int(step >= 3)]
        if mode == "code":
            return _CODE[d][step]
        if mode == "colour":
            return _COLOUR[d][step]
        return _ESCALATION[d][step]

    def _mark(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step (carriers only), the opening time beside a deadline, and the note's urgent or calm
        words."""
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if step and nk in f:
                phrase = _URGENT[d][step - 1]
                f[nk] = f"{phrase}. {f[nk]}" if r.random() < 0.5 else f"{f[nk]}; {phrase}"
        elif kind in CARRIERS:
            opened = int((self.day * 24.0 + self.hour) * 60.0)
            if self.prio_mode == "deadline":
                f[self.keys["opened"]] = _stamp(d, opened)
            f[str(self.prio_key)] = self._form(step, opened)
        if nk in f and step == 0 and r.random() < 0.3:
            f[nk] = f"{f[nk]} ({r.choice(_CALM[d])})"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        self.hour += self.tick_h * r.uniform(0.5, 1.5)
        if self.hour >= 24.0:
            self.hour -= 24.0
            self.day += 1
        f, origin = self._routine(kind)
        rare_sem = {"ticket": "channel", "light": "lmode", "pump": "source"}.get(kind)
        if rare_sem and r.random() < 0.012:
            f[self.keys[rare_sem]] = _RARE_VALUES[self.dialect][rare_sem]
        carries = kind in PRIORITY_KINDS
        wants = r.random() < self.anomaly_rate if not news else (not carries or r.random() < 0.5)
        odd = wants and self._push_off(kind, f)
        if kind in ALWAYS_PRIORITY_RARE:
            step = r.choice((3, 4))
        elif carries:
            step = self._draw_step(news and not odd)
        else:
            step = 0
        self._mark(kind, f, step)
        imp, detail = self.score(kind, f)
        return _Rec(kind, origin, t, f, "burst_head" if news else "routine", imp, -1, detail)

    def _source(self, recs: list[_Rec]) -> int:
        """An earlier record of the batch to copy, by importance and recency; -1 when there is none."""
        n = len(recs)
        idx = [i for i in range(max(0, n - 500), n) if recs[i].case in ("routine", "burst_head")]
        if not idx:
            return -1
        w = [(recs[i].importance + 0.04) * math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, w)[0]

    def _reentry(self, f: dict[str, object]) -> dict[str, object]:
        """Another system's re-entry: one or two values re-rounded or re-typed (never the priority field, the
        opening time, nor, in a world that writes priority in notes, the note)."""
        r = self._r
        nk = self.keys["note"]
        options: list[tuple[str, object]] = []
        for key in sorted(f):
            v = f[key]
            if key in self._fixed or key == self.prio_key or isinstance(v, bool) or \
                    (self.prio_mode == "text" and key == nk):
                continue
            w: object = v
            if key in self._dec:
                w = self._renumber(key, v)
            elif isinstance(v, str) and v:
                w = self._retype(v)
            if w != v:
                options.append((key, w))
        if not options:  # pragma: no cover - every kind has a number or a word to re-type
            raise RuntimeError("nothing to re-enter")
        g = dict(f)
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.3 else 1)):
            g[key] = w
        return g

    def _renumber(self, key: str, v: object) -> object:
        """A number as another system writes it: re-rounded, its last digit moved, or (a quantity or money
        string) a decimal point for the comma, the unit's space or the thousands separator dropped. May return
        ``v`` itself."""
        r = self._r
        dec = self._dec[key]
        outs: list[object] = []
        if isinstance(v, str):
            if key == self._money:
                outs.append(v.replace("R$ ", "R$") if v.startswith("R$ ") else v.replace(" Ft", "Ft"))
                if self.dialect == "pt" and "." in v:
                    outs.append(v.replace(".", ""))
                elif self.dialect == "hu" and v.count(" ") > 1:
                    outs.append(v.replace(" ", ".", v.count(" ") - 1))
            else:
                m = _NUM.match(v)
                if m is None:  # pragma: no cover - quantity strings start with their number
                    return v
                num, unit = m.group(), v[m.end():].strip()
                if "," in num:
                    outs.append(v.replace(",", ".", 1))
                outs.append(f"{num}{unit}")
                x = read_number(v)
                y = _coarser(x, dec)
                if y != x:
                    outs.append(self._enc(key, y, max(0, dec - 1)))
        elif isinstance(v, int | float) and not isinstance(v, bool):
            y = _coarser(v, dec if isinstance(v, float) else 0)
            if y != v:
                outs.append(y)
            if isinstance(v, float) and dec:
                outs.append(round(v + r.choice((-1, 1)) * 10.0 ** -dec, dec))
            elif isinstance(v, int) and abs(v) >= 50:
                outs.append(v + r.choice((-1, 1)))
        outs = [o for o in outs if o != v]
        return r.choice(outs) if outs else v

    def _retype(self, s: str) -> str:
        """How another system writes the same words or id: an abbreviation, accents folded, a separator, case."""
        r = self._r
        out = [s.replace(a, b, 1) for a, b in _ABBREV[self.dialect] if a in s]
        folded = _fold(s)
        if folded != s:
            out.extend((folded, folded))
        for a, b in (("-", ""), ("/", "-"), (".", ""), (" ", "-")):
            if a in s and len(s) < 20 and not re.search("[a-zà-ž]{3}", s):
                out.append(s.replace(a, b))
        if s.upper() != s and len(s) < 40:
            out.append(s.upper())
        elif s.lower() != s:
            out.append(s.lower())
        out = [x for x in out if x != s]
        return r.choice(out) if out else s

    def _tail(self, b: _Storm, t: float) -> _Rec:
        """A burst's look-alike: same kind, origin and keys; plain numbers drift, counters step, words (and
        numbers written as strings) stay."""
        r = self._r
        b.emitted += 1
        g = dict(b.rec.fields)
        steps = {self.keys[c] for c in COUNTERS}
        movable = sorted(k for k, v in g.items() if _drifts(v) and k in self._dec and k != self.prio_key)
        for key, v in b.rec.fields.items():
            if key in steps:
                g[key] = _step_counter(v, b.emitted)
            elif key in movable:
                x = float(v)  # type: ignore[arg-type]
                quantum = 10.0 ** -self._dec[key]
                lo, hi = self._caps.get(key, (-math.inf if x < 0 else 0.0, math.inf))
                y = min(hi, max(lo, x + r.gauss(0.0, 0.008 * abs(x) + 0.5 * quantum)))
                g[key] = round(y, self._dec[key]) if isinstance(v, float) else int(round(y))
        if g == b.rec.fields:  # nothing moved past its rounding
            if movable:
                key = r.choice(movable)
                v = g[key]
                sign = r.choice((-1, 1)) if abs(float(v)) > 1 else 1  # type: ignore[arg-type]
                g[key] = round(float(v) + sign * 10.0 ** -self._dec[key], self._dec[key]) if isinstance(v, float) \
                    else int(v) + sign  # type: ignore[call-overload]
            else:  # everything written as strings: the sensor's own sequence field is not there; re-stamp the note
                raise RuntimeError("a burst tail with nothing to move")  # pragma: no cover
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)


# -- helpers ---------------------------------------------------------------------------------------------------
def read_number(v: object) -> float:
    """A written reading back as a number: plain, or a quantity string (``"31,5 mca"``, ``"231 V"``)."""
    if isinstance(v, bool):
        raise TypeError("a flag is not a reading")
    if isinstance(v, int | float):
        return float(v)
    m = _NUM.search(str(v))
    if m is None:
        raise ValueError(f"no number in {v!r}")
    return float(m.group().replace(",", "."))


def _money(d: str, y: float, dec: int) -> str:
    if d == "pt":  # R$ 1.234,56
        whole, cents = divmod(int(round(y * 100)), 100)
        return f"R$ {whole:,}".replace(",", ".") + f",{cents:02d}"
    return f"{int(round(y)):,} Ft".replace(",", " ")  # 123 456 Ft


def _read_money(d: str, s: str) -> float:
    body = s.replace("R$", "").replace("Ft", "").strip()
    if d == "pt":
        return float(body.replace(".", "").replace(",", "."))
    return float(body.replace(" ", "").replace(".", ""))


def _hu_duration(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440} nap"
    if minutes % 60 == 0:
        return f"{minutes // 60} óra"
    return f"{minutes} perc"


def _sla_minutes(d: str, v: object) -> int:
    if d == "pt":
        return 60 * int(str(v))
    if d == "hsb":
        return int(str(v))
    n, unit = str(v).split(" ")
    return int(n) * {"nap": 1440, "óra": 60, "perc": 1}[unit]


_EPOCH_DAYS = 738886  # date(2024, 1, 1).toordinal()


def _stamp(d: str, minutes: float) -> str:
    """The city clock (minutes since 2024-01-01 00:00 local) as the dialect writes a date and time."""
    m = int(minutes)
    day, rest = divmod(m, 1440)
    date = _dt.date.fromordinal(_EPOCH_DAYS + day)
    hh, mm = divmod(rest, 60)
    if d == "pt":
        return f"{date.isoformat()}T{hh:02d}:{mm:02d}:00-03:00"
    if d == "hu":
        return f"{date.year}.{date.month:02d}.{date.day:02d}. {hh:02d}:{mm:02d}"
    return f"{date.day:02d}.{date.month:02d}.{date.year} {hh:02d}:{mm:02d}"


def _stamp_minutes(d: str, s: str) -> int:
    if d == "pt":
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):00-03:00", s)
        y, mo, da, hh, mi = (int(x) for x in m.groups())  # type: ignore[union-attr]
    elif d == "hu":
        m = re.fullmatch(r"(\d{4})\.(\d{2})\.(\d{2})\. (\d{2}):(\d{2})", s)
        y, mo, da, hh, mi = (int(x) for x in m.groups())  # type: ignore[union-attr]
    else:
        m = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})", s)
        da, mo, y, hh, mi = (int(x) for x in m.groups())  # type: ignore[union-attr]
    return (_dt.date(y, mo, da).toordinal() - _EPOCH_DAYS) * 1440 + hh * 60 + mi


def _coarser(v: int | float, dec: int) -> int | float:
    """Another system's rounding: one decimal fewer, or whole numbers of 10 and more to the nearest 5 / 10 /
    100. May return ``v`` itself."""
    if isinstance(v, float) and dec > 0:
        return round(v, dec - 1) + 0.0
    if abs(v) < 10:
        return v
    step = 100 if abs(v) >= 5000 else 10 if abs(v) >= 200 else 5
    out = round(v / step) * step
    return int(out) if isinstance(v, int) else float(out)


def _drifts(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v != 0


def _step_counter(v: object, by: int) -> object:
    """A counter ``by`` further on: an int, or the number at the end of an id (``OS-001234``)."""
    if isinstance(v, int):
        return v + by
    s = str(v)
    i = len(s)
    while i and s[i - 1].isdigit():
        i -= 1
    return f"{s[:i]}{int(s[i:]) + by:0{len(s) - i}d}"
