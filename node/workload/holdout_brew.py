"""Held-out family ``brew``: industrial brewing and beverage bottling. Used ONLY by evaluation.

Theory of operation
-------------------
A sixteenth held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it shares
no code path, name, distribution or vocabulary with the training generators or the other held-out
families (none of which is brewing, food or beverage). Only the truth helpers (:func:`noisy_or`,
:func:`main_reason`, :func:`tail_importance`, ``ROUTINE_FLOOR``) and :class:`LabeledRecord` are shared,
because the definition of importance is shared. Training never imports this module
(tests/node/test_holdout_brew.py checks ``sys.modules``).

One seed is one world: a brewery with its bottling hall, whose nodes (3-10 peer ids, the ``origins``: the
brewhouse and cellar SCADA servers, the packaging MES, the LIMS, the maintenance system (CMMS), the ERP's
goods receipt, the utilities SCADA, brewers' terminals) carry process telemetry, packaging counters, lab
results and the paperwork of the plant. A world draws, from one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks the units and
  writes every alarm text and free-text note;
- 4-6 common kinds of 15, at least one of which carries priority, and 1-3 rare kinds of 4 (each 0.15-1.1%
  of the fresh records);
- one of nine priority encodings (``prio_mode``, field ``prio_key``);
- its setting: 1-3 brewhouses, 6-24 fermenters (cylindroconical tanks), 3-10 bright-beer tanks, 2-6 CIP
  circuits, 1-4 packaging lines (filler, tunnel pasteurizer, palletizer), 3-6 brands with their specs,
  brewers and technicians, an alarm catalogue; each entity ingested through one origin (Zipf);
- case rates, a mean gap between records (0.2-8 s), whether the stream arrives in historian uploads
  (clumps), and how far back copies reach.

Dialects
--------
- ``en``: English as a US regional brewery's Rockwell-style SCADA and MES write it. Kinds ``Area_Thing``
  (``Cellar_FVReading``, ``Pkg_FillerCounts``), fields PLC tag style Title_Snake with unit suffixes
  (``Temp_PV_F``, ``Top_Press_PSIG``, ``Gravity_SG``); US units: deg F, specific gravity (1.048), psig,
  barrels, gpm, CO2 in volumes, fill deviation in fl oz, pounds, colour in SRM, containers per minute;
  booleans as booleans.
- ``cs``: Czech as a Czech lager brewery's control system writes it: kinds dotted lower-case ASCII
  (``spilka.ckt``, ``stacirna.plnic``), fields snake_case ASCII without diacritics, as PLC tags are
  (``teplota_skutecna_c``, ``zdanlivy_extrakt_p``), values and notes with diacritics and decimal commas in
  text; degrees Plato, hl, bar, CO2 in g/l, DO in ug/l, EBC; HACCP points ``KKB`` (kriticky kontrolni
  bod). Czech is one of the lexicon's languages; most of this brewing vocabulary (varna, spilka, rmut,
  mladina, scezovani, stacirna, sladek) is not in it.
- ``nds``: Low German (Plattduutsch), as a brewery in Ostfriesland could write it; in no lexicon version
  (German and Dutch are). Kinds German-style capitalized compounds joined by a hyphen
  (``Keller-Gäärtank``, ``Afföllen-Füller``), fields capitalized compounds with the unit in brackets
  (``Temperatuur[°C]``, ``O2[mg/l]``, ``Leitwert[µS/cm]``); % GG for gravity, DO in mg/l, conductivity in
  uS/cm, bottles per hour, flow in m3/h; an IEC 61131 hex status word (``16#0F3A``) and a countdown written
  ``hh:mm`` on the HMI.

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``mash`` a mash/lauter step (brew number per brewhouse, the rest and its setpoint per brewhouse,
actual temperature, rest time, lauter-bed differential pressure* log-normal); ``boil`` kettle (knock-out
gravity by brand, evaporation rate*, boil time by brand, hop charge, cast-out volume by brewhouse size);
``ferm`` fermenter telemetry (tank, brand, batch, days since pitch, gravity falling toward the brand's
attenuation limit, refilled when done; temperature* at the tank's setpoint, lager ~10 or ale ~19, up is
the anomaly; top pressure* at the tank's spunding setpoint, up; pitch rate); ``cip`` CIP circuit, bimodal
running / idle (step, supply flow or 0, return temperature and conductivity by step, a cycle counter per
circuit, the caustic tank's concentration*, low is the anomaly); ``bright`` bright tank (CO2 by brand,
dissolved O2* log-normal, level random-walking and bounded 0-100, temperature); ``filler`` (line speed
bimodal running at the line's rated speed / stopped, a good-count counter per line, fill-height*, closure
and label-vision* rejects zero-inflated, fill deviation* both ways, the rejecting valve 1..n);
``pasteur`` tunnel pasteurizer (PU* both ways around the pasteurizer's target, peak temperature, belt
speed); ``pack`` palletizer (a pallet counter per line, cases per pallet fixed by SKU, pallet weight by
SKU, stretch-wrap cycle* log-normal, wrapper faults zero-inflated); ``lab`` (sample number, brand and
sample point, ABV / bitterness / colour at the brand's specs, DO*, micro plate count* zero-inflated, pH*
both ways, organism, a pass / fail verdict that follows an anomaly); ``util`` (glycol supply*, up; steam;
compressed air*, down; water flow log-normal; the water source; an electricity meter counter); ``alarm``
an HMI alarm event (number and fixed text from the world's catalogue, area, come / go, seconds active*
log-normal, repeats in 24 h, the operator's acknowledgement); ``haccp`` a HACCP check (CCP, line, units
inspected and rejected, a check counter, comment); ``note`` a brewer's shift note; ``wo`` a maintenance
work order (counter, asset, type, labour hours* log-normal, parts, description); ``receipt`` raw
materials (malt and hop lots, supplier, net weight and moisture by material class, disposition). Rare:
``nh3`` an ammonia leak alarm (always with raised priority), ``co2relief`` a CO2 tank overpressure relief,
``glass`` a glass breakage in the filler, ``recall`` a product recall hold. Rare categorical values (a
Pediococcus finding, a quarantined raw-material lot, water from a tanker) appear in about 1.2% of their
kinds' records.

Priority encodings (carried by ``alarm``, ``haccp``, ``note``, ``wo`` and ``nh3``)
-------------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 86% at 0); the world's form writes it, and
the truth is read back from what is written:

- ``words``: a five-step action class per dialect (Routine / Monitor / Deviation / Hold Product / Stop
  Line; běžné / sledovat / odchylka / zadržet výrobek / zastavit linku; allens in de Reeg / ankieken /
  Afwieken / Waar anhollen / Band stoppen);
- ``colour``: a five-colour status (GREEN / BLUE / YELLOW / AMBER / RED; zelená ... červená; gröön /
  blau / geel / orange / root);
- ``text``: no field; an urgency phrase in the comment (four levels), and routine comments that often say
  outright that nothing is pressing (negated calm phrases: "not urgent", "není naléhavé", "nich iilig");
- ``haccp``: a CCP deviation code, coarser than the steps (N/D / AL / CL / CCP-F; 0 / V / K;
  -- / W1 / W2 / KKP!);
- ``hazard``: a hazard score that starts at 0 (45% of routine records exactly 0): an int 0-100 (bands 30 /
  50 / 70 / 90); in ``cs`` 0.0-10.0 (3 / 5 / 7 / 9); in ``nds`` an FMEA-style RPZ 0-1000 (250 / 450 / 650 /
  850);
- ``deadline``: what is left before the deviation must be closed out, small (or negative: overdue) is
  pressing: minutes (9999 = none; 240 and more routine, then below 240 / 120 / 60 / 20); in ``cs`` hours
  (999.0 = none; below 4 / 2 / 1 / 0.33); in ``nds`` an ``hh:mm`` string (``--:--`` = none, ``-00:05``
  overdue);
- ``tier``: a descending response tier, 0 the most pressing (4-6 routine, 3, 2, 1, 0);
- ``bits``: a 16-bit PLC status word whose bits 8-11 are a thermometer of the step (advisory, warning,
  alarm, trip: step n sets bits 8..8+n-1); bits 0-3 run / auto / local / ready, 4-7 a random sub-state,
  12-15 a per-world unit nibble; an int, in ``nds`` an IEC literal ``16#0B2D``;
- ``flag``: escalate to the brewmaster / QA manager, True (steps 3-4) has strength 0.9; a boolean in
  ``en``, ``"A"`` / ``"N"`` (ano / ne) in ``cs``, 1 / 0 in ``nds``.

Cases and truth (docs/attention.md, "The definition (issue 3)")
----------------------------------------------------------------
Routine records and burst heads, from their content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` (see :meth:`BrewWorkload.score`); anomaly = 0
below 4.5 spreads, else ``min(1, 0.4 + 0.1 * (k - 4.5))`` where k is the largest distance of an
anomaly-prone number from its (kind, field) median in spreads (central 95% width / 3.92 of the world's own
rendered routine values, estimated when the world is made; log space for positive heavy-tailed fields,
log(1 + x) space for zero-inflated counts); routine values are redrawn while 4 or more spreads off, an
anomaly (1.8-3.8% of fresh records) puts one number 4.5-11 spreads off, in the field's physical direction
and bounds, and the lab verdict follows (set at 4.25 spreads). Rarity 0.5 for a rare kind, 0.45 for a rare
value. ``detail = main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``.

An exact copy (the same event logged again by another server, or re-delivered) keeps 5% of its source; a
near copy (another system's re-entry: a number re-rounded, a word abbreviated, diacritics or umlauts
dropped; never the priority field, nor the comment where the world writes priority in comments) 10%; a
burst (an alarm storm, a filler jam, a tank polled at fault rate, a HACCP check re-sent) has a head
carrying the news and 2-40 tails from the same origin with drifting numbers and counters stepping, worth
``tail_importance(head)``; a re-send of an earlier batch's news keeps 1% of it (2% through another
origin). Copy sources are drawn by importance and recency. Bursts run on their own clock and interleave
with the stream; a batch never ends inside a burst.

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from node.workload.domains import (
    tail_importance,
)
from node.workload.holdout_stream import BurstStream, routine_truth  # the shared scheduler
from node.workload.holdout_stream import Rec as _Rec
from node.workload.holdout_stream import Storm as _Storm
from node.workload.holdout_stream import poisson as _poisson
from node.workload.holdout_stream import space as _space
from node.workload.holdout_stream import unspace as _unspace
from protocol.keys import PrivateKey

__all__ = [
    "ALWAYS_PRIORITY_RARE",
    "COMMON_KINDS",
    "DIALECTS",
    "PRIORITY_KINDS",
    "PRIORITY_MODES",
    "RARE_KINDS",
    "BrewWorkload",
]

_T = TypeVar("_T")

DIALECTS = ("en", "cs", "nds")
PRIORITY_MODES = ("words", "colour", "text", "haccp", "hazard", "deadline", "tier", "bits", "flag")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
STEP_ODDS = (0.86, 0.05, 0.04, 0.03, 0.02)  # a priority kind's fresh record: step 0..4

COMMON_KINDS = ("mash", "boil", "ferm", "cip", "bright", "filler", "pasteur", "pack", "lab", "util", "alarm",
                "haccp", "note", "wo", "receipt")
PRIORITY_KINDS = frozenset({"alarm", "haccp", "note", "wo"})
RARE_KINDS = ("nh3", "co2relief", "glass", "recall")
ALWAYS_PRIORITY_RARE = frozenset({"nh3"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE  # the kinds whose records carry the world's priority form
COUNTERS = ("good", "pal", "kwh", "nseq", "wo", "sample", "hseq", "rcpt")  # step by one per burst tail
_TAIL_STEPS = (*COUNTERS, "occ")  # an alarm storm counts its own repeats

# -- names --------------------------------------------------------------------------------
_KINDS = {
    "en": {"mash": "Brewhouse_MashStep", "boil": "Brewhouse_KettleBoil", "ferm": "Cellar_FVReading",
           "cip": "Cellar_CIPStatus", "bright": "Cellar_BBTReading", "filler": "Pkg_FillerCounts",
           "pasteur": "Pkg_TunnelPasteurizer", "pack": "Pkg_PalletizerCounts", "lab": "QA_LabResult",
           "util": "Util_Reading", "alarm": "HMI_AlarmEvent", "haccp": "QA_HACCPCheck", "note": "Ops_ShiftNote",
           "wo": "Maint_WorkOrder", "receipt": "Rcv_RawMaterial", "nh3": "Safety_NH3Alarm",
           "co2relief": "Safety_CO2Relief", "glass": "Pkg_GlassBreak", "recall": "QA_RecallHold"},
    "cs": {"mash": "varna.rmutovani", "boil": "varna.chmelovar", "ferm": "spilka.ckt", "cip": "sanitace.cip",
           "bright": "lezak.tlakovy_tank", "filler": "stacirna.plnic", "pasteur": "stacirna.pasterizator",
           "pack": "stacirna.paletizace", "lab": "laborator.rozbor", "util": "energetika.odecet",
           "alarm": "ridici_system.alarm", "haccp": "haccp.kontrola", "note": "smena.zapis",
           "wo": "udrzba.zakazka", "receipt": "sklad.prijem", "nh3": "bezpecnost.unik_cpavku",
           "co2relief": "bezpecnost.pojistny_ventil_co2", "glass": "stacirna.rozbite_sklo",
           "recall": "kvalita.stazeni_vyrobku"},
    "nds": {"mash": "Sudhuus-Maischbütt", "boil": "Sudhuus-Wöörtpann", "ferm": "Keller-Gäärtank",
            "cip": "Keller-CIP", "bright": "Keller-Drucktank", "filler": "Afföllen-Füller",
            "pasteur": "Afföllen-Pasteur", "pack": "Afföllen-Palettierer", "lab": "Labor-Ünnersöök",
            "util": "Energie-Meetweerten", "alarm": "Leitstand-Störmellen", "haccp": "HACCP-Pröven",
            "note": "Schicht-Book", "wo": "Warkstäe-Updrag", "receipt": "Lager-Ingang",
            "nh3": "Sekerheit-Ammoniak", "co2relief": "Sekerheit-CO2Överdruck", "glass": "Afföllen-Glasbruch",
            "recall": "Qualität-Trüchroop"},
}

_SEMANTIC = ("bh", "brew", "brand", "mstep", "tsp", "tpv", "smin", "ldp", "og", "evap", "bmin", "hop", "vol",
             "tank", "batch", "day", "grav", "tferm", "pres", "pitch", "circ", "cyc", "state", "cstep", "flow",
             "tret", "cond", "lye", "co2", "dox", "lvl", "tbt", "line", "sku", "speed", "good", "rfill", "rcap",
             "rlabel", "fdev", "valve", "past", "pu", "putgt", "tmax", "belt", "pal", "cases", "wt", "wrap",
             "faults", "sample", "spoint", "abv", "ibu", "ebc", "micro", "ph", "org", "verdict", "glyc", "steam",
             "air", "water", "wsrc", "kwh", "alno", "atext", "area", "astate", "adur", "occ", "note", "ccp",
             "checker", "hseq", "insp", "rej", "brewer", "shift", "nseq", "wo", "asset", "wotype", "tech", "hrs",
             "parts", "rcpt", "mat", "lot", "supplier", "kg", "moist", "disp", "det", "ppm", "zone", "relp",
             "rvalve", "rdur", "flushed", "glaction", "palh", "reason")
_NAMES = {
    "en": ("Brewhouse", "Brew_No", "Brand", "Mash_Rest", "Temp_SP_F", "Temp_PV_F", "Rest_Time_Min",
           "Lauter_DP_PSI", "KO_Gravity_SG", "Evap_Rate_Pct", "Boil_Time_Min", "Hop_Charge_Lb", "Cast_Out_BBL",
           "Tank", "Batch_No", "Ferm_Day", "Gravity_SG", "Temp_F", "Top_Press_PSIG", "Pitch_MCells_mL",
           "CIP_Circuit", "Cycle_Count", "CIP_State", "CIP_Step", "Supply_Flow_GPM", "Return_Temp_F",
           "Return_Cond_mS", "Caustic_Conc_Pct", "CO2_Vols", "DO_PPB", "Level_Pct", "BBT_Temp_F", "Line", "SKU",
           "Speed_CPM", "Good_Count", "Rej_FillHeight", "Rej_Closure", "Rej_LabelVision", "Fill_Dev_FlOz",
           "Valve_No", "Pasteurizer", "PU_Actual", "PU_Target", "Peak_Temp_F", "Belt_Speed_FPM", "Pallet_Count",
           "Cases_Per_Pallet", "Pallet_Wt_Lb", "Wrap_Cycle_Sec", "Wrapper_Faults", "Sample_ID", "Sample_Point",
           "ABV_Pct", "IBU", "Color_SRM", "Micro_CFU_100mL", "pH", "Organism", "Result", "Glycol_Supply_F",
           "Steam_Hdr_PSIG", "Air_Hdr_PSIG", "Water_Flow_GPM", "Water_Source", "Elec_kWh_Total", "Alarm_No",
           "Alarm_Text", "Area", "Alarm_State", "Active_Sec", "Count_24h", "Comment", "CCP", "Checked_By",
           "Check_Seq", "Units_Inspected", "Units_Rejected", "Brewer", "Shift", "Note_Seq", "WO_Number", "Asset",
           "WO_Type", "Technician", "Labor_Hrs", "Parts_Used", "Receipt_No", "Material", "Lot", "Supplier",
           "Net_Wt_Lb", "Moisture_Pct", "Disposition", "Detector", "NH3_PPM", "Zone", "Relief_Press_PSIG",
           "Relief_Valve", "Vent_Sec", "Containers_Purged", "Action_Taken", "Pallets_Held", "Hold_Reason"),
    "cs": ("varna", "cislo_varky", "znacka", "rmutovaci_krok", "teplota_zadana_c", "teplota_skutecna_c",
           "doba_kroku_min", "dp_scezovani_mbar", "stupnovitost_mladiny_p", "odpar_pct", "doba_chmelovaru_min",
           "davka_chmele_kg", "objem_vystirky_hl", "tank", "sarze", "den_kvaseni", "zdanlivy_extrakt_p",
           "teplota_c", "tlak_bar", "zakvaseni_mil_bunek_ml", "okruh", "pocet_cyklu", "stav", "krok_sanitace",
           "prutok_hl_h", "teplota_zpatecky_c", "vodivost_ms_cm", "koncentrace_louhu_pct", "co2_g_l",
           "rozpusteny_o2_ug_l", "hladina_pct", "teplota_lt_c", "linka", "obal", "vykon_ks_min", "dobre_kusy",
           "vyrazeno_hladina", "vyrazeno_korunka", "vyrazeno_etiketa", "odchylka_plneni_ml", "plnici_ventil",
           "pasterizator", "pj_skutecne", "pj_cil", "max_teplota_c", "rychlost_pasu_m_min", "pocet_palet",
           "kartonu_na_palete", "hmotnost_palety_kg", "cas_ovinuti_s", "poruchy_ovijecky", "cislo_vzorku",
           "misto_odberu", "alkohol_obj_pct", "horkost_ibu", "barva_ebc", "mikro_ktj_100ml", "ph", "organismus",
           "hodnoceni", "glykol_privod_c", "para_tlak_bar", "vzduch_tlak_bar", "voda_prutok_m3_h", "zdroj_vody",
           "elektrina_kwh", "cislo_alarmu", "text_alarmu", "oblast", "stav_alarmu", "doba_trvani_s", "pocet_24h",
           "poznamka", "kkb", "kontroloval", "poradove_cislo", "kontrolovano_ks", "vyrazeno_ks", "sladek",
           "smena", "cislo_zapisu", "cislo_zakazky", "zarizeni", "typ_zakazky", "technik", "doba_prace_h",
           "pocet_dilu", "cislo_prijemky", "material", "sarze_dodavatele", "dodavatel", "hmotnost_kg",
           "vlhkost_pct", "stav_sarze", "cidlo", "cpavek_ppm", "zona", "tlak_otevreni_bar", "pojistny_ventil",
           "doba_odfuku_s", "vyrazeno_lahvi", "opatreni", "blokovano_palet", "duvod"),
    "nds": ("Sudhuus", "SudNr", "Soort", "Rast", "Solltemperatuur[°C]", "Isttemperatuur[°C]", "Rastduer[min]",
            "Läuterdiffdruck[mbar]", "Stammwöört[GG-%]", "Verdampen[%]", "Kaaktiet[min]", "Hoppengaav[kg]",
            "Utslagmengde[hl]", "Tank", "Charge", "Gäärdag", "Extrakt[GG-%]", "Temperatuur[°C]",
            "Spunddruck[bar]", "Hefegaav[Mio/ml]", "Kring", "Zyklustahl", "Tostand", "Programmschritt",
            "Dörchfloot[m3/h]", "Trüchloop[°C]", "Leitweert[µS/cm]", "Laugkonzentratschoon[%]", "CO2[g/l]",
            "O2[mg/l]", "Füllstand[%]", "Tanktemperatuur[°C]", "Linie", "Gebinn", "Leistung[Fl/h]", "Goodtahl",
            "UtschussFüllhööchd", "UtschussVerslut", "UtschussEtikett", "Füllafwieken[ml]", "Füllventil",
            "Pasteur", "PEIst", "PESoll", "Spitzentemperatuur[°C]", "Bandtempo[m/min]", "Palettentahl",
            "KistenProPalett", "Palettengewicht[kg]", "Wickeltiet[s]", "Wicklerstöörn", "Proovnummer",
            "Proovsteed", "Alkohol[%vol]", "Bitterheit[EBU]", "Farv[EBC]", "Keimtahl[KBE/100ml]", "Suurgraad[pH]",
            "Keimoort", "Beurdeelen", "Glykolvörloop[°C]", "Dampdruck[bar]", "Drucklucht[bar]",
            "Waterdörchfloot[m3/h]", "Waterborn", "Stroomtähler[kWh]", "Mellnummer", "Mellentext", "Rebeet",
            "Mellentostand", "Anstahn[s]", "Antahl24h", "Bemarken", "KKP", "Pröövt", "Löpnummer", "Pröövtstück",
            "Utsorteert", "Brauer", "Schicht", "Indragnummer", "Updragsnummer", "Anlaag", "Updragsoort",
            "Monteur", "Arbeitstiet[h]", "Deelen", "Ingangsnummer", "Rohstoff", "Partie", "Leverant",
            "Nettogewicht[kg]", "Füchtigkeit[%]", "Freegaav", "Melder", "Ammoniak[ppm]", "Zoon",
            "Aanspringdruck[bar]", "Sekerheitsventil", "Afblaastiet[s]", "Utsluust", "Maatnahm",
            "SperrtPaletten", "Grund"),
}
_PRIO_KEYS = {
    "words": ("Action_Class", "trida_reakce", "Ingreepklass"),
    "colour": ("Status_Color", "barva_stavu", "Ampel"),
    "haccp": ("CCP_Dev_Code", "kod_odchylky_kkb", "KKP-Afwiekcode"),
    "hazard": ("Hazard_Score", "skore_rizika", "RPZ"),
    "deadline": ("Close_Out_Min", "zbyva_h", "Resttiet[hh:mm]"),
    "tier": ("Response_Tier", "stupen_reakce", "Reaktschoonsstuuf"),
    "bits": ("PLC_Status_Word", "stavove_slovo", "Statuswoort"),
    "flag": ("Escalate_To_BM", "eskalovat", "Bruumeester-ropen"),
}

# -- units --------------------------------------------------------------------------------
# Semantic units: deg C, bar (gauge), mbar, deg Plato, hl, hl/h, g/l CO2, ppb O2, mS/cm, containers/min, ml,
# PU, m/min, kg, s, h, min, m3/h, EBC, %. Decimals as rendered when no dialect converts the field.
_DEC = {"tsp": 1, "tpv": 1, "smin": 0, "ldp": 0, "og": 2, "evap": 1, "hop": 1, "vol": 1, "day": 1, "grav": 2,
        "tferm": 1, "pres": 2, "flow": 0, "tret": 1, "cond": 2, "lye": 2, "co2": 2, "dox": 0, "lvl": 1,
        "tbt": 1, "speed": 0, "rfill": 0, "rcap": 0, "rlabel": 0, "fdev": 1, "pu": 1, "tmax": 1, "belt": 2,
        "wt": 0, "wrap": 1, "faults": 0, "abv": 2, "ibu": 1, "ebc": 1, "micro": 0, "ph": 2, "glyc": 2,
        "steam": 2, "air": 2, "water": 1, "adur": 0, "hrs": 2, "kg": 0, "moist": 2, "ppm": 0, "relp": 1,
        "rdur": 0}


@dataclass(frozen=True, slots=True)
class _Unit:
    """How a dialect writes a semantic number: ``to`` (semantic -> written) and decimals."""

    to: Callable[[float], float]
    dec: int


def _lin(a: float, b: float = 0.0) -> Callable[[float], float]:
    return lambda x: a * x + b


def _sg(plato: float) -> float:
    """Degrees Plato -> specific gravity (the brewers' ASBC approximation)."""
    return 1.0 + plato / (258.6 - plato / 258.2 * 227.1)


_F = _lin(1.8, 32.0)
_PSI = _lin(14.5038)
_UNITS: dict[str, dict[str, _Unit]] = {
    "en": {"tsp": _Unit(_F, 1), "tpv": _Unit(_F, 1), "tferm": _Unit(_F, 1), "tret": _Unit(_F, 1),
           "tbt": _Unit(_F, 1), "tmax": _Unit(_F, 1), "glyc": _Unit(_F, 1), "ldp": _Unit(_lin(0.0145038), 2),
           "og": _Unit(_sg, 3), "grav": _Unit(_sg, 4), "hop": _Unit(_lin(2.20462), 0),
           "vol": _Unit(_lin(1 / 1.17348), 1), "pres": _Unit(_PSI, 1), "steam": _Unit(_PSI, 1),
           "air": _Unit(_PSI, 1), "relp": _Unit(_PSI, 0), "flow": _Unit(_lin(0.440287), 0),
           "co2": _Unit(_lin(1 / 1.96), 2), "fdev": _Unit(_lin(0.033814), 3), "belt": _Unit(_lin(3.28084), 1),
           "wt": _Unit(_lin(2.20462), 0), "kg": _Unit(_lin(2.20462), 0), "water": _Unit(_lin(4.40287), 0),
           "ebc": _Unit(_lin(1 / 1.97), 1)},
    "cs": {},
    "nds": {"dox": _Unit(_lin(0.001), 3), "speed": _Unit(_lin(60.0), 0), "flow": _Unit(_lin(0.1), 1),
            "cond": _Unit(_lin(1000.0), 0)},
}

# Anomaly-prone numbers per kind: semantic name -> (space, physical direction, semantic bounds).
_PRONE: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "mash": {"ldp": ("log", 1, 5.0, 2000.0)},
    "boil": {"evap": ("lin", 0, 0.0, 25.0)},
    "ferm": {"tferm": ("lin", 1, -2.0, 40.0), "pres": ("lin", 1, 0.0, 4.5)},
    "cip": {"lye": ("lin", -1, 0.05, 6.0)},
    "bright": {"dox": ("log", 1, 1.0, 5000.0)},
    "filler": {"rfill": ("log1p", 1, 0.0, 5000.0), "rlabel": ("log1p", 1, 0.0, 5000.0),
               "fdev": ("lin", 0, -60.0, 60.0)},
    "pasteur": {"pu": ("log", 0, 0.5, 800.0)},
    "pack": {"wrap": ("log", 1, 5.0, 3000.0)},
    "lab": {"dox": ("log", 1, 1.0, 5000.0), "micro": ("log1p", 1, 0.0, 1e5), "ph": ("lin", 0, 3.0, 6.0)},
    "util": {"glyc": ("lin", 1, -12.0, 20.0), "air": ("lin", -1, 1.0, 12.0)},
    "alarm": {"adur": ("log", 1, 1.0, 900000.0)},
    "haccp": {},
    "note": {},
    "wo": {"hrs": ("log", 1, 0.05, 500.0)},
    "receipt": {},
}
_SPREAD_FLOOR = {"log": 0.05, "log1p": 0.25}
_VERDICT_AT = 4.25  # spreads: the lab's specification limits sit here (routine stays under 4)

