"""Held-out family ``ran``: a mobile operator's radio access network. Used ONLY by evaluation.

Theory of operation
-------------------
A nineteenth held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it shares
no code path, name, distribution or vocabulary with the training generators or the other held-out families
(none of which is a mobile network). Only the truth helpers (:func:`noisy_or`, :func:`main_reason`,
:func:`tail_importance`, ``ROUTINE_FLOOR``), :class:`LabeledRecord` (through the shared scheduler) and the
stream scheduler of node/workload/holdout_stream.py (:class:`BurstStream`) are shared. Training never
imports this module (tests/node/test_holdout_ran.py checks ``sys.modules``).

One seed is one world: one operator's region (a US desert market, a Georgian mountain region, a Maldivian
atoll group) whose nodes (3-10 peer ids, the ``origins``: the OSS performance mediation, the fault manager,
the transmission NMS, the NOC ticketing system, the field workforce system, the site controllers, the
drive-test and crowd probes) carry cell performance counters, handover relations, microwave hops, site
power and climate, GNSS sync, radio units, cluster KPIs, probe samples, alarms, NOC tickets and field
work orders (tower climbs among them). A world draws, from one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks the units and
  the number format, and writes every note;
- 4-6 common kinds of 12, at least one of which carries priority, and 1-3 rare kinds of 4 (each 0.15-1.1%
  of the fresh records);
- one of ten priority forms (``prio_mode``, field ``prio_key``);
- its network: 6-24 sites (each with 1-3 sectors on 1-3 bands, a DC load, a battery bank, one origin
  drawn Zipf), microwave hops between sites, one radio unit per sector, 2-5 clusters, 2-9 probes, NOC teams
  and field crews; a season (a Georgian mountain winter reaches -20 deg C);
- case rates, a mean gap between records (0.25-6 s), whether the stream arrives in uploads (clumps), and how
  far back copies reach.

Dialects
--------
- ``en``: English as a US operator's OSS writes it: kinds ``Domain.Thing`` (``Ran.CellPm``, ``Fm.Alarm``),
  fields lowerCamelCase with vendor ``pm`` counter names (``pmSinrAvg``, ``pmHoExeFail``) and unit suffixes
  (``cabinetTempF``, ``windMph``, ``otdrFt``); deg F, mph, feet, a -48 V plant written negative
  (``dcBusVolts`` -53.6), 240 V mains; plain numbers.
- ``ka``: Georgian (Mkhedruli): kinds ``domain/thing`` (``რადიო/სექტორი``), fields Georgian snake_case with
  the unit in square brackets (``ძაბვა_DC[V]``, ``ქარი[მ/წმ]``); metric, 230 V mains, and every decimal
  written as a string with a decimal comma (``"53,62"``, ``"-97,5"``), whole numbers as integers.
- ``dv``: Dhivehi (Thaana script, no ``_lang(...)`` code): kinds ``THING-ASPECT`` (``ސައިޓް-ބާރު``),
  fields Thaana words with spaces, the unit in parentheses (``ލޯޑު (A)``) or, for eleven readings, inside
  the value as the island's monitoring tools print it (``"38.2ms"``, ``"53.6V"``, ``"87%"``, wind
  ``"14.0kt"`` in knots); 230 V mains, solar-hybrid island sites.

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``cell`` a cell's 15-minute counters (RSRP, SINR* (down), PRB utilisation bimodal busy / quiet,
active users, user throughput* log-normal (down), abnormal releases* zero-inflated (up), a ROP counter per
cell); ``ho`` a handover relation (attempts, failures* zero-inflated (up), preparation time* log-normal (up));
``mw`` a microwave hop (adaptive modulation, capacity by modulation, received level* (down), latency*
log-normal (up), lost packets zero-inflated); ``power`` site power (source, DC bus voltage* (either way),
DC load, battery temperature* (up), state of charge, mains voltage, an energy counter per site); ``env`` a
site cabinet (cabinet temperature* (up), humidity* (either way), door, cooling mode, outdoor air by season);
``gnss`` sync (satellites tracked, time error* (either way), lock state); ``rru`` a radio unit (return
loss* (down), PA temperature* (up), transmit power, fan speed, an uptime counter per unit); ``kpi`` a cluster's
hourly KPIs (accessibility* (down, capped at 100), drop rate* log-normal (up), traffic, RRC attempts, an
hour counter per cluster); ``probe`` a probe sample (serving cell, RSRP, RSRQ, download* log-normal (down),
ping* log-normal (up), a sample counter per probe); ``alarm`` a fault-manager alarm (a world counter, site,
probable cause, managed object, acknowledge delay* log-normal (up), additional text); ``ticket`` a NOC
ticket (a world counter, site, category, team, estimated time to restore* log-normal (up), minutes open,
notes); ``visit`` a field work order (a world counter, site, task, crew, travel time* log-normal (up), wind*
(up), climb height, notes). Rare: ``fibrecut`` a fibre cut (always raised priority), ``intrusion`` a site
intrusion, ``lightning`` a lightning strike, ``sitedown`` a site off air. Rare categorical values (a cell
barred, a hop on its protection path, a site on battery) appear in about 1.2% of their kinds' records.

Priority forms (carried by ``alarm``, ``ticket``, ``visit`` and ``fibrecut``)
------------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 85% at 0); the world's form writes it, and
the truth is read back from what is written:

- ``x733``: the ITU X.733 perceived-severity code an SNMP alarm MIB carries: cleared(1) or
  indeterminate(2) routine, warning(6), minor(5), major(4), critical(3): not monotonic in the number;
- ``sla``: the restore target, small is pressing: en ISO 8601 durations (``"P5D"`` .. ``"PT30M"``), ka
  ``"3 დღე"`` / ``"4 სთ"`` / ``"30 წთ"``, dv whole minutes;
- ``bits``: a 16-bit alarm flag word; bits 2, 5, 8 and 11 are steps 1-4 (the highest set counts), bits
  0, 1, 3 and 12 are bookkeeping (acknowledged, auto-clear ...) and mean nothing: en ``"0x0821"``, ka a
  16-digit binary string, dv the decimal integer;
- ``impact``: subscribers affected, large is pressing (bands at 50 / 500 / 5,000 / 50,000): en an
  integer, ka a string grouped by spaces (``"12 500"``), dv ``"12.5k"``;
- ``health``: a site health score in percent, small is pressing (bands at 90 / 70 / 50 / 25): en an
  integer, ka a decimal-comma string, dv ``"87%"``;
- ``arp``: the 3GPP allocation-and-retention priority level of the affected bearers, 1 is highest
  (1 / 2-3 / 4-5 / 6-8 / 9-15 routine): an integer, dv ``"3/15"``;
- ``sa``: service-affecting, strength 0.9 at steps 3-4: en ``"SA"`` / ``"NSA"``, ka ``"კი"`` / ``"არა"``,
  dv ``"އާން"`` / ``"ނޫން"``;
- ``lamp``: a dashboard status symbol: en ``🟢 🔵 🟡 🟠 🔴``, ka ``🟩 🟦 🟨 🟧 🟥``, dv ``✔ • ⚠ ❗ 🆘``;
- ``words``: the NOC's state word (OK / WATCH / DEGRADED / OUTAGE / MAJOR OUTAGE; ნორმა .. კატასტროფა;
  ރަނގަޅު .. ކުއްލި ހާލަތު);
- ``text``: no field; an urgency phrase in the notes (four levels), and routine notes that often say
  outright that nothing is pressing.

Cases and truth (docs/attention.md, "The definition (issue 3)")
----------------------------------------------------------------
Routine records and burst heads, from their content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` (see :meth:`RanWorkload.score`); anomaly = 0
below 4.5 spreads, else ``min(1, 0.35 + 0.12 * (k - 4.5))`` where k is the largest distance of an
anomaly-prone number (read back from what is written: a decimal comma or a unit suffix is parsed) from
its (kind, field) median in spreads (central 95% width / 3.92 of the world's own written routine values;
log space for positive heavy-tailed fields, log(1 + x) for zero-inflated counts); routine values are
redrawn while 4 or more spreads off; an anomaly (1.5-3.5% of fresh records) puts one number 4.5-11
spreads off, in the field's physical direction and bounds. Rarity 0.5 for a rare kind, 0.45 for a rare
value. ``detail = main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``.

An exact copy (an alarm forwarded by a second manager, a PM file collected twice) keeps 5% of its source;
a near copy (another system's re-entry: a number re-rounded, a Georgian decimal comma typed as a point, a
Dhivehi unit written with a space or in lower case, a name abbreviated or its case changed; never the
priority field, nor the notes where the world writes priority in notes) 10%; a burst (a cell re-reporting
at fault rate, a flapping alarm, a ticket re-sent by the handheld) has a head carrying the news and 2-40
tails from the same origin, plain numbers drifting and counters stepping, worth ``tail_importance(head)``;
a re-send of an earlier batch's news keeps 1% of it (2% through another origin).

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from node.workload.domains import tail_importance
from node.workload.holdout_stream import BurstStream, routine_truth
from node.workload.holdout_stream import Rec as _Rec
from node.workload.holdout_stream import Storm as _Storm
from node.workload.holdout_stream import poisson as _poisson
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
    "RanWorkload",
    "read_number",
]

_T = TypeVar("_T")

DIALECTS = ("en", "ka", "dv")
PRIORITY_MODES = ("x733", "sla", "bits", "impact", "health", "arp", "sa", "lamp", "words", "text")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
STEP_ODDS = (0.85, 0.05, 0.04, 0.035, 0.025)

COMMON_KINDS = ("cell", "ho", "mw", "power", "env", "gnss", "rru", "kpi", "probe", "alarm", "ticket", "visit")
PRIORITY_KINDS = frozenset({"alarm", "ticket", "visit"})
RARE_KINDS = ("fibrecut", "intrusion", "lightning", "sitedown")
ALWAYS_PRIORITY_RARE = frozenset({"fibrecut"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
COUNTERS = ("rop", "kwh", "uptime", "kpiseq", "probeseq", "almno", "tktno", "wono")

# -- names ------------------------------------------------------------------------------------------------
_KINDS = {
    "en": {"cell": "Ran.CellPm", "ho": "Ran.HoRelation", "mw": "Transport.MwHop", "power": "Site.Power",
           "env": "Site.Climate", "gnss": "Sync.Gnss", "rru": "Radio.Unit", "kpi": "Cluster.Kpi",
           "probe": "Probe.Sample", "alarm": "Fm.Alarm", "ticket": "Noc.Ticket", "visit": "Field.WorkOrder",
           "fibrecut": "Transport.FiberCut", "intrusion": "Site.Intrusion", "lightning": "Site.LightningStrike",
           "sitedown": "Ran.SiteOutage"},
    "ka": {"cell": "რადიო/სექტორი", "ho": "რადიო/ჰენდოვერი", "mw": "ტრანსპორტი/რადიორელე", "power": "საიტი/კვება",
           "env": "საიტი/კლიმატი", "gnss": "სინქრო/GNSS", "rru": "რადიო/ბლოკი", "kpi": "კლასტერი/KPI",
           "probe": "ზონდი/გაზომვა", "alarm": "მონიტორინგი/განგაში", "ticket": "NOC/ინციდენტი",
           "visit": "ველი/სამუშაო", "fibrecut": "ტრანსპორტი/ოპტიკის_გაწყვეტა", "intrusion": "საიტი/შეღწევა",
           "lightning": "საიტი/მეხი", "sitedown": "რადიო/საიტის_გათიშვა"},
    "dv": {"cell": "ސެލް-ކައުންޓަރު", "ho": "ސެލް-ހޭންޑޯވަރ", "mw": "މައިކްރޯވޭވް-ލިންކް", "power": "ސައިޓް-ބާރު",
           "env": "ސައިޓް-ހޫނު", "gnss": "ޖީއެންއެސްއެސް-ސިންކް", "rru": "ރޭޑިއޯ-ޔުނިޓް", "kpi": "ކްލަސްޓަރ-ކޭޕީއައި",
           "probe": "ޕްރޯބް-ސާމްޕަލް", "alarm": "އެލާމް-ފޯލްޓް", "ticket": "ނޮކް-ޓިކެޓް", "visit": "ފީލްޑް-މަސައްކަތް",
           "fibrecut": "ފައިބަރ-ކެނޑުން", "intrusion": "ސައިޓް-ވަދެގަތުން", "lightning": "ސައިޓް-ވިދުން",
           "sitedown": "ސައިޓް-ކެނޑުން"},
}

# semantic name -> (en, ka, dv)
_FIELDS: dict[str, tuple[str, str, str]] = {
    "cellid": ("cellId", "სექტორი", "ސެލް"),
    "band": ("band", "დიაპაზონი", "ބޭންޑު"),
    "cstate": ("opState", "სტატუსი", "ސެލްގެ ހާލަތު"),
    "rsrp": ("pmRsrpAvg", "RSRP_საშ[dBm]", "އާރްއެސްއާރްޕީ (dBm)"),
    "sinr": ("pmSinrAvg", "SINR[dB]", "ސިނަރ (dB)"),
    "prb": ("pmPrbUtilDl", "PRB_დატვირთვა[%]", "ޕީއާރްބީ ބޭނުން (%)"),
    "ues": ("pmActiveUeDl", "აქტიური_აბონენტები", "އެކްޓިވް ޔޫސަރުން"),
    "thr": ("pmUeThpDl", "გამტარუნარიანობა[Mbps]", "ސްޕީޑް"),
    "drops": ("pmErabRelAbnormal", "ჩავარდნები", "ކޯލް ޑްރޮޕް"),
    "rop": ("ropSeq", "პერიოდი_N", "ރޮޕް ނަންބަރު"),
    "src": ("sourceCell", "წყარო_სექტორი", "ފެށޭ ސެލް"),
    "tgt": ("targetCell", "სამიზნე_სექტორი", "ދާ ސެލް"),
    "hotype": ("hoType", "ჰენდოვერის_ტიპი", "ހޭންޑޯވަރ ބާވަތް"),
    "hoatt": ("pmHoExeAtt", "მცდელობები", "ހޭންޑޯވަރ އަދަދު"),
    "hofail": ("pmHoExeFail", "წარუმატებელი", "ފެއިލްވި އަދަދު"),
    "prep": ("pmHoPrepTimeMs", "მომზადება[ms]", "ތައްޔާރުވި ވަގުތު (ms)"),
    "link": ("linkId", "ხაზი", "ލިންކް"),
    "farend": ("farEnd", "მეორე_ბოლო", "އަނެއްކޮޅު"),
    "path": ("activePath", "აქტიური_გზა", "އެކްޓިވް މަގު"),
    "mod": ("modulation", "მოდულაცია", "މޮޑިއުލޭޝަން"),
    "cap": ("capacityMbps", "სიჩქარე[Mbps]", "ކެޕޭސިޓީ (Mbps)"),
    "rsl": ("rslDbm", "მიღების_დონე[dBm]", "ލިބޭ ސިގްނަލް (dBm)"),
    "lat": ("latencyMs", "დაყოვნება[ms]", "ލޭޓެންސީ"),
    "loss": ("lostPackets", "დაკარგული_პაკეტები", "ގެއްލުނު ޕެކެޓް"),
    "site": ("siteId", "საიტი", "ސައިޓް"),
    "source": ("powerSource", "კვების_წყარო", "ބާރު ލިބޭ ގޮތް"),
    "dcv": ("dcBusVolts", "ძაბვა_DC[V]", "ޑީސީ ވޯލްޓް"),
    "load": ("dcLoadAmps", "დატვირთვა[A]", "ލޯޑު (A)"),
    "btemp": ("batteryTempF", "აკუმ_ტემპ[°C]", "ބެޓެރީ ހޫނު"),
    "soc": ("batterySocPct", "დამუხტვა[%]", "ބެޓެރީ ޗާޖު"),
    "acv": ("acInputVolts", "ქსელის_ძაბვა[V]", "އޭސީ ވޯލްޓް"),
    "kwh": ("energyKwh", "ენერგია[kWh]", "ހަރަދުވި ބާރު (kWh)"),
    "ctemp": ("cabinetTempF", "კარადის_ტემპ[°C]", "ކެބިނެޓް ހޫނު"),
    "rh": ("humidityPct", "ტენიანობა[%]", "ތެތްކަން (%)"),
    "door": ("doorState", "კარი", "ދޮރު"),
    "cool": ("coolingMode", "გაგრილება", "ފިނިކުރުން"),
    "tout": ("outdoorTempF", "გარე_ტემპ[°C]", "ބޭރު ހޫނު (°C)"),
    "sats": ("satsTracked", "თანამგზავრები", "ސެޓެލައިޓް އަދަދު"),
    "terr": ("timeErrorNs", "დროის_ცდომილება[ns]", "ވަގުތުގެ ތަފާތު (ns)"),
    "sync": ("syncState", "სინქრონიზაცია", "ސިންކް"),
    "unit": ("radioUnit", "რადიობლოკი", "ރޭޑިއޯ ޔުނިޓް"),
    "rl": ("returnLossDb", "არეკვლის_დანაკარგი[dB]", "ރިޓަރން ލޮސް (dB)"),
    "patemp": ("paTempF", "გამაძლიერებლის_ტემპ[°C]", "ޕީއޭ ހޫނު (°C)"),
    "pwr": ("txPowerW", "სიმძლავრე[W]", "ޓްރާންސްމިޓް ބާރު (W)"),
    "fan": ("fanRpm", "ვენტილატორი[rpm]", "ފަން (rpm)"),
    "uptime": ("uptimeH", "მუშაობის_საათები", "އަޕްޓައިމް (ގަޑިއިރު)"),
    "cluster": ("cluster", "კლასტერი", "ކްލަސްޓަރ"),
    "acc": ("accessibilityPct", "ხელმისაწვდომობა[%]", "އެކްސެސިބިލިޓީ (%)"),
    "droprate": ("dropRatePct", "ჩავარდნის_წილი[%]", "ޑްރޮޕް ރޭޓް (%)"),
    "traffic": ("trafficErl", "ტრაფიკი[Erl]", "ޓްރެފިކް (Erl)"),
    "calls": ("rrcAttempts", "RRC_მცდელობები", "އާރްއާރްސީ އަދަދު"),
    "kpiseq": ("hourSeq", "საათი_N", "ގަޑި ނަންބަރު"),
    "probe": ("probeId", "ზონდი", "ޕްރޯބް"),
    "pcell": ("servingCell", "მომსახურე_სექტორი", "ހިދުމަތްދޭ ސެލް"),
    "prsrp": ("rsrpDbm", "RSRP[dBm]", "ސިގްނަލް (dBm)"),
    "rsrq": ("rsrqDb", "RSRQ[dB]", "ކޮލިޓީ (dB)"),
    "dl": ("dlMbps", "ჩამოტვირთვა[Mbps]", "ޑައުންލޯޑް"),
    "ping": ("pingMs", "პინგი[ms]", "ޕިންގް"),
    "probeseq": ("sampleSeq", "ნიმუში_N", "ސާމްޕަލް ނަންބަރު"),
    "almno": ("alarmId", "განგაში_N", "އެލާމް ނަންބަރު"),
    "aname": ("probableCause", "მიზეზი", "ސަބަބު"),
    "mo": ("managedObject", "ობიექტი", "އޮބްޖެކްޓް"),
    "ackdelay": ("ackDelayS", "დადასტურება[წმ]", "އެކްނޮލެޖް ވަގުތު (ސިކުންތު)"),
    "note": ("notes", "შენიშვნა", "ނޯޓު"),
    "tktno": ("ticketNo", "ინციდენტი_N", "ޓިކެޓް ނަންބަރު"),
    "category": ("category", "კატეგორია", "ބާވަތް"),
    "team": ("assignedTeam", "ჯგუფი", "ޓީމް"),
    "etr": ("etrHours", "აღდგენა[სთ]", "ރަނގަޅުވާނެ ވަގުތު (ގަޑިއިރު)"),
    "openmin": ("openMinutes", "ღიაა[წთ]", "ހުޅުވިފައިވާ މިނެޓު"),
    "wono": ("workOrder", "სამუშაო_N", "ވޯކް އޯޑަރު"),
    "task": ("task", "დავალება", "މަސައްކަތް"),
    "crew": ("crewLead", "ბრიგადირი", "ޓެކްނީޝަން"),
    "travel": ("travelMin", "გზა[წთ]", "ދަތުރު (މިނެޓު)"),
    "wind": ("windMph", "ქარი[მ/წმ]", "ވައި"),
    "height": ("climbFt", "სიმაღლე[მ]", "އުސްމިން (މީޓަރު)"),
    "span": ("fiberSpan", "ოპტიკის_მონაკვეთი", "ފައިބަރ ސްޕޭން"),
    "otdr": ("otdrFt", "OTDR_მანძილი[კმ]", "އޯޓީޑީއާރު"),
    "affected": ("sitesDown", "გათიშული_საიტები", "ކެނޑިފައިވާ ސައިޓް"),
    "detect": ("detectedBy", "გამოვლინდა", "ފާހަގަކުރީ"),
    "motion": ("motion", "მოძრაობა", "ހަރަކާތް"),
    "missing": ("battMissing", "დაკარგული_აკუმ", "ނެތް ބެޓެރީ"),
    "spd": ("spdState", "მეხდამცავი", "ސާޖް ޕްރޮޓެކްޓަރ"),
    "dist": ("strikeMi", "დარტყმის_მანძილი[კმ]", "ވިދާ ދުރުމިން (km)"),
    "peak": ("peakKa", "დენი[kA]", "ކަރަންޓު (kA)"),
    "cellsoff": ("cellsOffAir", "გათიშული_სექტორები", "ނިވިފައިވާ ސެލް"),
    "downmin": ("downMinutes", "უკავშირობა[წთ]", "ކެނޑިފައިވާ މިނެޓު"),
    "cause": ("cause", "მიზეზი_გათიშვის", "ސަބަބު ކެނޑުނު"),
}
_PRIO_KEYS = {
    "x733": ("perceivedSeverity", "სიმძიმე_კოდი", "ސީވިއަރިޓީ ކޯޑު"),
    "sla": ("restoreTarget", "აღდგენის_ვადა", "ރީސްޓޯ ވަގުތު (މިނެޓު)"),
    "bits": ("alarmFlags", "ალმები", "ފްލެގް ބިޓް"),
    "impact": ("subsAffected", "დაზარალებული_აბონენტები", "އަސަރުކުރި ކަސްޓަމަރުން"),
    "health": ("siteHealth", "მდგომარეობის_ქულა[%]", "ހެލްތު ސްކޯ"),
    "arp": ("bearerArp", "ARP_დონე", "އޭއާރްޕީ"),
    "sa": ("svcAffecting", "მომსახურებაზე_გავლენა", "ހިދުމަތަށް އަސަރު"),
    "lamp": ("statusLamp", "ინდიკატორი", "ލައިޓް"),
    "words": ("siteState", "მდგომარეობა", "ހާލަތު"),
}

# -- units and number formats: semantic units are metric (deg C, m/s, km, m, min, h, V, ms, dBm) ----------------
_DEC = {"rsrp": 1, "sinr": 1, "prb": 1, "ues": 1, "thr": 1, "drops": 0, "hoatt": 0, "hofail": 0, "prep": 0,
        "cap": 0, "rsl": 1, "lat": 1, "loss": 0, "dcv": 2, "load": 1, "btemp": 1, "soc": 0, "acv": 0,
        "ctemp": 1, "rh": 0, "tout": 1, "sats": 0, "terr": 0, "rl": 1, "patemp": 1, "pwr": 1, "fan": 0,
        "acc": 2, "droprate": 2, "traffic": 1, "calls": 0, "prsrp": 0, "rsrq": 1, "dl": 1, "ping": 0,
        "ackdelay": 0, "etr": 1, "openmin": 0, "travel": 0, "wind": 1, "height": 0, "otdr": 2, "dist": 1,
        "peak": 1, "missing": 0, "cellsoff": 0, "downmin": 0, "affected": 0}


@dataclass(frozen=True, slots=True)
class _Unit:
    to: Callable[[float], float]
    dec: int


def _lin(a: float, b: float = 0.0) -> Callable[[float], float]:
    return lambda x: a * x + b


_F = _lin(1.8, 32.0)
_UNITS: dict[str, dict[str, _Unit]] = {
    "en": {"btemp": _Unit(_F, 0), "ctemp": _Unit(_F, 0), "tout": _Unit(_F, 0), "patemp": _Unit(_F, 0),
           "dcv": _Unit(_lin(-1.0), 2), "wind": _Unit(_lin(2.23694), 0), "otdr": _Unit(_lin(3280.84), 0),
           "height": _Unit(_lin(3.28084), 0), "dist": _Unit(_lin(0.621371), 1)},
    "ka": {"rsrp": _Unit(float, 0), "ues": _Unit(float, 0), "rsl": _Unit(float, 0)},
    "dv": {"wind": _Unit(_lin(1.94384), 1)},
}
# Dhivehi: readings printed with their unit inside the value.
_SUFFIX = {"lat": "ms", "dcv": "V", "soc": "%", "ctemp": "°C", "btemp": "°C", "wind": "kt", "thr": "Mbps",
           "dl": "Mbps", "ping": "ms", "otdr": "km", "acv": "V"}
_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")

# Anomaly-prone numbers per kind: semantic name -> (space, physical direction, semantic bounds).
_PRONE: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "cell": {"sinr": ("lin", -1, -20.0, 40.0), "thr": ("log", -1, 0.05, 3000.0), "drops": ("log1p", 1, 0.0, 5000.0)},
    "ho": {"hofail": ("log1p", 1, 0.0, 20000.0), "prep": ("log", 1, 3.0, 60000.0)},
    "mw": {"rsl": ("lin", -1, -95.0, -20.0), "lat": ("log", 1, 0.1, 5000.0)},
    "power": {"dcv": ("lin", 0, 40.0, 60.0), "btemp": ("lin", 1, -30.0, 90.0)},
    "env": {"ctemp": ("lin", 1, -40.0, 90.0), "rh": ("lin", 0, 1.0, 100.0)},
    "gnss": {"terr": ("lin", 0, -1e6, 1e6)},
    "rru": {"rl": ("lin", -1, 0.5, 40.0), "patemp": ("lin", 1, -30.0, 130.0)},
    "kpi": {"acc": ("lin", -1, 40.0, 100.0), "droprate": ("log", 1, 0.01, 60.0)},
    "probe": {"dl": ("log", -1, 0.01, 3000.0), "ping": ("log", 1, 1.0, 30000.0)},
    "alarm": {"ackdelay": ("log", 1, 1.0, 1e6)},
    "ticket": {"etr": ("log", 1, 0.05, 2000.0)},
    "visit": {"travel": ("log", 1, 1.0, 5000.0), "wind": ("lin", 1, 0.0, 60.0)},
}
_SPREAD_FLOOR = {"log": 0.05, "log1p": 0.25}

# -- priority forms ----------------------------------------------------------------------------------------
_X733 = ((1, 2), (6,), (5,), (4,), (3,))  # cleared / indeterminate, warning, minor, major, critical
_X733_STEP = {1: 0, 2: 0, 6: 1, 5: 2, 4: 3, 3: 4}
_SLA_MIN = ((4320, 7200, 14400), (1440,), (480, 720), (120, 240), (30, 60))
_SLA_EDGES = (2000, 1000, 300, 90)  # minutes: below each edge one step more pressing
_BIT_STEP = {2: 1, 5: 2, 8: 3, 11: 4}
_BIT_NOISE = (0, 1, 3, 12)
_IMPACT = ((0, 49), (50, 499), (500, 4940), (5000, 49400), (50000, 400000))
_IMPACT_EDGES = (50, 500, 5000, 50000)
_HEALTH = ((90.0, 100.0), (70.0, 89.4), (50.0, 69.4), (25.0, 49.4), (0.0, 24.4))
_HEALTH_EDGES = (90, 70, 50, 25)
_ARP = ((9, 15), (6, 8), (4, 5), (2, 3), (1, 1))
_SA = {"en": ("NSA", "SA"), "ka": ("არა", "კი"), "dv": ("ނޫން", "އާން")}
_LAMPS = {"en": ("🟢", "🔵", "🟡", "🟠", "🔴"), "ka": ("🟩", "🟦", "🟨", "🟧", "🟥"), "dv": ("✔", "•", "⚠", "❗", "🆘")}
_WORDS = {"en": ("OK", "WATCH", "DEGRADED", "OUTAGE", "MAJOR OUTAGE"),
          "ka": ("ნორმა", "დაკვირვება", "შეფერხება", "ავარია", "კატასტროფა"),
          "dv": ("ރަނގަޅު", "ސަމާލުކަން", "މައްސަލަ", "ބޮޑު މައްސަލަ", "ކުއްލި ހާލަތު")}

_URGENT = {  # steps 1..4, inside the notes (text worlds) and nowhere else
    "en": ("when you get a chance", "please pick up before end of shift", "need a tech rolling on this now",
           "ALL HANDS: drop everything, customers down"),
    "ka": ("როცა მოიცლით", "გთხოვთ დღესვე შეამოწმოთ", "სასწრაფოდ გაგზავნეთ ბრიგადა",
           "ყველა ადგილზე! დაუყოვნებლივ, აბონენტები კავშირის გარეშე არიან"),
    "dv": ("ފުރުސަތު ލިބުނީމާ ބައްލަވާ", "މިއަދު ތެރޭގައި ބައްލަވާ", "އަވަހަށް ޓެކްނީޝަނެއް ފޮނުވާ",
           "ކުއްލި ހާލަތު! މިހާރުން މިހާރަށް، ކަސްޓަމަރުން ކަނޑާލެވިފައި"),
}
_CALM = {
    "en": ("no rush", "not urgent", "low priority, next visit is fine", "FYI only", "can wait till Monday"),
    "ka": ("არ არის სასწრაფო", "აჩქარება არ არის საჭირო", "შეიძლება დაიცადოს", "მხოლოდ ინფორმაციისთვის",
           "შემდეგ ვიზიტზე"),
    "dv": ("އަވަސް ކަމެއް ނޫން", "ފަހުން ވެސް ރަނގަޅު", "މަޢުލޫމާތަށް", "ކުއްލި ކަމެއް ނޫން", "ދެން ދާ ދަތުރުގައި"),
}

# -- the dialects' words ------------------------------------------------------------------------------------
_ALARM_NOTES = {
    "en": ("auto-cleared after {n} s", "raised on {mo}, acked by NOC", "flapping, {n} times in the last hour",
           "correlated with a power event at {site}", "threshold {n} crossed, see PM",
           "raised inside the maintenance window", "seen after the software upgrade", "re-raised after clear"),
    "ka": ("ავტომატურად გასწორდა {n} წამში", "{mo}-ზე, NOC-მა დაადასტურა", "ციმციმებს, ბოლო საათში {n}-ჯერ",
           "დაკავშირებულია {site}-ის კვებასთან", "ზღვარი {n} გადაცდენილია, იხ. PM",
           "აღიძრა სამუშაოების ფანჯარაში", "გამოჩნდა პროგრამის განახლების შემდეგ", "ხელახლა აღიძრა გასწორების შემდეგ"),
    "dv": ("{n} ސިކުންތުން އަމިއްލައަށް ރަނގަޅުވި", "{mo} ގައި، ނޮކުން އެކްނޮލެޖް ކުރި", "ގަޑިއިރެއްގެ ތެރޭ {n} ފަހަރު އައި",
           "{site} ގެ ކަރަންޓާ ގުޅުން ހުރި", "ތްރެޝޯލްޑް {n} ފަހަނައަޅައިފި، ޕީއެމް ބައްލަވާ",
           "މެއިންޓެނެންސް ވަގުތުގައި އައި", "ސޮފްޓްވެއަރ އަޕްގްރޭޑަށް ފަހު ފެނުނު", "ކްލިއަރ ވުމަށްފަހު އަލުން އައި"),
}
_TICKET_NOTES = {
    "en": ("customer reports no signal indoors near {site}", "slow data in the evenings around {site}",
           "calls dropping on the highway past {site}", "tower light out at {site}, FAA notified",
           "battery bank aging at {site}, plan replacement", "neighbour complaint about generator noise at {site}",
           "interference suspected on {band}", "landlord needs access to the {site} compound",
           "planned upgrade of {site} to 5G", "alarm storm after a power blip at {site}"),
    "ka": ("აბონენტი უჩივის სიგნალის არქონას შენობაში {site}-თან", "საღამოობით ნელი ინტერნეტი {site}-ის მიდამოებში",
           "ზარები წყდება გზაზე {site}-ის გავლით", "{site}-ზე ანძის შუქი არ ანათებს",
           "{site}-ზე აკუმულატორები დაძველდა, დაგეგმეთ შეცვლა", "მეზობელი უჩივის გენერატორის ხმაურს {site}-ზე",
           "სავარაუდო ინტერფერენცია {band}-ზე", "მესაკუთრეს სჭირდება {site}-ის ტერიტორიაზე შესვლა",
           "{site}-ის 5G-ზე განახლება დაგეგმილია", "განგაშების ნაკადი კვების რყევის შემდეგ {site}-ზე"),
    "dv": ("{site} ކައިރީގައި ގޭތެރޭގައި ސިގްނަލް ނުލިބޭ ކަމަށް ކަސްޓަމަރު ބުނޭ", "ހަވީރު {site} ސަރަހައްދުގައި ޑޭޓާ ލަސް",
           "{site} ކައިރިން ކޯލް ކެނޑޭ", "{site} ޓަވަރުގެ ބައްތި ނިވިފައި", "{site} ގެ ބެޓެރީ ބާވެއްޖެ، ބަދަލުކުރަން ރާވާ",
           "{site} ގެ ޖެނެރޭޓަރުގެ އަޑަށް އަވަށްޓެރިން ޝަކުވާ ކުރޭ", "{band} ގައި އިންޓަފިއަރެންސް ހުރިކަމަށް ޝައްކު",
           "{site} އަށް ވަދެވޭނެ ގޮތް ބިމުގެ ވެރިފަރާތަށް ބޭނުން", "{site} 5ޖީއަށް އަޕްގްރޭޑް ކުރަން ރާވާފައި",
           "{site} ގައި ކަރަންޓު ކެނޑުމަށްފަހު އެލާމް ގިނަވި"),
}
_VISIT_NOTES = {
    "en": ("access via {road}, key in the lockbox", "gate code changed, call the landlord", "bring a spare {part}",
           "tower crew of two, rescue plan filed", "weather window this morning only",
           "site shared with another carrier", "check grounding after the storm", "replace the cabinet filter while on site"),
    "ka": ("მისასვლელი {road}, გასაღები ყუთშია", "ჭიშკრის კოდი შეიცვალა, დაურეკეთ მესაკუთრეს",
           "წაიღეთ სათადარიგო {part}", "ანძაზე ორი მონტაჟისტი, სამაშველო გეგმა შედგენილია",
           "ამინდი მხოლოდ დილით იძლევა საშუალებას", "საიტი გაზიარებულია სხვა ოპერატორთან",
           "შეამოწმეთ დამიწება ქარიშხლის შემდეგ", "შეცვალეთ კარადის ფილტრი"),
    "dv": ("{road} އިން ދޯނީގައި ދަތުރު، ތަޅުދަނޑި ބޮކްސްގައި", "ގޭޓް ކޯޑު ބަދަލުވެއްޖެ، ވެރިފަރާތަށް ގުޅާ",
           "ސްޕެއާ {part} ގެންދާ", "ޓަވަރަށް ދެމީހުން، ސަލާމަތީ ރޭވުން ހުށަހަޅާފައި", "ވައި ރަނގަޅީ ހެނދުނު އެކަނި",
           "އެހެން އޮޕަރޭޓަރަކާ ހިއްސާކުރާ ސައިޓް", "ވިދުމަށްފަހު ގްރައުންޑިންގ ޗެކްކުރޭ", "ކެބިނެޓް ފިލްޓަރު ބަދަލުކުރޭ"),
}
_CUT_NOTES = {
    "en": ("LOS on the {span} ring, OTDR shows the break", "backhoe dig-in on {span}, ring unprotected"),
    "ka": ("{span} რგოლზე სიგნალი დაიკარგა, OTDR აჩვენებს გაწყვეტას", "{span} მონაკვეთი ექსკავატორმა გაწყვიტა"),
    "dv": ("{span} ގައި ސިގްނަލް ގެއްލިއްޖެ، އޯޓީޑީއާރުން ކެނޑުން ފެނޭ", "{span} ކަނޑުގެ ކޭބަލް ކެނޑިފައި"),
}
_MARKETS = ("PHX", "TUS", "ABQ", "ELP", "LBB", "MAF")
_EN_SITE_NAMES = ("Cedar Ridge", "Mesa Verde", "Dry Wash", "Old Mill", "Saguaro", "Canyon Rim", "Coyote Hill",
                  "Red Butte", "Sand Creek", "Copper Flat", "Yucca Pass", "Lone Pine", "Desert View", "Rattlesnake",
                  "Twin Tanks", "Agave", "Mesquite", "Painted Rock", "Salt Draw", "Horse Mesa", "Ocotillo",
                  "Palo Verde", "Black Mountain", "Dos Cabezas")
_KA_TOWNS = ("მესტია", "ამბროლაური", "ახალციხე", "ბორჯომი", "თელავი", "სიღნაღი", "ყაზბეგი", "გუდაური", "ონი",
             "ლენტეხი", "ხულო", "დუშეთი", "წალკა", "ბაკურიანი")
_DV_ISLANDS = ("ސ. ހިތަދޫ", "ސ. ފޭދޫ", "ސ. މަރަދޫ", "ސ. ހުޅުދޫ", "ސ. މީދޫ", "ޏ. ފުވައްމުލައް", "ގދ. ތިނަދޫ",
               "ހދ. ކުޅުދުއްފުށި", "ލ. ނައިފަރު", "ބ. އޭދަފުށި", "ރ. އުނގޫފާރު", "ކ. ތުޅުސްދޫ", "ކ. ހިންމަފުށި",
               "ކ. މާފުށި")
_BANDS = {"en": ("B12", "B2", "B66", "n71", "n41"), "ka": ("L800", "L1800", "L2100", "U2100", "N3500"),
          "dv": ("L700", "L1800", "L2600", "N3500")}
_SECTORS = {"en": ("A", "B", "C"), "ka": ("ს1", "ს2", "ს3"), "dv": ("1", "2", "3")}
_CSTATE = {"en": "ACTIVE", "ka": "აქტიური", "dv": "އެކްޓިވް"}
_PATH = {"en": "WORKING", "ka": "ძირითადი", "dv": "މައި މަގު"}
_SOURCES = {"en": ("AC_MAINS",), "ka": ("ქსელი",), "dv": ("ކަރަންޓު", "ސޯލާ")}
_RARE_VALUES = {"en": {"cstate": "BARRED", "path": "PROTECTING", "source": "BATTERY_DISCHARGE"},
                "ka": {"cstate": "დაბლოკილი", "path": "სარეზერვო", "source": "აკუმულატორზე"},
                "dv": {"cstate": "ބްލޮކްކޮށްފައި", "path": "ރިޒާވް މަގު", "source": "ބެޓެރީއިން"}}
_HOTYPES = {"en": ("X2_INTRA", "X2_INTER", "S1", "XN"), "ka": ("შიდასიხშირული", "სიხშირეთაშორისი", "S1", "XN"),
            "dv": ("އެއް ފްރީކުއެންސީ", "ތަފާތު ފްރީކުއެންސީ", "S1", "XN")}
_MODS = ("1024QAM", "512QAM", "256QAM", "64QAM")
_MOD_CAP = (1.0, 0.9, 0.8, 0.6)
_DOORS = {"en": ("CLOSED", "OPEN"), "ka": ("დახურული", "ღია"), "dv": ("ބަންދު", "ހުޅުވާލާފައި")}
_COOL = {"en": ("FREE_COOLING", "AIRCON", "FAN_ONLY"), "ka": ("ბუნებრივი", "კონდიციონერი", "ვენტილაცია"),
         "dv": ("ބޭރު ވައި", "އޭސީ ދުވަނީ", "ފަން ދުވަނީ")}
_SYNC = {"en": ("LOCKED", "ACQUIRING"), "ka": ("სინქრონშია", "ეძებს"), "dv": ("ލޮކް", "ހޯދަނީ")}
_CAUSES = {
    "en": ("Heartbeat Failure", "Link Degraded", "Rectifier Module Fault", "High Temperature", "VSWR Over Threshold",
           "Sync Reference Degraded", "Cell Unavailable", "Door Open", "Battery Low Voltage", "Fan Failure",
           "License Expiry Warning", "Configuration Mismatch"),
    "ka": ("კავშირის დაკარგვა", "ხაზის დეგრადაცია", "გამმართველის დაზიანება", "მაღალი ტემპერატურა",
           "VSWR ზღვარს ზემოთ", "სინქრონიზაციის დეგრადაცია", "სექტორი მიუწვდომელია", "კარი ღიაა",
           "აკუმულატორის დაბალი ძაბვა", "ვენტილატორის დაზიანება", "ლიცენზიის ვადის გასვლა", "კონფიგურაციის შეუსაბამობა"),
    "dv": ("ހާޓްބީޓް ގެއްލުން", "ލިންކް ދަށްވުން", "ރެކްޓިފަޔަރ މައްސަލަ", "ހޫނު ބޮޑުވުން", "ވީއެސްޑަބްލިޔުއާރު މައްސަލަ",
           "ސިންކް ދަށްވުން", "ސެލް ނުލިބުން", "ދޮރު ހުޅުވިފައި", "ބެޓެރީ ވޯލްޓް ދަށް", "ފަން ހަލާކު", "ލައިސަންސް ހަމަވަނީ",
           "ކޮންފިގް ތަފާތު"),
}
_CATEGORIES = {
    "en": ("Coverage complaint", "Slow data", "Site down", "Power", "Transmission", "Hardware", "Interference",
           "Planned work"),
    "ka": ("დაფარვის საჩივარი", "ნელი ინტერნეტი", "საიტი გათიშულია", "კვება", "ტრანსპორტი", "აპარატურა",
           "ინტერფერენცია", "დაგეგმილი სამუშაო"),
    "dv": ("ކަވަރޭޖް ޝަކުވާ", "ޑޭޓާ ލަސް", "ސައިޓް ކެނޑިފައި", "ކަރަންޓު", "ޓްރާންސްމިޝަން", "ހާޑްވެއަރ", "އިންޓަފިއަރެންސް",
           "ރާވާފައިވާ މަސައްކަތް"),
}
_TEAMS = {"en": ("RAN Ops", "Transmission", "Power & Facilities", "Field East", "Field West", "Optimization"),
          "ka": ("რადიო ექსპლუატაცია", "ტრანსპორტი", "კვება და ინფრასტრუქტურა", "ველი აღმოსავლეთი", "ველი დასავლეთი",
                 "ოპტიმიზაცია"),
          "dv": ("ރޭން އޮޕަރޭޝަންސް", "ޓްރާންސްމިޝަން", "ކަރަންޓާއި ފެސިލިޓީ", "އުތުރު ފީލްޑް", "ދެކުނު ފީލްޑް",
                 "އޮޕްޓިމައިޒޭޝަން")}
_TASKS = {  # (task, is a climb)
    "en": (("CLIMB: antenna realign", True), ("CLIMB: RRU swap", True), ("Generator refuel", False),
           ("Battery replacement", False), ("Rectifier module swap", False), ("Aircon repair", False),
           ("Preventive maintenance", False), ("Fiber splice", False)),
    "ka": (("ანძაზე ასვლა: ანტენის გასწორება", True), ("ანძაზე ასვლა: RRU-ს შეცვლა", True),
           ("გენერატორის შევსება", False), ("აკუმულატორების შეცვლა", False), ("გამმართველის მოდულის შეცვლა", False),
           ("კონდიციონერის შეკეთება", False), ("გეგმიური მომსახურება", False), ("ოპტიკის შედუღება", False)),
    "dv": (("ޓަވަރު އަރައިގެން: އެންޓެނާ ހަމަކުރުން", True), ("ޓަވަރު އަރައިގެން: އާރްއާރްޔޫ ބަދަލުކުރުން", True),
           ("ޖެނެރޭޓަރަށް ތެޔޮ އެޅުން", False), ("ބެޓެރީ ބަދަލުކުރުން", False), ("ރެކްޓިފަޔަރ ބަދަލުކުރުން", False),
           ("އޭސީ މަރާމާތު", False), ("ރާވާފައިވާ މެއިންޓެނެންސް", False), ("ސޯލާ ޕެނަލް ސާފުކުރުން", False)),
}
_PARTS = {"en": ("RRU", "rectifier module", "fan tray", "SFP", "battery string"),
          "ka": ("RRU", "გამმართველის მოდული", "ვენტილატორის ბლოკი", "SFP", "აკუმულატორის ბლოკი"),
          "dv": ("އާރްއާރްޔޫ", "ރެކްޓިފަޔަރ", "ފަން", "އެސްއެފްޕީ", "ބެޓެރީ")}
_ROADS = {"en": ("County Rd 12", "the ranch gate", "the old mine road", "the service road off I-10"),
          "ka": ("მთის გზით", "სოფლის გზით", "ტყის გზით", "ძველი გზით")}
_DETECT = {"en": ("OTDR", "LOS alarm", "customer reports"), "ka": ("OTDR", "სიგნალის დაკარგვა", "აბონენტების ზარები"),
           "dv": ("އޯޓީޑީއާރު", "ސިގްނަލް ގެއްލުން", "ކަސްޓަމަރުންގެ ގުޅުން")}
_SPD = {"en": ("TRIPPED", "DEGRADED"), "ka": ("ამოქმედდა", "დაზიანებულია"), "dv": ("ޓްރިޕްވެއްޖެ", "ހަލާކުވެފައި")}
_OUTAGE_CAUSES = {"en": ("mains failure", "transmission loss", "hardware fault", "theft", "flooding"),
                  "ka": ("ქსელის გათიშვა", "ტრანსპორტის დაკარგვა", "აპარატურის დაზიანება", "ქურდობა", "წყალდიდობა"),
                  "dv": ("ކަރަންޓު ކެނޑުން", "ޓްރާންސްމިޝަން ގެއްލުން", "ހާޑްވެއަރ މައްސަލަ", "ވައްކަން", "ފެންބޮޑުވުން")}
_PEOPLE = {"en": ("J. Ramirez", "T. Begay", "K. Nguyen", "D. Sandoval", "R. Whitfield", "M. Tsosie", "L. Ortega",
                  "B. Harlan", "S. Yazzie", "C. Delgado"),
           "ka": ("გიორგი ბერიძე", "ლევან კაპანაძე", "ნინო გელაშვილი", "დავით ლომიძე", "თამარ ჯაფარიძე", "ზურაბ ხუციშვილი",
                  "ირაკლი მამულაშვილი", "ეკა წიკლაური", "ბესიკ ჩიქოვანი", "ანა მესხი"),
           "dv": ("އަޙްމަދު ނަސީމް", "މުޙައްމަދު ޝިފާޒް", "އައިޝަތު ރިޝްފާ", "އިބްރާހީމް ޒާހިރު", "ހުސައިން ފަޒީލް",
                  "މަރްޔަމް ޝިހާނާ", "އާދަމް ނާޝިދު", "ޢަލީ ރަޝީދު", "ފާތިމަތު ނިޝާ", "ޙަސަން ޝަރީފް")}
_RETYPE = {
    "en": (("Degraded", "Degr"), ("Temperature", "Temp"), ("Threshold", "Thr"), ("Transmission", "Tx"),
           ("Field ", "Fld "), ("Optimization", "Optim"), ("Mountain", "Mtn"), ("complaint", "compl"),
           ("Maintenance", "Maint"), ("module", "mod"), ("_", " ")),
    "ka": (("ტემპერატურა", "ტემპ."), ("დაზიანება", "დაზ."), ("აკუმულატორის", "აკუმ."), ("კონდიციონერის", "კონდ."),
           ("ექსპლუატაცია", "ექსპ."), ("ინფრასტრუქტურა", "ინფრ."), ("-", "_"), ("/", "-")),
    "dv": (("ފީލްޑް", "ފީ."), ("ޓްރާންސްމިޝަން", "ޓްރާން."), ("ރެކްޓިފަޔަރ", "ރެކް."), ("މެއިންޓެނެންސް", "މެއިން."),
           ("ސ. ", "ސ."), ("ކ. ", "ކ."), ("ގދ. ", "ގދ."), ("ހދ. ", "ހދ."), ("ލ. ", "ލ."), ("ބ. ", "ބ."), ("ރ. ", "ރ."),
           ("ޏ. ", "ޏ."), ("ސައިޓް", "ސައިޓު")),
}


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
class _Site:
    name: str
    load: float  # A, DC
    btemp: float  # deg C offset of the battery room
    kwh: int
    cells: list[_Cell]


@dataclass(slots=True)
class _Cell:
    name: str
    band: str
    site: str
    rsrp: float  # dBm
    sinr: float  # dB
    busy: float  # share of ROPs in the busy hour
    rop: int


@dataclass(slots=True)
class _Hop:
    name: str
    a: str
    b: str
    rsl: float  # dBm, nominal
    cap: float  # Mbps at the top modulation
    lat: float  # ms


@dataclass(slots=True)
class _Radio:
    name: str
    site: str
    pwr: float  # W
    rl: float  # dB
    uptime: int


class RanWorkload(BurstStream):
    """A held-out radio-access-network world (see the module docstring). Deterministic in ``seed``."""

    KIND_NAMES = _KINDS
    PRIORITY_KINDS = PRIORITY_KINDS

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-ran/{seed}")
        self.dialect: str = r.choice(DIALECTS)
        d = self.dialect
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self.prio_key: str | None = None if self.prio_mode == "text" else \
            _PRIO_KEYS[self.prio_mode][DIALECTS.index(d)]
        picked: list[str] = []
        while not PRIORITY_KINDS & set(picked):
            picked = r.sample(COMMON_KINDS, r.randint(4, 6))
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in picked)
        rare = r.sample(RARE_KINDS, r.randint(1, 3))
        self.rare: tuple[str, ...] = tuple(k for k in RARE_KINDS if k in rare)
        heavy = {"cell": 2.2, "ho": 1.5, "probe": 1.4, "kpi": 0.8, "alarm": 1.3, "visit": 0.6}
        self.weights = {k: r.lognormvariate(0.0, 0.5) * heavy.get(k, 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.0015, 0.011) for k in self.rare}
        n_origins = r.randint(3, 10)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-ran-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(n_origins)))
        self.pm_origin = r.randrange(n_origins)  # the OSS performance mediation: cells, relations, KPIs
        self.fm_origin = r.randrange(n_origins)  # the fault manager: alarms, site outages
        self.nms_origin = r.randrange(n_origins)  # the transmission NMS: hops, fibre cuts
        self.noc_origin = r.randrange(n_origins)  # NOC ticketing
        self.wfm_origin = r.randrange(n_origins)  # field workforce management
        self.mean_gap = r.choice((250.0, 800.0, 2000.0, 6000.0))
        self.clumpy = r.random() < 0.3  # probes and field handhelds upload in clumps
        self.burst_period = r.uniform(0.02, 0.15)
        self.copy_memory = r.uniform(15.0, 150.0)
        self.rates = {"dup": r.uniform(0.03, 0.065), "near": r.uniform(0.06, 0.11),
                      "burst": r.uniform(0.005, 0.013), "resend": r.uniform(0.008, 0.018)}
        self.anomaly_rate = r.uniform(0.015, 0.035)
        self.keys: dict[str, str] = {s: names[DIALECTS.index(d)] for s, names in _FIELDS.items()}
        self.sem_of: dict[str, str] = {v: k for k, v in self.keys.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(_RARE_VALUES[d].values())
        self._units = {s: _UNITS[d].get(s) or _Unit(float, _DEC[s]) for s in _DEC}
        self._dec = {self.keys[s]: u.dec for s, u in self._units.items()}
        self._cum: dict[tuple[int, float], list[float]] = {}
        self._build(r)
        self._fixed = frozenset(self.keys[s] for s in (*COUNTERS, "cap", "pwr", "missing", "cellsoff",
                                                         "affected", "height"))
        self._caps = {self.keys[s]: (0.0, 100.0) for s in ("soc", "rh", "prb", "acc")}
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure_spreads()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._last_ts = 0

    # -- the network ----------------------------------------------------------------------------------------
    def _build(self, r: random.Random) -> None:
        d = self.dialect
        n_sites = r.randint(6, 24)
        if d == "en":
            mkt = r.choice(_MARKETS)
            nums = sorted(r.sample(range(100, 9999), n_sites))
            names = [f"{mkt}{n:04d} {x}" for n, x in zip(nums, r.sample(_EN_SITE_NAMES, n_sites), strict=True)]
        elif d == "ka":
            names = [f"{r.choice(_KA_TOWNS)}-{n:02d}" for n in sorted(r.sample(range(1, 60), n_sites))]
        else:
            names = [f"{r.choice(_DV_ISLANDS)} {n:02d}" for n in sorted(r.sample(range(1, 40), n_sites))]
        bands = r.sample(_BANDS[d], r.randint(1, 3))
        self.bands = bands
        self.sites: list[_Site] = []
        self.cells: list[_Cell] = []
        self.units: list[_Radio] = []
        self.rsrp0 = r.uniform(-102.0, -88.0)
        self.sinr0 = r.uniform(8.0, 16.0)
        for name in names:
            site = _Site(name, r.uniform(20.0, 90.0), r.gauss(0.0, 1.5), r.randint(10**4, 4 * 10**6), [])
            for sec in _SECTORS[d][:r.randint(1, 3)]:
                for band in bands:
                    cname = {"en": f"{name.split()[0]}_{band}_{sec}", "ka": f"{name}/{band}/{sec}",
                             "dv": f"{name} {band}-{sec}"}[d]
                    cell = _Cell(cname, band, name, self.rsrp0 + r.gauss(0.0, 3.0), self.sinr0 + r.gauss(0.0, 1.5),
                                 r.uniform(0.2, 0.5), r.randint(1000, 900000))
                    site.cells.append(cell)
                    self.cells.append(cell)
                unit = {"en": f"{name.split()[0]}-RRU-{sec}", "ka": f"{name} RRU {sec}", "dv": f"{name} އާރްއާރްޔޫ {sec}"}[d]
                self.units.append(_Radio(unit, name, r.choice((20.0, 40.0, 60.0, 80.0)), r.uniform(17.0, 24.0),
                                         r.randint(100, 60000)))
            self.sites.append(site)
        self.cells = self.cells[:72]
        self.relations = [(a, b, r.uniform(8.0, 120.0), r.choice(_HOTYPES[d]))
                          for a, b in (r.sample(self.cells, 2) for _ in range(r.randint(6, 30)))]
        self.hofail0 = r.uniform(0.3, 1.5)
        self.prep0 = r.uniform(15.0, 60.0)  # ms
        self.hops: list[_Hop] = []
        for i in range(r.randint(2, max(2, n_sites - 1))):
            a, b = r.sample(names, 2)
            hid = {"en": f"MW-{i + 1:03d}", "ka": f"რრ-{i + 1:03d}", "dv": f"އެމްޑަބްލިއު-{i + 1:03d}"}[d]
            self.hops.append(_Hop(hid, a, b, r.uniform(-52.0, -36.0), r.choice((400.0, 1000.0, 2000.0)),
                                  r.uniform(0.2, 1.2)))
        self.rain = r.uniform(0.02, 0.2) if d != "en" else r.uniform(0.0, 0.05)
        self.dcv0 = r.uniform(53.2, 54.4)  # float voltage of a -48 V plant
        self.acv0 = {"en": 240.0, "ka": 230.0, "dv": 230.0}[d] * r.uniform(0.98, 1.03)
        self.season = {"en": r.uniform(10.0, 42.0), "ka": r.uniform(-20.0, 28.0), "dv": r.uniform(27.0, 31.0)}[d]
        self.btemp0 = r.uniform(20.0, 28.0)
        self.ctemp0 = r.uniform(24.0, 32.0)
        self.rh0 = {"en": r.uniform(12.0, 35.0), "ka": r.uniform(35.0, 60.0), "dv": r.uniform(65.0, 85.0)}[d]
        self.sats0 = r.uniform(9.0, 16.0)
        self.terr_sd = r.uniform(8.0, 30.0)  # ns
        self.patemp0 = r.uniform(45.0, 62.0)
        self.fan0 = r.uniform(2200.0, 4200.0)
        n_clusters = r.randint(2, 5)
        self.clusters = [{"en": f"{names[0].split()[0][:3]}-C{i + 1}", "ka": f"კლასტერი {i + 1}",
                          "dv": f"ކްލަސްޓަރ {i + 1}"}[d] for i in range(n_clusters)]
        self._kpiseq = {c: r.randint(1000, 90000) for c in self.clusters}
        self.traffic0 = {c: r.uniform(40.0, 900.0) for c in self.clusters}
        self.acc0 = r.uniform(99.3, 99.8)
        self.acc_sd = r.uniform(0.06, 0.15)
        self.droprate0 = r.uniform(0.15, 0.8)
        self.probes = [{"en": f"DT-{i + 1:02d}", "ka": f"ზონდი-{i + 1}", "dv": f"ޕްރޯބް {i + 1}"}[d]
                       for i in range(r.randint(2, 9))]
        self._probeseq = {p: r.randint(1, 500000) for p in self.probes}
        self.dl0 = r.uniform(25.0, 160.0)
        self.ping0 = r.uniform(18.0, 55.0)
        self._almno = r.randint(10**5, 9 * 10**6)
        self.ack0 = r.uniform(20.0, 240.0)  # s
        self._tktno = r.randint(1000, 900000)
        self.etr0 = r.uniform(2.0, 12.0)  # h
        self._wono = r.randint(100, 90000)
        self.travel0 = {"en": r.uniform(35.0, 120.0), "ka": r.uniform(40.0, 150.0), "dv": r.uniform(60.0, 240.0)}[d]
        self.wind0 = {"en": r.uniform(2.0, 6.0), "ka": r.uniform(3.0, 8.0), "dv": r.uniform(4.0, 7.0)}[d]  # m/s
        self.yy = r.randint(24, 27)
        people = list(_PEOPLE[d])
        r.shuffle(people)
        self.crew = people[:r.randint(2, 5)]
        self.teams = r.sample(_TEAMS[d], r.randint(3, 6))
        self.spans = [{"en": f"{names[0][:3]}-RING-{i}", "ka": f"ოპტიკა-{i}", "dv": f"ސަބްމެރިން {i}"}[d]
                      for i in range(1, r.randint(2, 5))]
        self._site_origin = {s.name: self._zipf_origin() for s in self.sites}
        self._probe_origin = {p: self._zipf_origin() for p in self.probes}

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _zipf(self, seq: Sequence[_T], s: float = 1.0) -> _T:
        cum = self._cum.get((len(seq), s))
        if cum is None:
            cum = self._cum[(len(seq), s)] = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(seq))))
        return seq[bisect.bisect_right(cum, self._r.random() * cum[-1])]

    # -- spreads ---------------------------------------------------------------------------------------------
    def _measure_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of each anomaly-prone field as written (and read back),
        from 600 routine draws that leave the world's state untouched."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            prone = _PRONE[kind]
            out[kind] = {}
            draws = [self._write({s: v for s, v in self._draw(kind, False)[0].items() if s in prone}) for _ in range(600)]
            for sem, (space, direction, lo, hi) in prone.items():
                key = self.keys[sem]
                xs = sorted(_space(read_number(f[key]), space) for f in draws)
                lo_i, hi_i = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                u = self._units[sem]
                floor = _SPREAD_FLOOR.get(space, 2.0 * 10.0 ** -u.dec)
                a, b = u.to(lo), u.to(hi)
                out[kind][key] = Spread(space, direction if b >= a else -direction, xs[len(xs) // 2],
                                        max((xs[hi_i] - xs[lo_i]) / 3.92, floor), min(a, b), max(a, b))
        return out

    # -- drawing (semantic units) ----------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        drawer: Callable[[bool], tuple[dict[str, object], int]] = getattr(self, f"_draw_{kind}")
        return drawer(live)

    def _draw_cell(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        cell = self._zipf(self.cells, 0.5)
        if live:
            cell.rop += 1
        busy = r.random() < cell.busy
        prb = min(99.0, r.gauss(72.0, 9.0)) if busy else max(1.0, r.gauss(14.0, 5.0))
        ues = max(0.1, prb * r.uniform(0.08, 0.14))
        sinr = r.gauss(cell.sinr - (2.5 if busy else 0.0), 1.8)
        thr = r.lognormvariate(math.log(6.0 * (1.0 + max(sinr, 0.0)) * (0.6 if busy else 1.0)), 0.3)
        drops = 0 if r.random() < 0.7 else 1 + int(r.expovariate(1.0 / (2.0 if busy else 0.8)))
        return {"cellid": cell.name, "band": cell.band, "cstate": _CSTATE[d], "rsrp": r.gauss(cell.rsrp, 1.2),
                "sinr": sinr, "prb": prb, "ues": ues, "thr": thr, "drops": float(drops), "rop": cell.rop}, \
            self.pm_origin

    def _draw_ho(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        a, b, mean, hotype = self._zipf(self.relations, 0.7)
        att = max(1, int(round(r.lognormvariate(math.log(mean), 0.35))))
        fail = 0 if r.random() < 0.72 else 1 + int(r.expovariate(1.0 / self.hofail0))
        return {"src": a.name, "tgt": b.name, "hotype": hotype, "hoatt": float(att), "hofail": float(min(fail, att)),
                "prep": r.lognormvariate(math.log(self.prep0), 0.3)}, self.pm_origin

    def _draw_mw(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        hop = self._zipf(self.hops, 0.6)
        fade = r.random() < self.rain
        m = r.choice((1, 2, 3)) if fade else 0
        loss = 0 if r.random() < 0.8 else 1 + int(r.expovariate(1.0 / 4.0))
        return {"link": hop.name, "farend": hop.b, "path": _PATH[d], "mod": _MODS[m], "cap": hop.cap * _MOD_CAP[m],
                "rsl": r.gauss(hop.rsl - (4.0 * m if fade else 0.0), 0.9),
                "lat": r.lognormvariate(math.log(hop.lat), 0.25), "loss": float(loss)}, self.nms_origin

    def _draw_power(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        site = self._zipf(self.sites, 0.4)
        if live:
            site.kwh += r.randint(1, 12)
        return {"site": site.name, "source": r.choice(_SOURCES[d]), "dcv": r.gauss(self.dcv0, 0.12),
                "load": site.load * r.lognormvariate(0.0, 0.06), "btemp": r.gauss(self.btemp0 + site.btemp, 1.2),
                "soc": min(100.0, 100.0 - r.expovariate(1.0 / 1.5)), "acv": r.gauss(self.acv0, 0.012 * self.acv0),
                "kwh": site.kwh}, self._site_origin[site.name]

    def _draw_env(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        site = self._zipf(self.sites, 0.4)
        tout = r.gauss(self.season, 3.0)
        cool = 0 if tout < 18.0 else (1 if r.random() < 0.8 else 2)
        return {"site": site.name, "ctemp": r.gauss(self.ctemp0, 1.6), "rh": r.gauss(self.rh0, 4.0),
                "door": _DOORS[d][1 if r.random() < 0.02 else 0], "cool": _COOL[d][cool], "tout": tout}, \
            self._site_origin[site.name]

    def _draw_gnss(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        site = self._zipf(self.sites, 0.4)
        return {"site": site.name, "sats": max(4, int(round(r.gauss(self.sats0, 2.0)))),
                "terr": r.gauss(0.0, self.terr_sd), "sync": _SYNC[d][1 if r.random() < 0.03 else 0]}, \
            self._site_origin[site.name]

    def _draw_rru(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        unit = self._zipf(self.units, 0.3)
        if live:
            unit.uptime += r.randint(0, 2)
        return {"unit": unit.name, "rl": r.gauss(unit.rl, 0.7), "patemp": r.gauss(self.patemp0, 2.2),
                "pwr": unit.pwr * r.lognormvariate(0.0, 0.02), "fan": r.gauss(self.fan0, 120.0),
                "uptime": unit.uptime}, self._site_origin[unit.site]

    def _draw_kpi(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        cluster = self._zipf(self.clusters, 0.5)
        if live:
            self._kpiseq[cluster] += 1
        traffic = self.traffic0[cluster] * r.lognormvariate(0.0, 0.35)
        return {"cluster": cluster, "acc": min(100.0, r.gauss(self.acc0, self.acc_sd)),
                "droprate": r.lognormvariate(math.log(self.droprate0), 0.3), "traffic": traffic,
                "calls": float(int(traffic * r.uniform(35.0, 60.0))), "kpiseq": self._kpiseq[cluster]}, self.pm_origin

    def _draw_probe(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        probe = self._zipf(self.probes, 0.8)
        if live:
            self._probeseq[probe] += r.randint(1, 3)
        cell = r.choice(self.cells)
        return {"probe": probe, "pcell": cell.name, "prsrp": r.gauss(cell.rsrp, 7.0), "rsrq": r.gauss(-10.5, 1.8),
                "dl": r.lognormvariate(math.log(self.dl0), 0.45), "ping": r.lognormvariate(math.log(self.ping0), 0.3),
                "probeseq": self._probeseq[probe]}, self._probe_origin[probe]

    def _draw_alarm(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._almno += r.randint(1, 5)
        site = self._zipf(self.sites, 0.6)
        mo = r.choice([c.name for c in site.cells] or [site.name])
        note = self._fill(r.choice(_ALARM_NOTES[d]), mo=mo, site=site.name) if live else ""
        return {"almno": self._alm_id(self._almno), "site": site.name, "aname": r.choice(_CAUSES[d]), "mo": mo,
                "ackdelay": r.lognormvariate(math.log(self.ack0), 0.6), "note": note}, self.fm_origin

    def _draw_ticket(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._tktno += 1
        site = r.choice(self.sites)
        note = self._fill(r.choice(_TICKET_NOTES[d]), site=site.name) if live else ""
        return {"tktno": self._tkt_id(self._tktno), "site": site.name, "category": r.choice(_CATEGORIES[d]),
                "team": r.choice(self.teams), "etr": r.lognormvariate(math.log(self.etr0), 0.55),
                "openmin": float(1 + int(r.lognormvariate(math.log(45.0), 1.0))), "note": note}, self.noc_origin

    def _draw_visit(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._wono += r.randint(1, 2)
        site = r.choice(self.sites)
        task, climb = r.choice(_TASKS[d])
        note = self._fill(r.choice(_VISIT_NOTES[d])) if live else ""
        return {"wono": self._wo_id(self._wono), "site": site.name, "task": task, "crew": r.choice(self.crew),
                "travel": r.lognormvariate(math.log(self.travel0), 0.4), "wind": max(0.0, r.gauss(self.wind0, 1.5)),
                "height": float(r.choice((30, 45, 60, 75))) if climb else 0.0, "note": note}, self.wfm_origin

    def _draw_fibrecut(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        span = r.choice(self.spans)
        return {"span": span, "otdr": r.uniform(0.2, 38.0), "affected": float(r.randint(1, 9)),
                "detect": r.choice(_DETECT[d]), "note": r.choice(_CUT_NOTES[d]).format(span=span)}, self.nms_origin

    def _draw_intrusion(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        site = r.choice(self.sites)
        return {"site": site.name, "door": _DOORS[d][1], "motion": True, "missing": float(_poisson(r, 1.2))}, \
            self._site_origin[site.name]

    def _draw_lightning(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        site = r.choice(self.sites)
        return {"site": site.name, "spd": r.choice(_SPD[d]), "dist": r.uniform(0.05, 3.0),
                "peak": r.lognormvariate(math.log(25.0), 0.6)}, self._site_origin[site.name]

    def _draw_sitedown(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        site = r.choice(self.sites)
        return {"site": site.name, "cellsoff": float(max(1, len(site.cells))), "downmin": float(r.randint(3, 240)),
                "cause": r.choice(_OUTAGE_CAUSES[d])}, self.fm_origin

    def _alm_id(self, n: int) -> object:
        return {"en": n, "ka": f"GA-{n:08d}", "dv": f"އެލާމް {n}"}[self.dialect]

    def _tkt_id(self, n: int) -> str:
        return {"en": f"INC{n:07d}", "ka": f"ინც-{self.yy}-{n:06d}", "dv": f"ޓިކެޓް {self.yy}/{n:06d}"}[self.dialect]

    def _wo_id(self, n: int) -> str:
        return {"en": f"WO-{n:06d}", "ka": f"სბ{n:06d}", "dv": f"ވޯ-{n:06d}"}[self.dialect]

    def _fill(self, template: str, **given: str) -> str:
        r, d = self._r, self.dialect
        slots: dict[str, Callable[[], object]] = {
            "n": lambda: r.randint(2, 90), "mo": lambda: r.choice(self.cells).name,
            "site": lambda: r.choice(self.sites).name, "band": lambda: r.choice(self.bands),
            "part": lambda: r.choice(_PARTS[d]),
            "road": lambda: r.choice(_DV_ISLANDS) if d == "dv" else r.choice(_ROADS[d])}
        names = [p.split("}", 1)[0] for p in template.split("{")[1:]]
        return template.format_map({n: given[n] if n in given else slots[n]() for n in dict.fromkeys(names)})

    # -- writing ---------------------------------------------------------------------------------------------
    def _enc(self, key: str, x: float) -> object:
        """A number in written units as this dialect prints it: rounded; a decimal comma string (ka), a unit
        inside the value (dv, some readings), or a plain number."""
        dec = self._dec[key]
        sem = self.sem_of[key]
        y = round(x, dec) if dec else int(round(x))
        if self.dialect == "ka" and dec:
            return f"{y:.{dec}f}".replace(".", ",")
        if self.dialect == "dv" and sem in _SUFFIX:
            return f"{y:.{dec}f}{_SUFFIX[sem]}" if dec else f"{y}{_SUFFIX[sem]}"
        return y

    def _write(self, sem: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units, rounding and number format."""
        out: dict[str, object] = {}
        for s, v in sem.items():
            key = self.keys[s]
            out[key] = self._enc(key, self._units[s].to(v)) if s in self._units and isinstance(v, float) else v
        return out

    # -- truth -----------------------------------------------------------------------------------------------
    def _k_of(self, kind: str, key: str, f: dict[str, object]) -> float:
        s = self.stats[kind][key]
        return abs(_space(read_number(f[key]), s.space) - s.center) / s.spread

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
        if mode == "x733":
            return STEP_STRENGTH[_X733_STEP[int(str(v))]]
        if mode == "sla":
            return STEP_STRENGTH[sum(_sla_minutes(d, v) < e for e in _SLA_EDGES)]
        if mode == "bits":
            word = int(str(v), 16) if d == "en" else int(str(v), 2) if d == "ka" else int(str(v))
            return max((STEP_STRENGTH[s] for b, s in _BIT_STEP.items() if word >> b & 1), default=0.0)
        if mode == "impact":
            return STEP_STRENGTH[sum(_impact_count(d, v) >= e for e in _IMPACT_EDGES)]
        if mode == "health":
            return STEP_STRENGTH[sum(read_number(v) < e for e in _HEALTH_EDGES)]
        if mode == "arp":
            level = int(str(v).split("/")[0])
            return STEP_STRENGTH[next(i for i, (lo, hi) in enumerate(_ARP) if lo <= level <= hi)]
        if mode == "sa":
            return FLAG_STRENGTH if v == _SA[d][1] else 0.0
        if mode == "lamp":
            return STEP_STRENGTH[_LAMPS[d].index(str(v))]
        return STEP_STRENGTH[_WORDS[d].index(str(v))]

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < 4.5 else min(1.0, 0.35 + 0.12 * (k - 4.5))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        rarity = rk or rv
        return routine_truth(a, p, rarity, rk)

    # -- records ---------------------------------------------------------------------------------------------
    def _routine(self, kind: str) -> tuple[dict[str, object], int]:
        for _ in range(80):
            sem, origin = self._draw(kind)
            f = self._write(sem)
            if self.anomaly_k(kind, f) < 4.0:
                return f, origin
        raise RuntimeError(f"no routine draw of {kind}")  # pragma: no cover

    def _push_off(self, kind: str, f: dict[str, object]) -> bool:
        """Move one anomaly-prone number 4.5-11 spreads off its median, within bounds; False if none can go."""
        r = self._r
        choices = []
        for key in sorted(self.stats.get(kind, {})):
            s = self.stats[kind][key]
            for sign in ((1, -1) if s.direction == 0 else (s.direction,)):
                edge = _space(s.hi if sign > 0 else s.lo, s.space)
                reach = min(11.0, (edge - s.center) * sign / s.spread)
                if reach >= 4.9:
                    choices.append((key, sign, reach))
        if not choices:
            return False
        key, sign, reach = r.choice(choices)
        s = self.stats[kind][key]
        x = _unspace(s.center + sign * r.uniform(4.7, reach) * s.spread, s.space)
        quantum = 10.0 ** -self._dec[key]
        for _ in range(20_000):
            f[key] = self._enc(key, min(s.hi, max(s.lo, x)))
            if self._k_of(kind, key, f) >= 4.5:
                return True
            x += sign * max(quantum, abs(x) * 0.005)
        return False  # pragma: no cover

    def _draw_step(self, news: bool) -> int:
        r = self._r
        if not news:
            return r.choices(range(5), STEP_ODDS)[0]
        return r.choice((3, 4)) if self.prio_mode == "sa" else r.choices((2, 3, 4), (0.35, 0.35, 0.3))[0]

    def _form(self, step: int) -> object:
        """The step as the world's form writes it."""
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "x733":
            code = r.choice(_X733[step])
            return str(code) if d == "dv" else code
        if mode == "sla":
            return _sla_write(d, r.choice(_SLA_MIN[step]))
        if mode == "bits":
            word = 1 << next(b for b, s in _BIT_STEP.items() if s == step) if step else 0
            for b, s in _BIT_STEP.items():  # a critical flag often comes with the lesser ones
                if 0 < s < step and r.random() < 0.3:
                    word |= 1 << b
            for b in _BIT_NOISE:
                if r.random() < 0.3:
                    word |= 1 << b
            return f"0x{word:04X}" if d == "en" else f"{word:016b}" if d == "ka" else word
        if mode == "impact":
            lo, hi = _IMPACT[step]
            n = 0 if step == 0 and r.random() < 0.5 else \
                int(round(math.exp(r.uniform(math.log(max(lo, 1)), math.log(hi)))))
            n = min(hi, max(lo, n))
            if d == "en":
                return n
            if n < 1000:
                return str(n)
            return f"{n:,}".replace(",", " ") if d == "ka" else f"{n / 1000:.1f}k"
        if mode == "health":
            lo, hi = _HEALTH[step]
            x = r.uniform(lo, hi) if step else min(100.0, 100.0 - r.expovariate(1.0 / 3.0))
            x = max(lo, x)
            if d == "en":
                return int(math.floor(x)) if step else int(round(x))
            if d == "ka":
                return f"{math.floor(x * 10) / 10:.1f}".replace(".", ",")
            return f"{int(math.floor(x))}%"
        if mode == "arp":
            level = r.randint(*_ARP[step])
            return f"{level}/15" if d == "dv" else level
        if mode == "sa":
            return _SA[d][int(step >= 3)]
        if mode == "lamp":
            return _LAMPS[d][step]
        return _WORDS[d][step]

    def _mark(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step (carriers only), and the notes' urgent or calm words."""
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if step and nk in f:
                phrase = _URGENT[d][step - 1]
                f[nk] = f"{phrase}: {f[nk]}" if r.random() < 0.5 else f"{f[nk]} - {phrase}"
        elif kind in CARRIERS:
            f[str(self.prio_key)] = self._form(step)
        if nk in f and step == 0 and r.random() < 0.3:
            f[nk] = f"{f[nk]}, {r.choice(_CALM[d])}" if d != "dv" else f"{f[nk]}، {r.choice(_CALM[d])}"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        f, origin = self._routine(kind)
        rare_sem = {"cell": "cstate", "mw": "path", "power": "source"}.get(kind)
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
        idx = [i for i in range(max(0, n - 400), n) if recs[i].case in ("routine", "burst_head")]
        if not idx:
            return -1
        w = [(recs[i].importance + 0.03) * math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, w)[0]

    def _reentry(self, f: dict[str, object]) -> dict[str, object]:
        """Another system's re-entry: one or two values re-rounded or re-typed (never the priority field, nor,
        in a world that writes priority in notes, the notes)."""
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
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.25 else 1)):
            g[key] = w
        return g

    def _renumber(self, key: str, v: object) -> object:
        """A number as another system writes it: re-rounded, or (ka) with a decimal point, or (dv) with the unit
        spaced off or in lower case. May return ``v`` itself."""
        r = self._r
        if isinstance(v, str):
            if self.dialect == "ka" and "," in v and r.random() < 0.5:
                return v.replace(",", ".")
            if self.dialect == "dv" and r.random() < 0.5:
                m = _NUM.match(v)
                if m:
                    unit = v[m.end():]
                    return f"{m.group()} {unit}" if r.random() < 0.5 or unit.lower() == unit else \
                        f"{m.group()}{unit.lower()}"
            x = read_number(v)
            dec = self._dec[key]
            y = _coarser(x, dec)
            return v if y == x else self._enc_at(key, y, max(0, dec - 1))
        if isinstance(v, int | float):
            return _coarser(v, self._dec[key]) if isinstance(v, float) else _coarser(v, 0)
        return v  # pragma: no cover

    def _enc_at(self, key: str, x: float, dec: int) -> object:
        """:meth:`_enc` at a coarser number of decimals."""
        if self.dialect == "ka":
            return f"{x:.{dec}f}".replace(".", ",") if dec else int(round(x))
        unit = _SUFFIX.get(self.sem_of[key], "")
        return f"{x:.{dec}f}{unit}"

    def _retype(self, s: str) -> str:
        """How another system writes the same words: an abbreviation, a separator, case."""
        r = self._r
        out = [s.replace(a, b, 1) for a, b in _RETYPE[self.dialect] if a in s]
        if " " in s and len(s) < 28:
            out.append(s.replace(" ", "", 1) if r.random() < 0.5 else s.replace(" ", "_"))
        if self.dialect == "en":
            if s.upper() != s:
                out.append(s.upper() if len(s) < 28 else s.replace(" ", "  ", 1))
            elif s.lower() != s:
                out.append(s.lower() if r.random() < 0.5 else s.title())
        elif re.search("[A-Z]", s):  # only the Latin part of a name (RRU, NOC, 5G) has case
            out.append(re.sub("[A-Z]+", lambda m: m.group().lower(), s))
        out = [x for x in out if x != s]
        return r.choice(out) if out else s

    def _tail(self, b: _Storm, t: float) -> _Rec:
        """A burst's look-alike: same kind, origin and keys; plain numbers drift, counters step, words (and
        numbers printed as text) stay."""
        r = self._r
        b.emitted += 1
        g = dict(b.rec.fields)
        steps = {self.keys[c] for c in COUNTERS}
        for key, v in b.rec.fields.items():
            if key in steps:
                g[key] = _step_counter(v, b.emitted)
            elif _drifts(v) and key in self._dec and key not in self._fixed and key != self.prio_key:
                x = float(v)  # type: ignore[arg-type]
                quantum = 10.0 ** -self._dec[key]
                lo, hi = self._caps.get(key, (-math.inf if x < 0 else 0.0, math.inf))
                y = min(hi, max(lo, x + r.gauss(0.0, 0.005 * abs(x) + 0.4 * quantum)))
                g[key] = round(y, self._dec[key]) if isinstance(v, float) else int(round(y))
        if g == b.rec.fields:  # nothing moved past its rounding: the last digit of one reading moves
            keys = sorted(k for k, v in g.items() if _drifts(v) and k in self._dec and k not in self._fixed
                          and k != self.prio_key)
            key = r.choice(keys)
            v = g[key]
            sign = r.choice((-1, 1)) if abs(float(v)) > 1 else 1  # type: ignore[arg-type]
            g[key] = round(float(v) + sign * 10.0 ** -self._dec[key], self._dec[key]) if isinstance(v, float) \
                else int(v) + sign  # type: ignore[call-overload]
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)