# -- the dialects' words ---------------------------------------------------------------------------------
_WORDS = {"en": ("Routine", "Monitor", "Deviation", "Hold Product", "Stop Line"),
          "cs": ("běžné", "sledovat", "odchylka", "zadržet výrobek", "zastavit linku"),
          "nds": ("allens in de Reeg", "ankieken", "Afwieken", "Waar anhollen", "Band stoppen")}
_COLOURS = {"en": ("GREEN", "BLUE", "YELLOW", "AMBER", "RED"),
            "cs": ("zelená", "modrá", "žlutá", "oranžová", "červená"),
            "nds": ("gröön", "blau", "geel", "orange", "root")}
_CCP_CODES = {"en": (("N/D", 0.0), ("AL", 0.5), ("CL", 0.75), ("CCP-F", 1.0)),
              "cs": (("0", 0.0), ("V", 0.5), ("K", 1.0)),
              "nds": (("--", 0.0), ("W1", 0.5), ("W2", 0.75), ("KKP!", 1.0))}
_CODE_FOR_STEP = {"en": (0, 0, 1, 2, 3), "cs": (0, 0, 1, 1, 2), "nds": (0, 0, 1, 2, 3)}
_HAZARD_EDGES = {"en": (30, 50, 70, 90), "cs": (3.0, 5.0, 7.0, 9.0), "nds": (250, 450, 650, 850)}
_HAZARD_TOP = {"en": 100, "cs": 10.0, "nds": 1000}
_DL_EDGES = {"min": (240, 120, 60, 20), "h": (4.0, 2.0, 1.0, 0.33)}
_DL_BANDS = {"min": ((240, 1440), (120, 239), (60, 119), (20, 59), (-15, 19)),
             "h": ((4.0, 24.0), (2.0, 3.99), (1.0, 1.99), (0.33, 0.99), (-0.25, 0.32))}
_DL_NONE = {"en": 9999, "cs": 999.0, "nds": "--:--"}
_TIER_FOR_STEP = ((4, 5, 6), (3,), (2,), (1,), (0,))
_BITS_AT = 8
_FLAG_WORDS = {"en": (False, True), "cs": ("N", "A"), "nds": (0, 1)}

_URGENT = {  # steps 1..4, inside a comment (text mode) and nowhere else
    "en": ("take a look when you can", "needs QA sign-off before shift change",
           "URGENT - line stopped, need maintenance on the floor now",
           "EMERGENCY - evacuate the area, call 911 and the plant manager"),
    "cs": ("až bude čas, mrkněte na to", "potřeba vyjádření kvality do konce směny",
           "NALÉHAVÉ! linka stojí, údržbu okamžitě na místo", "NEBEZPEČÍ! okamžitě opustit prostor, volat hasiče"),
    "nds": ("wenn Tiet is, mal ankieken", "bruukt en Antwoort vun de QS vör Schichtwessel",
            "IILIG! Band steiht, Warkstäe foorts her", "GEFOHR! Rebeet foorts rüümen, Füerwehr ropen"),
}
_CALM = {
    "en": ("no action required", "not urgent", "can wait until Monday", "FYI only", "no rush on this"),
    "cs": ("není naléhavé", "bez nutnosti zásahu", "počká do ranní směny", "jen pro informaci", "nespěchá"),
    "nds": ("nich iilig", "nix to doon", "kann bet morgen töven", "blots to'n Weten", "keen Hast"),
}
_SHIFT_NOTES = {
    "en": ("Brew {brew} knocked out to {tank}, {brand}, pitched and aerated",
           "{tank} at {g}, holding for diacetyl rest", "Dry hop added to {tank}",
           "Mill gap checked on the roller mill, no change", "Shift handover {hh}:00, {n} brewers on",
           "{line} changeover to {sku} done", "Yeast harvested from {tank}, {n} bbl slurry to brink",
           "CIP on {tank} complete, verified with ATP swab", "Spent grain trailer swapped out",
           "Sensory panel passed {brand}", "{tank} crashed to 34F", "Hop delivery put away in cold storage",
           "Filler bowl sanitized before start-up", "Quiet night in the cellar, nothing to report",
           "Filtration of {brand} to {tank} finished"),
    "cs": ("Várka {brew} vyražena do {tank}, {brand}, zakvašeno", "{tank} má {g} °P, čekáme na redukci diacetylu",
           "Šrotovník seřízen, mezera válců beze změny", "Předávka směny v {hh}:00, na varně {n} lidé",
           "{line} přestavena na {sku}", "Sklizeny kvasnice z {tank}, {n} hl do kvasničné nádrže",
           "Sanitace {tank} hotová, stěry ATP v pořádku", "Odvezeno mláto, přistaven nový návěs",
           "Senzorika {brand} schválena", "{tank} zchlazen na 4 °C", "Chmel uložen do chladného skladu",
           "Plnič vysanitován před najetím", "Klidná noc ve spilce, nic k hlášení",
           "Filtrace {brand} do {tank} dokončena", "Dochmelování {tank} za studena"),
    "nds": ("Sud {brew} na {tank} utslahn, {brand}, Hefe togeven", "{tank} steiht bi {g} %, Diacetylrast löppt",
            "Schrootmöhl nakeken, Walten-Afstand unverännert", "Schichtwessel {hh}:00, {n} Lüüd in't Sudhuus",
            "{line} op {sku} ümstellt", "Hefe ut {tank} trocken, {n} hl na'n Hefetank",
            "CIP vun {tank} klaar, ATP-Proov in Ordnung", "Treber-Anhänger wesselt",
            "Verkösten vun {brand} bestahn", "{tank} op 1 °C runnerköhlt", "Hoppen in't Köhllager instellt",
            "Füller vör't Anfohren schoonmaakt", "Rohige Nacht in'n Keller, nix to mellen",
            "Filtratschoon vun {brand} na {tank} fardig", "Kolthoppen in {tank} togeven"),
}
_ACK_NOTES = {
    "en": ("ack {tech}, reset at HMI", "known issue, see WO {wo}", "cleared on retry, no product impact",
           "operator reset per SOP step {n}", "nuisance alarm, setpoint review pending", "auto-cleared",
           "ack {tech}, line restarted", "sensor wiped and recalibrated"),
    "cs": ("potvrdil {tech}, reset na HMI", "známá závada, viz zakázka {wo}", "zmizelo po opakování, bez dopadu na výrobek",
           "reset podle postupu, krok {n}", "planý alarm, prověřit mez", "samo zmizelo",
           "potvrdil {tech}, linka znovu najeta", "čidlo očištěno a překalibrováno"),
    "nds": ("quitteert {tech}, Reset an't Bedeenfeld", "bekannt, kiek Updrag {wo}",
            "na'n tweeten Versöök weg, keen Schaden an de Waar", "Reset na Anwiesen, Schritt {n}",
            "Fehlmellen, Grenzweert nakieken", "vun sülvst weg", "quitteert {tech}, Band löppt wedder",
            "Föhler schoonmaakt un nieg kalibreert"),
}
_HACCP_NOTES = {
    "en": ("{ccp} check done, within limits", "PU chart reviewed for {line}", "glass inspection of {line} complete",
           "foreign-body detector on {line} tested with test pieces", "CIP verification swab on {tank}",
           "filter integrity test passed", "empty bottle inspector challenge test ok", "records signed by {tech}"),
    "cs": ("kontrola {ccp} provedena, v mezích", "záznam PJ pro {line} zkontrolován", "kontrola skla na {line} hotová",
           "detektor cizích těles na {line} ověřen zkušebními tělísky", "stěr po sanitaci {tank}",
           "test integrity filtru vyhověl", "test inspektoru prázdných lahví v pořádku", "záznamy podepsal {tech}"),
    "nds": ("{ccp} pröövt, binnen de Grenzen", "PE-Kurv för {line} nakeken", "Glaskontroll op {line} fardig",
            "Frömdkörper-Melder op {line} mit Proovstücken testt", "Afstrich na CIP vun {tank}",
            "Filtertest bestahn", "Leergoot-Inspekter Test in Ordnung", "Opschrieven vun {tech} ünnerschreven"),
}
_WO_NOTES = {
    "en": ("replace mechanical seal on {asset} pump", "lube palletizer chains", "calibrate {asset} temp transmitter",
           "check glycol valve on {asset}", "rebuild filler valve {n}", "replace conveyor wear strips on {line}",
           "inspect PRV on {asset}", "change compressor oil and filters"),
    "cs": ("výměna ucpávky čerpadla {asset}", "mazání řetězů paletizéru", "kalibrace teploměru {asset}",
           "kontrola glykolového ventilu na {asset}", "generálka plnicího ventilu {n}",
           "výměna kluzných lišt dopravníku {line}", "revize pojistného ventilu {asset}",
           "výměna oleje a filtrů kompresoru"),
    "nds": ("Gliedringdichtung an de Pump vun {asset} wesseln", "Ketten vun'n Palettierer smeren",
            "Temperatuurföhler {asset} kalibreren", "Glykolventil an {asset} nakieken", "Füllventil {n} överhalen",
            "Gliedlisten an't Band {line} wesseln", "Sekerheitsventil {asset} pröven",
            "Kompressor-Öl un Filter wesseln"),
}
_NH3_NOTES = {
    "en": ("NH3 detector {det} in {zone} tripped, area cleared",
           "ammonia smell reported at {zone}, refrigeration tech dispatched", "{det} high alarm, compressors isolated"),
    "cs": ("čidlo {det} v prostoru {zone} zareagovalo, prostor vyklizen", "hlášen zápach čpavku, {zone}, vyslán chladař",
           "{det} vysoká koncentrace, kompresory odstaveny"),
    "nds": ("Ammoniak-Melder {det} in {zone} utlööst, Rebeet rüümt", "Ammoniak-Stank in {zone} mellt, Köhlmonteur ünnerwegens",
            "{det} Hoochweert, Kompressoren afschalt"),
}
_ALARM_TEXTS = {  # (text, area index): a plant's HMI message texts
    "en": (("FV High Temp Deviation", 1), ("Glycol Valve Fault", 1), ("Mash Agitator Overload", 0),
           ("Lauter Rake Torque High", 0), ("Kettle Steam Valve Fault", 0), ("Wort Cooler Outlet Temp High", 0),
           ("CIP Supply Pump Fail", 1), ("CIP Return Cond Low", 1), ("Filler Bowl Level Low", 2),
           ("Capper Torque Out Of Range", 2), ("Labeler Glue Temp Low", 2), ("Pasteurizer Zone 3 Temp Low", 2),
           ("Conveyor Backup At Infeed", 2), ("Case Packer Jam", 2), ("Palletizer Layer Fault", 2),
           ("Air Compressor Discharge Temp High", 3), ("Boiler Low Water", 3), ("Chiller Suction Press Low", 3)),
    "cs": (("Vysoká teplota CKT", 1), ("Porucha glykolového ventilu", 1), ("Přetížení míchadla rmutovystírací kádě", 0),
           ("Vysoký moment kypřiče scezovací kádě", 0), ("Porucha parního ventilu mladinové pánve", 0),
           ("Vysoká teplota mladiny za chladičem", 0), ("Porucha čerpadla sanitace", 1),
           ("Nízká vodivost zpátečky CIP", 1), ("Nízká hladina v plniči", 2), ("Moment uzávěru mimo rozsah", 2),
           ("Nízká teplota lepidla etiketovačky", 2), ("Nízká teplota zóny 3 pastéru", 2),
           ("Zácpa na přívodu dopravníku", 2), ("Zaseknutí balicího stroje", 2), ("Chyba vrstvy paletizéru", 2),
           ("Vysoká teplota výtlaku kompresoru", 3), ("Nízká hladina vody v kotli", 3),
           ("Nízký sací tlak chlazení", 3)),
    "nds": (("Gäärtank Temperatuur to hooch", 1), ("Glykolventil Stöörn", 1), ("Maischbütt Rührwark överlast", 0),
            ("Läuterbütt Hackwark Dreihmoment hooch", 0), ("Wöörtpann Dampventil Stöörn", 0),
            ("Wöörtköhler Utloop to warm", 0), ("CIP-Pump utfullen", 1), ("CIP Trüchloop Leitweert to siet", 1),
            ("Füller Kesselstand to siet", 2), ("Verslüter Dreihmoment buten de Grenz", 2),
            ("Etikettierer Liemtemperatuur to siet", 2), ("Pasteur Zoon 3 to kolt", 2), ("Stau an't Inloopband", 2),
            ("Packer faststeken", 2), ("Palettierer Lagenfehler", 2), ("Kompressor Druckstutzen to hitt", 3),
            ("Kessel Waterstand to siet", 3), ("Köhlanlaag Suugdruck to siet", 3)),
}
_RARE_VALUES = {"en": {"org": "PEDIOCOCCUS", "disp": "QUARANTINE", "wsrc": "TANKER"},
                "cs": {"org": "pediokoky", "disp": "karanténa", "wsrc": "cisterna"},
                "nds": {"org": "Pediokokken", "disp": "Quarantään", "wsrc": "Tankwagen"}}