# -- helpers ------------------------------------------------------------------------------------------------
def read_number(v: object) -> float:
    """A written reading back as a number: plain, a decimal comma (``"-97,5"``) or a unit inside the value
    (``"38.2ms"``)."""
    if isinstance(v, bool):
        raise TypeError("a flag is not a reading")
    if isinstance(v, int | float):
        return float(v)
    m = _NUM.search(str(v))
    if m is None:
        raise ValueError(f"no number in {v!r}")
    return float(m.group().replace(",", "."))


def _sla_write(d: str, minutes: int) -> object:
    if d == "dv":
        return minutes
    if d == "en":
        if minutes % 1440 == 0 and minutes >= 2880:
            return f"P{minutes // 1440}D"
        return f"PT{minutes // 60}H" if minutes % 60 == 0 else f"PT{minutes}M"
    if minutes % 1440 == 0 and minutes >= 2880:
        return f"{minutes // 1440} დღე"
    return f"{minutes // 60} სთ" if minutes % 60 == 0 else f"{minutes} წთ"


def _sla_minutes(d: str, v: object) -> int:
    if d == "dv":
        return int(v)  # type: ignore[call-overload]
    s = str(v)
    if d == "en":
        m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", s)
        if m is None:
            raise ValueError(s)
        return 1440 * int(m[1] or 0) + 60 * int(m[2] or 0) + int(m[3] or 0)
    n, unit = s.split(" ")
    return int(n) * {"დღე": 1440, "სთ": 60, "წთ": 1}[unit]


def _impact_count(d: str, v: object) -> int:
    if isinstance(v, int):
        return v
    s = str(v)
    if s.endswith("k"):
        return int(round(1000 * float(s[:-1])))
    return int(s.replace(" ", ""))


def _coarser(v: int | float, dec: int) -> int | float:
    """Another system's rounding: one decimal fewer, or whole numbers of 10 and more to the nearest 5 / 10 /
    100. May return ``v`` itself (then it is not a re-entry option)."""
    if isinstance(v, float) and dec > 0:
        return round(v, dec - 1)
    if abs(v) < 10:
        return v
    step = 100 if abs(v) >= 2000 else 10 if abs(v) >= 100 else 5
    out = round(v / step) * step
    return int(out) if isinstance(v, int) else float(out)


def _drifts(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v != 0


def _step_counter(v: object, by: int) -> object:
    """A counter ``by`` further on: an int, or the number at the end of an id (``INC0012345``)."""
    if isinstance(v, int):
        return v + by
    s = str(v)
    i = len(s)
    while i and s[i - 1].isdigit():
        i -= 1
    return f"{s[:i]}{int(s[i:]) + by:0{len(s) - i}d}"