_AREAS = {"en": ("Brewhouse", "Cellar", "Packaging", "Utilities"), "cs": ("varna", "spilka", "stáčírna", "energetika"),
          "nds": ("Sudhuus", "Keller", "Afföllen", "Energie")}
_ASTATES = {"en": ("ACTIVE", "CLEARED"), "cs": ("příchozí", "odchozí"), "nds": ("kummt", "geiht")}
_RESTS = {"en": ("PROTEIN_REST", "BETA_REST", "ALPHA_REST", "MASH_OUT"),
          "cs": ("bílkovinná", "maltózová", "cukrotvorná", "odrmutování"),
          "nds": ("Eiwittrast", "Maltoosrast", "Verzuckerrast", "Afmaischen")}
_REST_C = (52.0, 63.0, 72.0, 78.0)
_REST_MIN = (15.0, 40.0, 20.0, 10.0)
_CIP_STEPS = {"en": ("PRE_RINSE", "CAUSTIC", "INTER_RINSE", "ACID", "FINAL_RINSE", "NONE"),
              "cs": ("předoplach", "louh", "mezioplach", "kyselina", "závěrečný oplach", "žádný"),
              "nds": ("Vörspölen", "Laug", "Twischenspölen", "Süür", "Naspölen", "—")}
_CIP_PHYS = ((0.6, 25.0), (95.0, 80.0), (1.5, 30.0), (35.0, 60.0), (0.5, 20.0))  # (mS/cm, deg C) per step
_CIP_STATES = {"en": ("RUNNING", "IDLE"), "cs": ("běží", "klid"), "nds": ("löppt", "Stillstand")}
# Brands: (name, OG deg P, ABV %, IBU, EBC, ale?, CO2 g/l)
_BRANDS = {
    "en": (("Harbor Lager", 11.5, 4.8, 18.0, 8.0, False, 5.2), ("Red Tail IPA", 15.5, 6.8, 65.0, 18.0, True, 4.9),
           ("Lakeshore Light", 8.5, 4.1, 10.0, 5.0, False, 5.4), ("Dock Street Stout", 14.0, 5.6, 38.0, 80.0, True, 4.5),
           ("Hazy Pale", 13.5, 5.8, 40.0, 10.0, True, 5.0), ("Pilsner Reserve", 12.0, 5.0, 35.0, 7.0, False, 5.3),
           ("Copper Amber", 13.0, 5.4, 28.0, 28.0, True, 5.0)),
    "cs": (("Světlé výčepní 10°", 10.0, 4.0, 24.0, 9.0, False, 5.0), ("Světlý ležák 12°", 12.0, 5.0, 36.0, 10.0, False, 5.2),
           ("Tmavý ležák 11°", 11.0, 4.4, 22.0, 70.0, False, 4.8), ("Polotmavý 13°", 13.0, 5.2, 28.0, 30.0, False, 5.0),
           ("Speciál 14°", 14.0, 6.0, 40.0, 14.0, False, 5.3), ("Pšeničné 12°", 12.0, 5.0, 14.0, 8.0, True, 6.0)),
    "nds": (("Friesisch Pils", 11.8, 4.9, 38.0, 7.0, False, 5.3), ("Helles", 11.5, 4.8, 20.0, 8.0, False, 5.1),
            ("Dunkel", 12.5, 5.0, 22.0, 55.0, False, 5.0), ("Weetenbeer", 12.5, 5.3, 13.0, 12.0, True, 6.2),
            ("Bockbeer", 16.5, 6.8, 30.0, 30.0, False, 5.0), ("Kellerbeer", 12.0, 5.0, 28.0, 14.0, False, 4.8)),
}
# SKUs: (name, nominal ml, cases per pallet, pallet kg)
_SKUS = {"en": (("12oz CAN", 355.0, 96, 830.0), ("16oz CAN", 473.0, 80, 900.0), ("12oz BTL", 355.0, 84, 1010.0),
                ("22oz BTL", 650.0, 75, 980.0)),
         "cs": (("láhev 0,5 l", 500.0, 40, 780.0), ("plech 0,5 l", 500.0, 84, 1090.0), ("láhev 0,33 l", 330.0, 60, 720.0),
                ("PET 1,5 l", 1500.0, 72, 680.0)),
         "nds": (("Fl. 0,5 l", 500.0, 40, 790.0), ("Fl. 0,33 l", 330.0, 50, 640.0), ("Dose 0,5 l", 500.0, 84, 1085.0),
                 ("Bügel 0,5 l", 500.0, 36, 820.0))}
_SPOINTS = {"en": ("FV", "BBT", "FILLER", "PKG"), "cs": ("CKT", "LT", "plnič", "hotový výrobek"),
            "nds": ("Gäärtank", "Drucktank", "Füller", "Fardigwaar")}
_ORG_OK = {"en": "ND", "cs": "negativní", "nds": "keen Befund"}
_VERDICT = {"en": ("PASS", "FAIL"), "cs": ("vyhovuje", "nevyhovuje"), "nds": ("in Ordnung", "nich in Ordnung")}
_WSRC = {"en": ("CITY", "WELL"), "cs": ("vodovod", "studna"), "nds": ("Stadtwater", "Brunnen")}
_SHIFTS = {"en": ("1st", "2nd", "3rd"), "cs": ("ranní", "odpolední", "noční"), "nds": ("Fröh", "Laat", "Nacht")}
_WOTYPES = {"en": ("PM", "CM", "INSP", "CAL"), "cs": ("preventivní", "oprava", "kontrola", "kalibrace"),
            "nds": ("Wartung", "Reparatur", "Inspekschoon", "Kalibreeren")}
_MATERIALS = {  # (name, hop?)
    "en": (("2-Row Pale Malt", False), ("Pilsner Malt", False), ("Munich Malt", False), ("Crystal 60L", False),
           ("Cascade T90", True), ("Citra T90", True), ("Saaz T90", True)),
    "cs": (("slad plzeňský", False), ("slad mnichovský", False), ("slad karamelový", False),
           ("chmel Žatecký poloraný červeňák", True), ("chmel Sládek", True), ("chmel Premiant", True)),
    "nds": (("Pilsner Malt", False), ("Münchner Malt", False), ("Karamellmalt", False),
            ("Hallertauer Hoppen", True), ("Tettnanger Hoppen", True), ("Perle Hoppen", True)),
}
_SUPPLIERS = {"en": ("Briess", "Rahr", "Country Malt", "YCH Hops", "BSG"),
              "cs": ("Sladovna Bruntál", "Malteurop Kroměříž", "Chmelařství Žatec", "Soufflet Prostějov"),
              "nds": ("Weyermann", "Best Malz", "BarthHaas", "Ireks")}
_DISPS = {"en": ("RELEASED", "SAMPLED"), "cs": ("uvolněno", "odebrán vzorek"), "nds": ("freegeven", "Proov nahmen")}
_ZONES = {"en": ("Engine Room", "Cellar 2", "Cold Storage", "Roof Condensers"),
          "cs": ("strojovna chlazení", "spilka 2", "chladírna", "kondenzátory na střeše"),
          "nds": ("Maschinenruum", "Keller 2", "Köhlhuus", "Dackkondensoren")}
_GLASS_ACTIONS = {"en": ("PURGE_5_VALVES", "RINSE_BOWL", "STOP_AND_INSPECT"),
                  "cs": ("vyplach 5 ventilů", "oplach karuselu", "zastavit a prohlédnout"),
                  "nds": ("5 Ventile utspölen", "Kessel afspölen", "anhollen un ankieken")}
_RECALL_REASONS = {"en": ("foreign material complaint", "low fill", "mislabeled allergen", "micro out of spec"),
                   "cs": ("stížnost na cizí těleso", "nedolité lahve", "chybná etiketa alergenů",
                          "mikrobiologie mimo specifikaci"),
                   "nds": ("Klaag över Frömdkörper", "to siet füllt", "verkehrt Etikett, Allergene",
                           "Keimtahl buten de Spezifikatschoon")}
_PEOPLE = {"en": ("J. Miller", "K. Olsen", "D. Reyes", "S. Park", "T. Brennan", "M. Novak", "A. Fischer", "R. Hughes",
                  "L. Duarte", "B. Kowalski"),
           "cs": ("Novák", "Svoboda", "Dvořáková", "Černý", "Procházka", "Kučerová", "Veselý", "Horák", "Němcová",
                  "Marek"),
           "nds": ("Hinnerk", "Jan-Hauke", "Frauke", "Okko", "Tjark", "Wiebke", "Harm", "Gesche", "Enno", "Swantje")}
_RETYPE = {
    "en": (("Fermenter", "FV"), ("temperature", "temp"), ("Brewhouse", "BH"), ("complete", "done"),
           ("Pasteurizer", "Past."), ("Line", "LN"), ("bbl", "BBL"), ("check", "chk"), ("Temp", "Tmp")),
    "cs": (("várka", "var."), ("kvasnice", "kvasinky"), ("Sanitace", "CIP"), ("linka", "l."), ("kontrola", "kontr.")),
    "nds": (("Updrag", "Auftrag"), ("Tank", "Tk."), ("Linie", "L."), ("vun", "von"), ("Schicht", "Sch.")),
}
_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


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
class _Fermenter:
    name: str
    t_off: float  # the tank's offset from the brand's fermentation setpoint
    spund: float  # spunding setpoint, bar
    brand: int = 0
    batch: int = 0
    og: float = 12.0
    fg: float = 2.5
    tau: float = 3.0
    day: float = 0.0
    end: float = 12.0


@dataclass(slots=True)
class _Line:
    name: str
    past: str
    rated: float  # containers per minute
    valves: int
    sku: int
    putgt: float
    tmax0: float
    belt0: float
    good: int
    pal: int


class BrewWorkload(BurstStream):
    """A held-out brewery world (see the module docstring). Deterministic in ``seed``."""

    KIND_NAMES = _KINDS
    PRIORITY_KINDS = PRIORITY_KINDS

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-brew/{seed}")
        self.dialect: str = r.choice(DIALECTS)
        d = self.dialect
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self.prio_key: str | None = None if self.prio_mode == "text" else \
            _PRIO_KEYS[self.prio_mode][DIALECTS.index(d)]
        picked: list[str] = []
        while not CARRIERS & set(picked):
            picked = r.sample(COMMON_KINDS, r.randint(4, 6))
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in picked)
        rare = r.sample(RARE_KINDS, r.randint(1, 3))
        self.rare: tuple[str, ...] = tuple(k for k in RARE_KINDS if k in rare)
        heavy = {"ferm": 2.0, "filler": 1.8, "util": 1.4, "alarm": 1.3, "cip": 1.2}
        self.weights = {k: r.lognormvariate(0.0, 0.45) * heavy.get(k, 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.0015, 0.011) for k in self.rare}
        n_origins = r.randint(3, 10)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-brew-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(n_origins)))
        self.scada_origin = r.randrange(n_origins)  # utilities SCADA: util, NH3 detection, CO2 storage
        self.lims_origin = r.randrange(n_origins)  # the lab's LIMS
        self.cmms_origin = r.randrange(n_origins)  # maintenance work orders
        self.erp_origin = r.randrange(n_origins)  # goods receipt
        self.mean_gap = r.choice((200.0, 800.0, 2500.0, 8000.0))
        self.clumpy = r.random() < 0.4  # historian data uploaded in batches
        self.burst_period = r.uniform(0.02, 0.14)
        self.copy_memory = r.uniform(12.0, 160.0)
        self.rates = {"dup": r.uniform(0.03, 0.065), "near": r.uniform(0.065, 0.115),
                      "burst": r.uniform(0.005, 0.013), "resend": r.uniform(0.008, 0.018)}
        self.anomaly_rate = r.uniform(0.018, 0.038)
        self.keys: dict[str, str] = dict(zip(_SEMANTIC, _NAMES[d], strict=True))
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(_RARE_VALUES[d].values())
        self._units = {s: self._unit_of(s) for s in _DEC}
        self._cum: dict[tuple[int, float], list[float]] = {}
        self._dec = {self.keys[s]: u.dec for s, u in self._units.items()}
        self._build(r)
        self._fixed = frozenset(self.keys[s] for s in (*COUNTERS, "brew", "batch", "cyc", "valve", "cases", "occ",
                                                         "parts", "putgt", "tsp", "bmin", "alno", "insp", "rej",
                                                         "faults", "flushed", "palh"))
        self._signed = frozenset(self.keys[s] for s in ("fdev", "glyc"))
        self._caps = {self.keys[s]: b for s, b in (("lvl", (0.0, 100.0)),)}
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure_spreads()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []  # earlier batches' news
        self._last_ts = 0

    # -- the world ------------------------------------------------------------------------------------
    def _unit_of(self, sem: str) -> _Unit:
        u = _UNITS[self.dialect].get(sem)
        return u if u is not None else _Unit(float, _DEC[sem])

    def _build(self, r: random.Random) -> None:
        d = self.dialect
        self.yy = r.randint(24, 27)
        self.brands = r.sample(range(len(_BRANDS[d])), r.randint(3, min(6, len(_BRANDS[d]))))
        self.brands.sort()
        self.bh = [{"en": f"BH{n}", "cs": f"VAR{n}", "nds": f"SH{n}"}[d] for n in range(1, r.randint(1, 3) + 1)]
        self._bh_off = {b: tuple(r.gauss(0.0, 0.5) for _ in _REST_C) for b in self.bh}
        self._bh_size = {b: r.choice((120.0, 200.0, 300.0, 450.0, 600.0)) for b in self.bh}
        self._bh_evap = {b: r.uniform(5.0, 8.0) for b in self.bh}
        self._brew = {b: r.randint(1000, 40000) for b in self.bh}
        self._bh_brand = {b: r.choice(self.brands) for b in self.bh}  # the brand of the brew in the house
        self.ldp0 = r.uniform(30.0, 120.0)
        self._batch_next = max(self._brew.values()) + 1
        self.fermenters: list[_Fermenter] = []
        for n in sorted(r.sample(range(1, 60), r.randint(6, 24))):
            name = {"en": f"FV{n:02d}", "cs": f"CKT{n:02d}", "nds": f"GT{n:02d}"}[d]
            fv = _Fermenter(name, r.gauss(0.0, 0.4), r.uniform(0.6, 1.2))
            self._refill(fv, r, r.uniform(0.1, 11.0))
            self.fermenters.append(fv)
        self.bbts = [{"en": f"BBT{n:02d}", "cs": f"LT{n:02d}", "nds": f"DT{n:02d}"}[d]
                     for n in sorted(r.sample(range(1, 30), r.randint(3, 10)))]
        self._bbt_brand = {t: r.choice(self.brands) for t in self.bbts}
        self._bbt_lvl = {t: r.uniform(10.0, 95.0) for t in self.bbts}
        self.do0 = r.uniform(15.0, 45.0)
        self.circuits = [{"en": f"CIP-{'ABCDEF'[i]}", "cs": f"S{i + 1}", "nds": f"CIP{i + 1}"}[d]
                         for i in range(r.randint(2, 6))]
        self._circ_flow = {c: r.uniform(150.0, 400.0) for c in self.circuits}
        self._cyc = {c: r.randint(100, 9000) for c in self.circuits}
        self.lye0 = r.uniform(1.6, 2.4)
        self.lines: list[_Line] = []
        for i in range(1, r.randint(1, 4) + 1):
            name = {"en": f"L{i}", "cs": f"SL{i}", "nds": f"Linie {i}"}[d]
            past = {"en": f"TP{i}", "cs": f"PAST{i}", "nds": f"TP{i}"}[d]
            self.lines.append(_Line(name, past, r.choice((300.0, 450.0, 600.0, 800.0, 1000.0, 1200.0)),
                                    r.choice((40, 60, 72, 100, 120, 144)), r.randrange(len(_SKUS[d])),
                                    r.uniform(15.0, 28.0), r.uniform(60.0, 62.5), r.uniform(0.4, 0.9),
                                    r.randint(10**5, 9 * 10**7), r.randint(1000, 900000)))
        self.wrap0 = r.uniform(30.0, 70.0)
        self.fdev0 = r.uniform(0.5, 3.0)
        self._sample = r.randint(1000, 900000)
        self.ph0 = r.uniform(4.2, 4.5)
        self.glyc0 = r.uniform(-4.5, -2.5)
        self.steam0 = r.uniform(6.0, 10.0)
        self.air0 = r.uniform(6.5, 7.5)
        self.water0 = r.uniform(8.0, 60.0)
        self._kwh = r.randint(10**6, 9 * 10**7)
        texts = r.sample(_ALARM_TEXTS[d], r.randint(10, 18))
        alnos = r.sample(range(1, 3000), len(texts))
        self.catalogue = [(a, t, area) for a, (t, area) in zip(alnos, texts, strict=True)]
        self.adur0 = r.uniform(20.0, 180.0)
        self.ccps = [{"en": f"CCP{n}", "cs": f"KKB{n}", "nds": f"KKP{n}"}[d] for n in range(1, r.randint(3, 6) + 1)]
        self._hseq = r.randint(100, 90000)
        people = list(_PEOPLE[d])
        r.shuffle(people)
        self.brewers = people[:r.randint(3, 5)]
        self.techs = people[len(self.brewers):len(self.brewers) + r.randint(2, 4)]
        self._nseq = {b: r.randint(0, 4000) for b in self.brewers}
        self._wo = r.randint(10000, 900000)
        self.hrs0 = r.uniform(1.0, 4.0)
        self.compressors = [{"en": f"AC-{n}", "cs": f"KOMP{n}", "nds": f"Kompressor {n}"}[d]
                            for n in range(1, r.randint(1, 3) + 1)]
        self.assets = [*self.bh, *(f.name for f in self.fermenters[:6]), *(ln.past for ln in self.lines),
                       *self.compressors]
        self._rcpt = r.randint(1000, 90000)
        self.materials = r.sample(range(len(_MATERIALS[d])), r.randint(3, len(_MATERIALS[d])))
        self.suppliers = r.sample(_SUPPLIERS[d], r.randint(2, len(_SUPPLIERS[d])))
        self.co2_tanks = [{"en": f"CO2-T{n}", "cs": f"CO2 zásobník {n}", "nds": f"CO2-Tank {n}"}[d]
                          for n in range(1, r.randint(1, 2) + 1)]
        self.unit_nibble = r.randrange(1, 16) << 12
        # Every entity is ingested through one origin (a few servers carry most).
        self._origin_of: dict[str, int] = {}
        for e in [*self.bh, *(f.name for f in self.fermenters), *self.bbts, *self.circuits,
                  *(ln.name for ln in self.lines), *self.brewers, *self.techs, *_AREAS[d]]:
            self._origin_of[e] = self._zipf_origin()

    def _refill(self, fv: _Fermenter, r: random.Random, day: float) -> None:
        """A fermenter filled with a new brew: the brand's original gravity, falling from here on."""
        fv.brand = r.choice(self.brands)
        _, og, abv, *_ = _BRANDS[self.dialect][fv.brand]
        fv.batch = self._batch_next
        self._batch_next += 1
        fv.og = og + r.gauss(0.0, 0.1)
        fv.fg = og * r.uniform(0.18, 0.24)
        fv.tau = r.uniform(2.0, 3.5)
        fv.day = day
        fv.end = r.uniform(11.0, 16.0)

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _zipf(self, seq: Sequence[_T], s: float = 1.0) -> _T:
        """A few entities dominate: rank weight 1 / rank^s."""
        cum = self._cum.get((len(seq), s))
        if cum is None:
            cum = self._cum[(len(seq), s)] = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(seq))))
        return seq[bisect.bisect_right(cum, self._r.random() * cum[-1])]

    # -- spreads ---------------------------------------------------------------------------------------
    def _written_bounds(self, sem: str, lo: float, hi: float) -> tuple[float, float, bool]:
        u = self._units[sem]
        a, b = u.to(lo), u.to(hi)
        return min(a, b), max(a, b), b >= a

    def _measure_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of each anomaly-prone field as written, from 600
        routine draws that leave the world's state untouched."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            prone = _PRONE[kind]
            out[kind] = {}
            if not prone:
                continue
            draws = [self._write({sm: v for sm, v in self._draw(kind, live=False)[0].items() if sm in prone})
                     for _ in range(600)]
            for sem, (space, direction, lo, hi) in prone.items():
                key = self.keys[sem]
                xs = sorted(_space(float(f[key]), space) for f in draws)  # type: ignore[arg-type]
                lo_i, hi_i = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                floor = _SPREAD_FLOOR.get(space, 2.0 * 10.0 ** -self._units[sem].dec)
                wlo, whi, rising = self._written_bounds(sem, lo, hi)
                out[kind][key] = Spread(space, direction if rising else -direction, xs[len(xs) // 2],
                                        max((xs[hi_i] - xs[lo_i]) / 3.92, floor), wlo, whi)
        return out

    # -- drawing -----------------------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        """A routine record's semantic fields (numbers in semantic units) and its origin."""
        drawer: Callable[[bool], tuple[dict[str, object], int]] = getattr(self, f"_draw_{kind}")
        return drawer(live)

    def _brand_name(self, i: int) -> str:
        return _BRANDS[self.dialect][i][0]

    def _draw_mash(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        bh = self._zipf(self.bh, 0.8)
        if live and r.random() < 0.2:  # the next brew: a new brand is mashed in
            self._brew[bh] += 1
            self._bh_brand[bh] = self._zipf(self.brands, 0.6)
        step = r.choices(range(4), (0.2, 0.3, 0.3, 0.2))[0]
        sp = round(_REST_C[step] + self._bh_off[bh][step], 1)
        return {"bh": bh, "brew": self._brew[bh], "brand": self._brand_name(self._bh_brand[bh]),
                "mstep": _RESTS[self.dialect][step], "tsp": sp, "tpv": sp + r.gauss(0.0, 0.25),
                "smin": max(1.0, r.gauss(_REST_MIN[step], 2.0)),
                "ldp": r.lognormvariate(math.log(self.ldp0), 0.35)}, self._origin_of[bh]

    def _draw_boil(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        bh = self._zipf(self.bh, 0.8)
        name, og, _, ibu, *_ = _BRANDS[self.dialect][self._bh_brand[bh]]
        size = self._bh_size[bh]
        return {"bh": bh, "brew": self._brew[bh], "brand": name, "og": og + r.gauss(0.0, 0.12),
                "evap": r.gauss(self._bh_evap[bh], 0.4), "bmin": 90 if ibu > 35 else 70 if ibu > 20 else 60,
                "hop": size * ibu * 0.004 * r.lognormvariate(0.0, 0.08), "vol": size * r.gauss(1.0, 0.015)}, \
            self._origin_of[bh]

    def _draw_ferm(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        fv = self._zipf(self.fermenters, 0.5)
        if live:
            fv.day += r.uniform(0.03, 0.4)
            if fv.day > fv.end:  # emptied to the bright tanks, cleaned, filled with a new brew
                self._refill(fv, r, r.uniform(0.05, 0.4))
        b = _BRANDS[self.dialect][fv.brand]
        grav = fv.fg + (fv.og - fv.fg) * math.exp(-fv.day / fv.tau) + r.gauss(0.0, 0.02)
        setpoint = (19.0 if b[5] else 10.0) + fv.t_off
        return {"tank": fv.name, "brand": b[0], "batch": fv.batch, "day": fv.day, "grav": grav,
                "tferm": r.gauss(setpoint, 0.25), "pres": max(0.0, r.gauss(fv.spund, 0.04)),
                "pitch": round(15.0 if fv.og < 13 else 20.0, 1)}, self._origin_of[fv.name]

    def _draw_cip(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        d = self.dialect
        c = self._zipf(self.circuits, 0.7)
        running = r.random() < 0.55
        if live and running and r.random() < 0.08:
            self._cyc[c] += 1
        f: dict[str, object] = {"circ": c, "cyc": self._cyc[c], "state": _CIP_STATES[d][0 if running else 1],
                                "lye": r.gauss(self.lye0, 0.04)}
        if running:
            step = r.choices(range(5), (0.15, 0.35, 0.15, 0.2, 0.15))[0]
            cond, temp = _CIP_PHYS[step]
            f.update(cstep=_CIP_STEPS[d][step], flow=self._circ_flow[c] * r.gauss(1.0, 0.03),
                     tret=r.gauss(temp, 1.5), cond=cond * r.lognormvariate(0.0, 0.06))
        else:
            f.update(cstep=_CIP_STEPS[d][5], flow=0.0, tret=r.gauss(18.0, 1.5), cond=0.4 * r.lognormvariate(0.0, 0.1))
        return f, self._origin_of[c]

    def _draw_bright(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        t = self._zipf(self.bbts, 0.6)
        lvl = self._bbt_lvl[t] + r.uniform(-6.0, 6.0)
        lvl = 100.0 if lvl >= 100.0 else max(0.0, lvl)
        if live:
            self._bbt_lvl[t] = lvl
        b = _BRANDS[self.dialect][self._bbt_brand[t]]
        return {"tank": t, "brand": b[0], "co2": b[6] + r.gauss(0.0, 0.05),
                "dox": r.lognormvariate(math.log(self.do0), 0.4), "lvl": lvl, "tbt": r.gauss(0.5, 0.3)}, \
            self._origin_of[t]

    def _draw_filler(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        ln = self._zipf(self.lines, 0.8)
        running = r.random() < 0.86
        speed = ln.rated * r.gauss(0.97, 0.015) if running else 0.0
        if live:
            ln.good += int(speed * r.uniform(1.0, 5.0))
            if r.random() < 0.01:
                ln.sku = r.randrange(len(_SKUS[self.dialect]))
        rfill = 0 if r.random() < 0.7 else 1 + int(r.expovariate(1.0 / 1.2))
        rlabel = 0 if r.random() < 0.6 else 1 + int(r.expovariate(1.0 / 1.5))
        rcap = 0 if r.random() < 0.85 else 1 + int(r.random() < 0.3)
        return {"line": ln.name, "sku": _SKUS[self.dialect][ln.sku][0], "speed": speed, "good": ln.good,
                "rfill": float(rfill), "rcap": float(rcap), "rlabel": float(rlabel),
                "fdev": r.gauss(self.fdev0, 0.7), "valve": r.randint(1, ln.valves)}, self._origin_of[ln.name]

    def _draw_pasteur(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        ln = self._zipf(self.lines, 0.8)
        return {"past": ln.past, "line": ln.name, "pu": ln.putgt * r.lognormvariate(0.0, 0.06),
                "putgt": int(round(ln.putgt)), "tmax": r.gauss(ln.tmax0, 0.2),
                "belt": ln.belt0 * r.gauss(1.0, 0.01)}, self._origin_of[ln.name]

    def _draw_pack(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        ln = self._zipf(self.lines, 0.8)
        if live:
            ln.pal += r.randint(0, 2)
        sku, _, cases, kg = _SKUS[self.dialect][ln.sku]
        faults = 0 if r.random() < 0.9 else 1 + int(r.random() < 0.25)
        return {"line": ln.name, "sku": sku, "pal": ln.pal, "cases": cases, "wt": kg * r.gauss(1.0, 0.006),
                "wrap": r.lognormvariate(math.log(self.wrap0), 0.3), "faults": float(faults)}, \
            self._origin_of[ln.name]

    def _draw_lab(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        d = self.dialect
        if live:
            self._sample += r.randint(1, 4)
        name, _, abv, ibu, ebc, *_ = _BRANDS[d][self._zipf(self.brands, 0.6)]
        micro = 0 if r.random() < 0.75 else 1 + int(r.expovariate(1.0 / 2.0))
        return {"sample": self._sample, "brand": name, "spoint": r.choice(_SPOINTS[d]), "abv": r.gauss(abv, 0.05),
                "ibu": r.gauss(ibu, 1.2), "ebc": ebc * r.gauss(1.0, 0.04),
                "dox": r.lognormvariate(math.log(self.do0 * 1.5), 0.45), "micro": float(micro),
                "ph": r.gauss(self.ph0, 0.04), "org": _ORG_OK[d]}, self.lims_origin

    def _draw_util(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        if live:
            self._kwh += r.randint(5, 400)
        return {"glyc": r.gauss(self.glyc0, 0.15), "steam": r.gauss(self.steam0, 0.15), "air": r.gauss(self.air0, 0.08),
                "water": r.lognormvariate(math.log(self.water0), 0.7),
                "wsrc": _WSRC[self.dialect][0 if r.random() < 0.8 else 1], "kwh": self._kwh}, self.scada_origin

    def _draw_alarm(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        alno, text, area = self._zipf(self.catalogue, 0.9)
        area_name = _AREAS[self.dialect][area]
        f: dict[str, object] = {"alno": alno, "atext": text, "area": area_name,
                                "astate": _ASTATES[self.dialect][0 if r.random() < 0.6 else 1],
                                "adur": max(2.0, r.lognormvariate(math.log(self.adur0), 1.1)),
                                "occ": 1 + _poisson(r, 1.8)}
        f["note"] = self._fill_text(r.choice(_ACK_NOTES[self.dialect])) if live else ""
        return f, self._origin_of[area_name]

    def _draw_haccp(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        if live:
            self._hseq += 1
        checker = r.choice(self.brewers)
        insp = max(5, int(r.gauss(200.0, 40.0)))
        rej = 0 if r.random() < 0.8 else r.randint(1, 3)
        return {"ccp": r.choice(self.ccps), "line": r.choice(self.lines).name, "checker": checker, "hseq": self._hseq,
                "insp": insp, "rej": rej, "note": self._fill_text(r.choice(_HACCP_NOTES[self.dialect])) if live else ""}, \
            self._origin_of[checker]

    def _draw_note(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        brewer = r.choice(self.brewers)
        if live:
            self._nseq[brewer] += 1
        return {"brewer": brewer, "shift": r.choice(_SHIFTS[self.dialect]), "nseq": self._nseq[brewer],
                "area": r.choice(_AREAS[self.dialect][:3]),
                "note": self._fill_text(r.choice(_SHIFT_NOTES[self.dialect])) if live else ""}, self._origin_of[brewer]

    def _draw_wo(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        if live:
            self._wo += r.randint(1, 7)
        asset = r.choice(self.assets)
        return {"wo": self._wo_id(self._wo), "asset": asset, "wotype": r.choices(_WOTYPES[self.dialect], (5, 3, 2, 1))[0],
                "tech": r.choice(self.techs), "hrs": r.lognormvariate(math.log(self.hrs0), 0.8),
                "parts": _poisson(r, 1.1),
                "note": self._fill_text(r.choice(_WO_NOTES[self.dialect]), asset=asset) if live else ""}, self.cmms_origin

    def _draw_receipt(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        d = self.dialect
        if live:
            self._rcpt += 1
        name, hop = _MATERIALS[d][r.choice(self.materials)]
        n = r.randint(0, 99999)
        lot = {"en": f"{'H' if hop else 'M'}{self.yy}{n % 366:03d}-{n % 97:02d}", "cs": f"{n:05d}/{self.yy}",
               "nds": f"P{self.yy}-{n:05d}"}[d]
        kg = r.lognormvariate(math.log(1200.0 if hop else 24000.0), 0.25)
        return {"rcpt": self._rcpt, "mat": name, "lot": lot, "supplier": r.choice(self.suppliers), "kg": kg,
                "moist": r.gauss(9.0 if hop else 4.3, 0.25), "disp": _DISPS[d][0 if r.random() < 0.7 else 1]}, \
            self.erp_origin

    def _draw_nh3(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        det = {"en": f"AIT-{r.randint(1, 40):03d}", "cs": f"DČ{r.randint(1, 20):02d}", "nds": f"AM{r.randint(1, 20):02d}"}
        zone = r.choice(_ZONES[self.dialect])
        return {"det": det[self.dialect], "ppm": r.lognormvariate(math.log(90.0), 0.7), "zone": zone,
                "note": r.choice(_NH3_NOTES[self.dialect]).format(det=det[self.dialect], zone=zone)}, self.scada_origin

    def _draw_co2relief(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        n = r.randint(1, 12)
        return {"tank": r.choice(self.co2_tanks), "relp": r.lognormvariate(math.log(18.0), 0.08),
                "rvalve": {"en": f"PSV-{n:03d}", "cs": f"PV{n}", "nds": f"SV{n:02d}"}[self.dialect],
                "rdur": r.lognormvariate(math.log(40.0), 0.6)}, self.scada_origin

    def _draw_glass(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        ln = r.choice(self.lines)
        return {"line": ln.name, "valve": r.randint(1, ln.valves), "flushed": 4 + _poisson(r, 10.0),
                "glaction": r.choice(_GLASS_ACTIONS[self.dialect])}, self._origin_of[ln.name]

    def _draw_recall(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        return {"brand": self._brand_name(r.choice(self.brands)), "batch": r.randint(1000, self._batch_next),
                "palh": 1 + _poisson(r, 30.0), "reason": r.choice(_RECALL_REASONS[self.dialect])}, self.erp_origin

    def _wo_id(self, n: int) -> str:
        return {"en": f"WO-{n:07d}", "cs": f"Z{self.yy}/{n:07d}", "nds": f"UD{n:07d}"}[self.dialect]

    def _gravity_text(self) -> str:
        """A fermenter's gravity as a brewer writes it in a note: 1.012, 2,9 (deg P), 2,9 (% GG)."""
        r = self._r
        p = r.uniform(2.0, 6.0)
        if self.dialect == "en":
            return f"{_sg(p):.3f}"
        return f"{p:.1f}".replace(".", ",")

    def _fill_text(self, template: str, asset: str | None = None) -> str:
        """A note from its template; only the slots the template names are drawn."""
        r = self._r
        slots: dict[str, Callable[[], object]] = {
            "brew": lambda: self._brew[r.choice(self.bh)], "tank": lambda: r.choice(self.fermenters).name,
            "brand": lambda: self._brand_name(r.choice(self.brands)), "line": lambda: r.choice(self.lines).name,
            "sku": lambda: r.choice(_SKUS[self.dialect])[0], "g": self._gravity_text,
            "hh": lambda: f"{r.choice((6, 7, 14, 15, 22, 23)):02d}", "n": lambda: r.randint(2, 9),
            "tech": lambda: r.choice(self.techs), "wo": lambda: self._wo_id(self._wo - r.randint(0, 300)),
            "ccp": lambda: r.choice(self.ccps), "asset": lambda: asset or r.choice(self.assets)}
        return template.format_map({name: slots[name]() for name in _slot_names(template)})

    # -- writing ---------------------------------------------------------------------------------------
    def _quant(self, key: str, x: float) -> int | float:
        dec = self._dec[key]
        return int(round(x)) if dec == 0 else round(x, dec)

    def _write(self, sem: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units and rounding."""
        out: dict[str, object] = {}
        for s, v in sem.items():
            key = self.keys[s]
            if s in self._units and isinstance(v, float):
                out[key] = self._quant(key, self._units[s].to(v))
            else:
                out[key] = v
        return out

    def _finish(self, kind: str, f: dict[str, object]) -> None:
        """What the LIMS computes from the measurement: the sample's verdict against its spec limits."""
        if kind == "lab":
            bad = any(self._k_of(kind, key, f) >= _VERDICT_AT for key in self.stats.get("lab", {}))
            f[self.keys["verdict"]] = _VERDICT[self.dialect][1 if bad else 0]

    # -- truth -------------------------------------------------------------------------------------------
    def _k_of(self, kind: str, key: str, f: dict[str, object]) -> float:
        s = self.stats[kind][key]
        return abs(_space(float(f[key]), s.space) - s.center) / s.spread  # type: ignore[arg-type]

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
        if mode == "colour":
            return STEP_STRENGTH[_COLOURS[d].index(str(v))]
        if mode == "haccp":
            return dict(_CCP_CODES[d])[str(v)]
        if mode == "flag":
            return FLAG_STRENGTH if v == _FLAG_WORDS[d][1] and type(v) is type(_FLAG_WORDS[d][1]) else 0.0
        if mode == "bits":
            word = int(v[3:], 16) if isinstance(v, str) else int(_number(v))
            return STEP_STRENGTH[_thermometer(word >> _BITS_AT & 15)]
        if mode == "deadline":
            if v == _DL_NONE[d]:
                return 0.0
            x = _hhmm_minutes(str(v)) if d == "nds" else _number(v)
            return STEP_STRENGTH[sum(x < e for e in _DL_EDGES["h" if d == "cs" else "min"])]
        x = _number(v)
        if mode == "hazard":
            return STEP_STRENGTH[bisect.bisect_right(_HAZARD_EDGES[d], x)]
        return STEP_STRENGTH[max(0, 4 - int(x))]  # tier: 4-6 routine, 0 the most pressing

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < 4.5 else min(1.0, 0.4 + 0.1 * (k - 4.5))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        rarity = rk or rv
        return routine_truth(a, p, rarity, rk)

    # -- records -----------------------------------------------------------------------------------------
    def _routine(self, kind: str) -> tuple[dict[str, object], int]:
        """A routine record as written, every anomaly-prone number redrawn while 4 or more spreads off."""
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
            v = self._quant(key, min(s.hi, max(s.lo, x)))
            f[key] = v
            if self._k_of(kind, key, f) >= 4.5:
                return True
            x += sign * max(quantum, abs(x) * 0.005)
        return False  # pragma: no cover - bounds leave room by construction

    def _draw_step(self, news: bool) -> int:
        r = self._r
        if not news:
            return r.choices(range(5), STEP_ODDS)[0]
        return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.35, 0.35, 0.3))[0]

    def _form(self, step: int) -> object:
        """The step as the world's form writes it."""
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return _WORDS[d][step]
        if mode == "colour":
            return _COLOURS[d][step]
        if mode == "haccp":
            return _CCP_CODES[d][_CODE_FOR_STEP[d][step]][0]
        if mode == "tier":
            return r.choice(_TIER_FOR_STEP[step])
        if mode == "flag":
            return _FLAG_WORDS[d][int(step >= 3)]
        if mode == "hazard":  # starts at 0: 45% of routine records exactly 0, the rest low in the band
            edges = (0, *_HAZARD_EDGES[d])
            top = _HAZARD_TOP[d] if step == 4 else edges[step + 1]
            x = (0.0 if r.random() < 0.45 else r.betavariate(1.2, 3.0) * top) if step == 0 else \
                r.uniform(edges[step], top)
            if d == "cs":
                return min(round(x, 1), round(top - (0.0 if step == 4 else 0.1), 1))
            return min(int(x), int(top) if step == 4 else int(top) - 1)
        if mode == "deadline":  # a countdown: small (or negative, overdue) is pressing
            if step == 0 and r.random() < 0.35:
                return _DL_NONE[d]
            if d == "cs":
                lo, hi = _DL_BANDS["h"][step]
                return round(r.uniform(lo, hi), 2)
            lo, hi = _DL_BANDS["min"][step]
            m = r.randint(int(lo), int(hi))
            return _minutes_hhmm(m) if d == "nds" else m
        # bits: a thermometer of the step in bits 8-11, run / auto / local / ready and a sub-state below
        low = ((r.random() < 0.9) | (r.random() < 0.85) << 1 | (r.random() < 0.1) << 2 | (r.random() < 0.8) << 3
               | r.randrange(16) << 4)
        word = self.unit_nibble | ((1 << step) - 1) << _BITS_AT | low
        return f"16#{word:04X}" if d == "nds" else word

    def _mark(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step (priority kinds only), and the comment's urgent or calm words."""
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if step and nk in f:
                phrase = _URGENT[d][step - 1]
                f[nk] = f"{phrase}: {f[nk]}" if r.random() < 0.4 else f"{f[nk]} - {phrase}"
        elif kind in CARRIERS:
            f[self.prio_key] = self._form(step)  # type: ignore[index]
        if nk in f and step == 0 and r.random() < 0.3:
            f[nk] = f"{f[nk]}; {r.choice(_CALM[d])}"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        f, origin = self._routine(kind)
        rare_sem = {"lab": "org", "receipt": "disp", "util": "wsrc"}.get(kind)
        if rare_sem and r.random() < 0.012:
            f[self.keys[rare_sem]] = _RARE_VALUES[self.dialect][rare_sem]
        carries = kind in PRIORITY_KINDS
        wants = r.random() < self.anomaly_rate if not news else (not carries or r.random() < 0.5)
        odd = wants and self._push_off(kind, f)
        self._finish(kind, f)
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
        w = [(recs[i].importance + 0.025) * math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, w)[0]

    def _reentry(self, f: dict[str, object]) -> dict[str, object]:
        """Another system's re-entry: one or two values re-rounded or re-typed (never the priority field,
        nor, in a world that writes priority in comments, the comment)."""
        r = self._r
        nk = self.keys["note"]
        options: list[tuple[str, object]] = []
        for key in sorted(f):
            v = f[key]
            if key in self._fixed or key == self.prio_key or isinstance(v, bool) or \
                    (self.prio_mode == "text" and key == nk):
                continue
            w: object = v
            if isinstance(v, float) and key in self._dec:
                w = _coarser(v, self._dec[key])
            elif isinstance(v, int) and key in self._dec:
                w = _coarser(v, 0)
            elif isinstance(v, str) and v:
                w = self._retype(v)
            if w != v:
                options.append((key, w))
        if not options:  # pragma: no cover - every kind has a number or a text to re-type
            raise RuntimeError("nothing to re-enter")
        g = dict(f)
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.25 else 1)):
            g[key] = w
        return g

    def _retype(self, s: str) -> str:
        r = self._r
        out = []
        if self.dialect == "cs":  # a second system without diacritics
            out.append("".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)))
        elif self.dialect == "nds":  # ... or without umlauts
            out.append(s.translate(_UMLAUT))
        out += [s.replace(a, b, 1) for a, b in _RETYPE[self.dialect] if a in s]
        if "-" in s and len(s) < 16:
            out.append(s.replace("-", "", 1))
        elif s.isalnum() and s.isascii() and len(s) < 12 and any(c.isdigit() for c in s):
            i = next(i for i, c in enumerate(s) if c.isdigit())
            if i:
                out.append(f"{s[:i]}-{s[i:]}")
        if s.upper() != s:
            out.append(s.upper() if len(s) < 20 else s.replace(" ", "  ", 1))
        elif s.lower() != s:
            out.append(s.lower())
        out = [x for x in out if x != s]
        return r.choice(out) if out else s

    def _tail(self, b: _Storm, t: float) -> _Rec:
        """A burst's look-alike: same kind, origin and keys; numbers drift, counters step, words stay."""
        r = self._r
        b.emitted += 1
        g = dict(b.rec.fields)
        steps = {self.keys[c] for c in _TAIL_STEPS}
        for key, v in b.rec.fields.items():
            if key in steps:
                g[key] = _step_counter(v, b.emitted)
            elif _drifts(v) and key in self._dec and key not in self._fixed and key != self.prio_key:
                x = float(v)  # type: ignore[arg-type]
                quantum = 10.0 ** -self._dec[key]
                lo, hi = self._caps.get(key, (-math.inf if key in self._signed or x < 0 else 0.0, math.inf))
                g[key] = self._quant(key, min(hi, max(lo, x + r.gauss(0.0, 0.005 * abs(x) + 0.4 * quantum))))
        if g == b.rec.fields:  # nothing moved past its rounding: the last digit of one reading moves
            keys = sorted(k for k, v in g.items() if _drifts(v) and k in self._dec and k not in self._fixed
                          and k != self.prio_key)
            key = r.choice(keys)  # every storm kind has a non-zero reading
            nudge = r.choice((-1, 1)) * 10.0 ** -self._dec[key]
            g[key] = self._quant(key, float(g[key]) + nudge)  # type: ignore[arg-type]
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)



# -- helpers ----------------------------------------------------------------------------------------------
def _thermometer(nibble: int) -> int:
    """How many of a nibble's bits are set from bit 0 up without a gap (the step of a thermometer code)."""
    n = 0
    while n < 4 and nibble >> n & 1:
        n += 1
    return n


def _minutes_hhmm(m: int) -> str:
    """Minutes as an HMI countdown writes them: 01:05, -00:05."""
    sign = "-" if m < 0 else ""
    return f"{sign}{abs(m) // 60:02d}:{abs(m) % 60:02d}"


def _hhmm_minutes(s: str) -> int:
    sign = -1 if s.startswith("-") else 1
    hh, mm = s.lstrip("-").split(":")
    return sign * (int(hh) * 60 + int(mm))


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


def _slot_names(template: str) -> list[str]:
    """The ``{name}`` slots of a note template, in order, once each."""
    names: list[str] = []
    for part in template.split("{")[1:]:
        name = part.split("}", 1)[0]
        if name not in names:
            names.append(name)
    return names


def _number(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise TypeError(f"not a number: {v!r}")
    return float(v)


def _drifts(v: object) -> bool:
    """A reading that can drift in a burst tail: a non-zero number (not a flag)."""
    return isinstance(v, int | float) and not isinstance(v, bool) and v != 0


def _step_counter(v: object, by: int) -> object:
    """A counter ``by`` further on: an int, or the number at the end of an id (``WO-0001234``)."""
    if isinstance(v, int):
        return v + by
    s = str(v)
    i = len(s)
    while i and s[i - 1].isdigit():
        i -= 1
    return f"{s[:i]}{int(s[i:]) + by:0{len(s) - i}d}"
