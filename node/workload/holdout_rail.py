"""Held-out workload family: railway operations, in French, Polish or Dutch (written blind).

Theory of operation
===================

Written blind. While writing this module its author read only ``protocol/record.py`` (the Record type),
``protocol/keys.py`` (peer ids), the definitions of ``noisy_or``, ``main_reason`` and ``LabeledRecord`` in
``node/workload/domains.py`` and the tests of the hydro family (for the style of tests). Nothing of the model
(``node/attention/``), of the other generators, of ``docs/`` or of ``scripts/`` was read, so the priority words,
field names and scales below are the author's own guesses of how rail operators write, not the model's.

World. ``RailWorkload(seed)`` draws one railway world from ``random.Random(seed)``:

- a dialect, which fixes the language and the naming style of kinds, keys and values:

  ``fr``  French; kinds dotted (``aiguille.moteur``), keys lowercase kebab (``courant-moteur-ma``);
  ``pl``  Polish; kinds and keys PascalCase, units as a ``_unit`` suffix (``PradSilnika_mA``);
  ``nl``  Dutch; kinds and keys SCREAMING_CASE abbreviations (``MOTORSTROOM_MA``), values mostly upper case.

- units and scales per world: currents in A or mA, speeds in km/h or m/s, temperatures in C or K, catenary
  voltage in V or kV (25 kV AC or 1.5 kV DC in France, 3 kV DC in Poland, 1.5 kV DC in the Netherlands),
  track-circuit and battery voltage in V or mV, throw times in s or ms, brake-pipe pressure in bar or kPa;
- 3 to 6 stations (origins): Ed25519 peer ids derived from seeded bytes; every asset (signal, points, track
  section, crossing, platform display, train, crew, substation) belongs to one station;
- 5 to 8 common kinds out of ten: ``signal`` (interlocking signal events), ``position`` (train position
  reports: speed bimodal standing/moving, heavy-tailed delay, GNSS error), ``trackcircuit`` (rail voltage,
  bimodal clear/occupied), ``axlecounter`` (growing in/out counters and their difference), ``points`` (motor
  current, throw time, growing throw counter, heater flag), ``display`` (platform information: destination,
  status, delay, luminance that follows daylight), ``rollingstock`` (axle-box temperature drifting with the
  ambient, brake-pipe pressure, traction current that is zero when coasting, fault codes, growing odometer),
  ``crossing`` (barriers, closure time, battery), ``crewlog`` (maintenance crew logs, free text) and
  ``substation`` (catenary voltage, gamma-tailed feeder current, breaker-trip counter), with per-world weights
  and per-world categorical vocabularies;
- 1 to 3 rare kinds, each under 1% of the stream: ``derailment`` and ``spad`` (signal passed at danger)
  always carry a high explicit priority; ``geometry`` (track-recording car run) and ``possession``
  (engineering possession notice) never do. Every world has at least one rare kind without priority.

Explicit priority. Each world writes priority in one world-wide form (``PRIORITY_MODES``) on the kinds of
``PRIORITY_KINDS`` it has (signal, axle counter, points, rolling stock, crossing, and the two rare kinds that
always carry it; never on positions, displays, track circuits, substations or crew logs): ``words`` (a
five-step severity word: information ... critique / informacyjny ... krytyczny / INFO ... KRITIEK),
``level_up`` (0..4, 4 most severe), ``level_down`` (1..5, 1 most severe),
``flag`` (a boolean: urgent / Pilne / SPOED), ``colour`` (green, yellow, orange, red in the language) or
``code`` (incident category: ``cat. A`` .. ``cat. D`` in French, ``A1`` .. ``C`` in Polish, ``CAT A`` ..
``CAT D`` in Dutch; A most severe). Crew logs in every world carry priority as words inside the text:
``URGENT`` / ``PILNE`` / ``SPOED`` (0.85) and ``DANGER IMMÉDIAT`` / ``ZAGROŻENIE`` / ``GEVAAR`` (1.0),
matched case-sensitively, so the lower-case negations some routine logs carry (``non urgent``,
``niepilne``, ``geen spoed``) do not count. Priority strengths by step: five steps (0, 0.1, 0.4, 0.75, 1),
four steps (0, 0.1, 0.55, 1), flag (0, 0.85). About 85% of records with a priority field sit at the lowest
step and about 6.5% at a step strong enough to matter.

Cases (``LabeledRecord.case``) and truth, following the definition of importance:

- ``routine``: ``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)``, ``detail`` from
  ``main_reason(0.9 * anomaly, 0.9 * priority, rarity, rare_kind)``. ``anomaly`` = ``anomaly_strength(k)``
  where ``k`` is the largest number of robust spreads any scored numeric field is from its kind's median:
  0 below 5 spreads, then 0.4 + 0.12 per spread beyond 5, capped at 1. Median and spread
  (``max(1.4826 * MAD, IQR / 1.349, floor)``, in log space for heavy-tailed durations and train lengths) are
  measured once per world on 400 routine samples of each common kind (anomalies off, drift phases spread),
  so bimodal fields (clear/occupied, coasting/traction, stopped/moving) and drifting means are not anomalies
  by themselves: the bimodal ones give each mode at least a quarter of their kind, and assets of a kind
  share a world level. Readings are scored; names and numbers that only identify or count (telegram numbers,
  route, platform and train numbers, kilometre posts, track-circuit frequencies, growing axle/throw/trip
  counters, odometers) and the priority field are not. Rare kinds have no numeric statistics. About 3% of
  routine records get one reading pushed 6-12 spreads out (5.8-8 in log space): hot axle box, obstructed
  points, brake-pipe leak, axle-count mismatch, undervoltage, a GNSS fix tens of metres off, a train half an
  hour late...; natural tails (feeder current, delays, crew work time) rarely cross 5 spreads and are labeled
  as anomalies when they do. ``rarity`` is 0.5 for a rare kind and 0.45 for a designated rare categorical
  value (substitute signal aspect, faulty track circuit, points without detection, cancelled train, rare
  fault code, broken barrier), each well under 1% of its kind; top priority words are priority, not rarity.
- ``burst_head`` / ``burst_tail``: one asset chattering: a head that carries news (an anomaly or a high
  priority, labeled like a routine record) and 2-40 tails of the same kind, origin and keys every 0.15-2.5 s,
  a new telegram number and slightly jittered readings each. Tail importance ``min(0.02, 0.1 * head)``.
- ``dup``: an exact copy of the fields (a retransmission by the same station a little later, or a relay by
  another station): 5% of its source. ``near_dup``: another device's reading of the same event, same keys,
  small differences (rounding, a nudged reading, a re-typed code, a re-cased word, accents dropped or a unit
  spelled differently in text): 10% of its source. Sources are routine records or burst heads of the batch.
- ``resend``: the content (kind, origin, fields) of a newsworthy record of an earlier batch sent again with
  a new time stamp: 0.01.

``ref`` is the batch index of the copy source or burst head, else -1; ``detail`` is set on routine records
and burst heads only. Copies and bursts stay inside their batch; only resends reach back. Batches are in time
order; ``ts_ms`` never goes below ``now_ms`` nor below the previous batch. The module is pure Python,
deterministic in the seed (one ``random.Random``; no ``hash()`` of strings, no set iteration) and imports
nothing from ``node.attention``.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

DIALECTS = ("fr", "pl", "nl")
PRIORITY_MODES = ("words", "level_up", "level_down", "flag", "colour", "code")
COMMON_KINDS = ("signal", "position", "trackcircuit", "axlecounter", "points", "display", "rollingstock",
                "crossing", "crewlog", "substation")
RARE_KINDS = ("derailment", "spad", "geometry", "possession")
ALWAYS_PRIORITY_RARE = ("derailment", "spad")
NEVER_PRIORITY_RARE = ("geometry", "possession")
PRIORITY_KINDS = ("signal", "axlecounter", "points", "rollingstock", "crossing", "derailment", "spad")

BASE = 0.04
RARE_KIND_STRENGTH = 0.5
RARE_VALUE_STRENGTH = 0.45
ANOMALY_START = 5.0  # robust spreads where an anomaly starts to count

_DI = {"fr": 0, "pl": 1, "nl": 2}

KIND_NAMES: dict[str, tuple[str, str, str]] = {
    "signal": ("poste.signal", "ZdarzenieSemafora", "SEIN_GEBEURTENIS"),
    "position": ("train.position", "PozycjaPociagu", "TREIN_POSITIE"),
    "trackcircuit": ("voie.circuit", "ObwodTorowy", "SPOORSTROOMLOOP"),
    "axlecounter": ("voie.compteur-essieux", "LicznikOsi", "ASSENTELLER"),
    "points": ("aiguille.moteur", "NapedZwrotnicowy", "WISSEL_AANDRIJVING"),
    "display": ("quai.afficheur", "TablicaPeronowa", "DRIS_PERRON"),
    "rollingstock": ("materiel.diagnostic", "DiagnostykaTaboru", "MATERIEEL_DIAG"),
    "crossing": ("passage-a-niveau.etat", "StanPrzejazdu", "OVERWEG_STATUS"),
    "crewlog": ("equipe.journal", "DziennikBrygady", "PLOEG_LOGBOEK"),
    "substation": ("traction.sous-station", "PodstacjaTrakcyjna", "ONDERSTATION"),
    "derailment": ("incident.deraillement", "Wykolejenie", "ONTSPORING"),
    "spad": ("incident.franchissement", "MiniecieSygnaluStoj", "STS_PASSAGE"),
    "geometry": ("releve.geometrie", "PomiarGeometrii", "SPOORGEOMETRIE"),
    "possession": ("travaux.interception", "ZamkniecieToru", "BUITENDIENSTSTELLING"),
}

# unit family -> unit -> (factor, offset, decimals or None for an integer)
_UNITS: dict[str, dict[str, tuple[float, float, int | None]]] = {
    "cur": {"A": (1.0, 0.0, 3), "mA": (1000.0, 0.0, None)},
    "spd": {"km/h": (1.0, 0.0, 1), "m/s": (1 / 3.6, 0.0, 2)},
    "tmp": {"C": (1.0, 0.0, 1), "K": (1.0, 273.15, 1)},
    "hv": {"V": (1.0, 0.0, None), "kV": (0.001, 0.0, 3)},
    "lv": {"V": (1.0, 0.0, 3), "mV": (1000.0, 0.0, None)},
    "dur": {"s": (1.0, 0.0, 2), "ms": (1000.0, 0.0, None)},
    "prs": {"bar": (1.0, 0.0, 3), "kPa": (100.0, 0.0, 1)},
}
_UNIT_TOKEN: dict[str, tuple[str, str, str]] = {
    "A": ("a", "A", "A"), "mA": ("ma", "mA", "MA"), "km/h": ("kmh", "kmh", "KMU"), "m/s": ("ms", "ms", "MS"),
    "C": ("c", "C", "C"), "K": ("k", "K", "K"), "V": ("v", "V", "V"), "kV": ("kv", "kV", "KV"),
    "mV": ("mv", "mV", "MV"), "s": ("s", "s", "S"), "ms": ("ms", "ms", "MS"), "bar": ("bar", "bar", "BAR"),
    "kPa": ("kpa", "kPa", "KPA"),
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One canonical field: its key per dialect (``{u}``: the unit token) and how its numbers behave."""

    keys: tuple[str, str, str]
    unit: str = ""  # unit family, "" for none
    space: str = ""  # "" unscored, "lin" or "log1p": where medians and spreads are measured
    dirn: str = "up"  # which way injected anomalies go: "up", "down" or "both"
    floor: float = 1.0  # least robust spread (base units for "lin", log units for "log1p")
    dec: int | None = None  # decimals of a unit-less number (None: integer)
    target: bool = False  # anomalies are injected here
    nonneg: bool = True


FIELDS: dict[str, FieldSpec] = {
    "site": FieldSpec(("poste", "Nastawnia", "POST")),
    "seq": FieldSpec(("trame", "NrTelegramu", "TEL_NR")),
    # signal
    "sig_id": FieldSpec(("signal", "Semafor", "SEIN_NR")),
    "sig_event": FieldSpec(("evenement", "Zdarzenie", "GEBEURTENIS")),
    "aspect": FieldSpec(("aspect", "Wskazanie", "SEINBEELD")),
    "lamp_cur": FieldSpec(("courant-lampe-{u}", "PradLampy_{u}", "LAMP_STROOM_{u}"), "cur", "lin", "both", 0.01,
                          target=True),
    "route": FieldSpec(("itineraire", "NrPrzebiegu", "RIJWEG_NR")),
    # position
    "train": FieldSpec(("train", "Pociag", "TREIN_NR")),
    "km": FieldSpec(("pk", "Kilometraz", "KM_POS"), dec=3),
    "speed": FieldSpec(("vitesse-{u}", "Predkosc_{u}", "SNELH_{u}"), "spd", "lin", "up", 2.0),
    "gnss_err": FieldSpec(("ecart-gnss-m", "BladGNSS_m", "GNSS_AFWIJKING_M"), space="lin", floor=0.5, dec=1,
                          target=True),
    "delay_s": FieldSpec(("retard-s", "Opoznienie_s", "VERTR_S"), space="log1p", floor=0.2),
    "dir": FieldSpec(("sens", "Kierunek", "RICHTING")),
    # track circuit
    "tc_id": FieldSpec(("circuit", "Odcinek", "SSL_NR")),
    "tc_state": FieldSpec(("etat", "Stan", "TOESTAND")),
    "rail_v": FieldSpec(("tension-rail-{u}", "NapiecieSzyn_{u}", "RAILSP_{u}"), "lv", "lin", "up", 0.02,
                        target=True),
    "tc_freq": FieldSpec(("frequence-hz", "Czestotliwosc_Hz", "FREQ_HZ")),
    # axle counter
    "ac_id": FieldSpec(("compteur", "Licznik", "ASTEL_NR")),
    "ax_in": FieldSpec(("essieux-entres", "OsieWjazd", "ASSEN_IN")),
    "ax_out": FieldSpec(("essieux-sortis", "OsieWyjazd", "ASSEN_UIT")),
    "ax_diff": FieldSpec(("ecart", "Roznica", "VERSCHIL"), space="lin", dirn="both", floor=0.5, target=True,
                         nonneg=False),
    "ax_last": FieldSpec(("essieux-dernier-train", "OsieOstatniSklad", "ASSEN_LAATSTE"), space="log1p", floor=0.3),
    # points
    "pt_id": FieldSpec(("aiguille", "Zwrotnica", "WISSEL_NR")),
    "pt_pos": FieldSpec(("position", "Polozenie", "STAND")),
    "throw_t": FieldSpec(("duree-manoeuvre-{u}", "CzasPrzestawienia_{u}", "OMLOOPTIJD_{u}"), "dur", "lin", "up",
                         0.08, target=True),
    "motor_cur": FieldSpec(("courant-moteur-{u}", "PradSilnika_{u}", "MOTORSTROOM_{u}"), "cur", "lin", "up", 0.05,
                           target=True),
    "throws": FieldSpec(("nb-manoeuvres", "LiczbaPrzestawien", "AANTAL_OMLOPEN")),
    "heater": FieldSpec(("rechauffeur", "Ogrzewanie", "VERWARMING")),
    # display
    "disp_id": FieldSpec(("afficheur", "Tablica", "DRIS_NR")),
    "platform": FieldSpec(("voie", "Peron", "SPOOR")),
    "dest": FieldSpec(("destination", "StacjaDocelowa", "BESTEMMING")),
    "status": FieldSpec(("statut", "Status", "STATUS")),
    "delay_min": FieldSpec(("retard-min", "Opoznienie_min", "VERTR_MIN"), space="lin", floor=3.0, target=True),
    "bright": FieldSpec(("luminance-cdm2", "Jasnosc_cdm2", "HELDERHEID_CDM2"), space="lin", floor=50.0),
    "pix": FieldSpec(("pixels-hs", "UszkodzonePiksele", "PIXEL_DEFECT"), space="lin", floor=1.0, target=True),
    # rolling stock
    "unit": FieldSpec(("rame", "Pojazd", "MAT_NR")),
    "axle_t": FieldSpec(("temp-boite-essieu-{u}", "TempMaznicy_{u}", "ASLAGER_T_{u}"), "tmp", "lin", "up", 1.0,
                        target=True),
    "brake_p": FieldSpec(("pression-cg-{u}", "CisnieniePrzewodu_{u}", "HOOFDLEIDING_{u}"), "prs", "lin", "down",
                         0.02, target=True),
    "trac_cur": FieldSpec(("courant-traction-{u}", "PradTrakcji_{u}", "TRACTIE_I_{u}"), "cur", "lin", "up", 20.0,
                          target=True),
    "fault": FieldSpec(("code-defaut", "KodUsterki", "STORINGSCODE")),
    "odo": FieldSpec(("odometre-km", "Przebieg_km", "KMSTAND")),
    # crossing
    "lc_id": FieldSpec(("passage", "Przejazd", "OVERWEG_NR")),
    "barrier": FieldSpec(("barrieres", "Rogatki", "BOMEN")),
    "closure": FieldSpec(("duree-fermeture-s", "CzasZamkniecia_s", "SLUITTIJD_S"), space="log1p", floor=0.1,
                         target=True),
    "batt": FieldSpec(("tension-batterie-{u}", "NapiecieAkumulatora_{u}", "ACCU_{u}"), "lv", "lin", "down", 0.1,
                      target=True),
    "waiting": FieldSpec(("vehicules-attente", "PojazdyOczekujace", "WACHTENDE_VTG"), space="lin", floor=2.5),
    # crew log
    "crew": FieldSpec(("equipe", "Brygada", "PLOEG")),
    "text": FieldSpec(("observation", "Opis", "MELDING")),
    "work_min": FieldSpec(("duree-min", "CzasPracy_min", "DUUR_MIN"), space="lin", floor=5.0, target=True),
    # substation
    "sst_id": FieldSpec(("sous-station", "Podstacja", "ONDERSTATION")),
    "cat_v": FieldSpec(("tension-catenaire-{u}", "NapiecieSieci_{u}", "BOVENLEIDING_{u}"), "hv", "lin", "both", 10.0,
                       target=True),
    "feed_cur": FieldSpec(("courant-depart-a", "PradZasilacza_A", "VOEDING_A"), space="lin", floor=20.0, dec=1,
                          target=True),
    "trips": FieldSpec(("declenchements", "LiczbaWylaczen", "UITSCHAKELINGEN")),
    # rare kinds
    "axles_der": FieldSpec(("essieux-derailles", "OsieWykolejone", "ASSEN_ONTSPOORD"), space="lin"),
    "overrun": FieldSpec(("depassement-m", "Przejechanie_m", "DOORRIJ_M"), space="lin"),
    "km_from": FieldSpec(("pk-debut", "KmPoczatek", "KM_VAN"), space="lin", dec=3),
    "km_to": FieldSpec(("pk-fin", "KmKoniec", "KM_TOT"), space="lin", dec=3),
    "twist": FieldSpec(("gauche-mm", "Wichrowatosc_mm", "SCHEELLIGGING_MM"), space="lin", dec=1, nonneg=False),
    "gauge": FieldSpec(("ecartement-mm", "SzerokoscToru_mm", "SPOORWIJDTE_MM"), space="lin"),
    "qclass": FieldSpec(("classe-qualite", "KlasaJakosci", "KWALITEIT")),
    "track": FieldSpec(("voie-concernee", "Tor", "SPOORDEEL")),
    "t_start": FieldSpec(("debut", "Poczatek", "VAN")),
    "t_end": FieldSpec(("fin", "Koniec", "TOT")),
}

# ---- priority forms ---------------------------------------------------------------------------------------
PRIO_KEYS: dict[str, tuple[str, str, str]] = {
    "words": ("gravite", "Waznosc", "ERNST"),
    "level_up": ("niveau-alerte", "PoziomAlarmu", "ALARM_NIV"),
    "level_down": ("rang-priorite", "Priorytet", "PRIO"),
    "flag": ("urgent", "Pilne", "SPOED"),
    "colour": ("code-couleur", "KolorAlarmu", "KLEURCODE"),
    "code": ("categorie", "KategoriaZdarzenia", "CATEGORIE"),
}
_P5 = (0.0, 0.1, 0.4, 0.75, 1.0)
_P4 = (0.0, 0.1, 0.55, 1.0)
_CLS4 = (0, 1, 2, 2, 3)  # five severity classes onto a four-step scale
_PRIO_WORDS = (("information", "mineure", "significative", "majeure", "critique"),
               ("informacyjny", "niski", "średni", "wysoki", "krytyczny"),
               ("INFO", "LAAG", "MIDDEL", "HOOG", "KRITIEK"))
_COLOURS = (("vert", "jaune", "orange", "rouge"),
            ("zielony", "żółty", "pomarańczowy", "czerwony"),
            ("GROEN", "GEEL", "ORANJE", "ROOD"))
_CODES = (("cat. D", "cat. C", "cat. B", "cat. A"),
          ("C", "B2", "B1", "A2", "A1"),
          ("CAT D", "CAT C", "CAT B", "CAT A"))
#: Words inside free text that carry priority (matched case-sensitively).
TEXT_MARKERS = (("URGENT", 0.85), ("DANGER IMMÉDIAT", 1.0)), (("PILNE", 0.85), ("ZAGROŻENIE", 1.0)), \
    (("SPOED", 0.85), ("GEVAAR", 1.0))

# ---- vocabularies -----------------------------------------------------------------------------------------
_STATIONS = (
    ("Lyon-Perrache", "Dijon-Ville", "Chambéry", "Mâcon", "Ambérieu", "Bourg-en-Bresse", "Valence", "Culoz",
     "Vienne", "Annecy"),
    ("Kraków Płaszów", "Tarnów", "Katowice", "Zawiercie", "Częstochowa", "Kielce", "Radom", "Nowy Sącz",
     "Bochnia", "Oświęcim"),
    ("UTRECHT CS", "AMERSFOORT", "ZWOLLE", "DEVENTER", "APELDOORN", "EDE-WAGENINGEN", "ARNHEM", "GOUDA",
     "HILVERSUM", "MEPPEL"),
)
# canonical field -> (common values per dialect, rare value per dialect or None)
_CATS: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[str, str, str] | None]] = {
    "sig_event": ((("itinéraire tracé", "itinéraire détruit", "changement d'aspect", "contrôle lampe",
                    "enclenchement"),
                   ("ustawiono przebieg", "zwolniono przebieg", "zmiana wskazania", "kontrola światła",
                    "zamknięcie przebiegu"),
                   ("RIJWEG INGESTELD", "RIJWEG HERROEPEN", "BEELDWISSEL", "LAMPCONTROLE", "RIJWEG VASTGELEGD")),
                  None),
    "aspect": ((("carré", "sémaphore", "avertissement", "voie libre", "ralentissement 30", "rappel 60"),
                ("S1", "S2", "S3", "S4", "S5", "S10", "S13"),
                ("ROOD", "GEEL", "GROEN", "GEEL KNIPPER", "GROEN KNIPPER")),
               ("feu blanc de secours", "Sz", "WIT KNIPPER")),
    "dir": ((("pair", "impair"), ("parzysty", "nieparzysty"), ("OPLOPEND", "AFLOPEND")), None),
    "tc_state": ((("libre", "occupé"), ("wolny", "zajęty"), ("VRIJ", "BEZET")),
                 ("dérangement", "usterka", "STORING")),
    "pt_pos": ((("normale", "renversée"), ("plus", "minus"), ("RECHTS", "LINKS")),
               ("hors contrôle", "brak kontroli", "GEEN CONTROLE")),
    "status": ((("à l'heure", "retardé"), ("planowo", "opóźniony"), ("OP TIJD", "VERTRAAGD")),
               ("supprimé", "odwołany", "RIJDT NIET")),
    "barrier": ((("levées", "baissées", "en mouvement"), ("otwarte", "zamknięte", "w ruchu"),
                 ("OPEN", "DICHT", "BEWEGEND")),
                ("barrière arrachée", "drąg złamany", "BOOM AFGEREDEN")),
    "qclass": ((("QN1", "QN2", "QN3"), ("QN1", "QN2", "QN3"), ("QN1", "QN2", "QN3")), None),
    "track": ((("voie 1", "voie 2", "voie 1bis", "voie 3"), ("tor nr 1", "tor nr 2", "tor nr 3"),
               ("SPOOR A", "SPOOR B", "SPOOR 1", "SPOOR 2")), None),
}
_NO_FAULT = ("aucun", "brak", "GEEN")
_TRAIN_TYPES = (("TER", "TGV", "Intercités", "Fret"), ("IC", "TLK", "R", "EIC", "KS"), ())
_UNIT_SERIES = (("Z 27", "X 73", "B 82", "Z 24"), ("EN57-", "ED74-0", "EN76-0", "SM42-"),
                ("SLT ", "VIRM ", "ICM ", "SNG "))
_FAR_DESTS = (("Paris-Gare-de-Lyon", "Marseille-St-Charles", "Genève"),
              ("Warszawa Centralna", "Gdynia Główna", "Wrocław Główny"),
              ("SCHIPHOL AIRPORT", "DEN HAAG CS", "ENSCHEDE"))

_LOGS = (
    {"plain": ("Visite de {a} : graissage effectué, RAS.",
               "Contrôle de la voie au pk {km}, serrage des attaches, rien à signaler.",
               "Remplacement d'une lampe sur {a}, essai concluant.",
               "Désherbage entre pk {km} et pk {km2}, travail terminé.",
               "Mesure d'isolement sur {a} : {v} MΩ, conforme.",
               "Nettoyage des contacts de {a}, reprise du contrôle correcte."),
     "negated": ("Joint isolant à surveiller près de {a}, non urgent, à planifier.",
                 "Fissure de traverse au pk {km}, pas d'urgence, prévoir remplacement."),
     "urgent": ("URGENT : rail cassé constaté au pk {km}, ralentissement demandé.",
                "URGENT : {a} ne répond plus, équipe sur place."),
     "critical": ("DANGER IMMÉDIAT : affaissement de la voie au pk {km}, couper la circulation.",)},
    {"plain": ("Przegląd {a}: smarowanie wykonane, bez uwag.",
               "Kontrola toru w km {km}, dokręcono przytwierdzenia, bez usterek.",
               "Wymiana żarówki na {a}, próba pozytywna.",
               "Odśnieżanie rozjazdu w km {km}, zakończone.",
               "Pomiar izolacji {a}: {v} MΩ, w normie.",
               "Czyszczenie styków {a}, kontrola poprawna."),
     "negated": ("Luz na złączu przy {a}, niepilne, zaplanować naprawę.",
                 "Pęknięty podkład w km {km}, bez pośpiechu, wymienić w planie."),
     "urgent": ("PILNE: pęknięta szyna w km {km}, wprowadzić ograniczenie prędkości.",
                "PILNE: {a} nie reaguje, brygada na miejscu."),
     "critical": ("ZAGROŻENIE: podmycie nasypu w km {km}, wstrzymać ruch.",)},
    {"plain": ("Inspectie {a}: gesmeerd, geen bijzonderheden.",
               "Controle spoor bij km {km}, bevestigingen aangedraaid, in orde.",
               "Lamp vervangen in {a}, test geslaagd.",
               "Onkruid verwijderd tussen km {km} en km {km2}, werk gereed.",
               "Isolatiemeting {a}: {v} MΩ, conform.",
               "Contacten van {a} gereinigd, controle weer correct."),
     "negated": ("Las bij {a} in de gaten houden, geen spoed, inplannen.",
                 "Gescheurde dwarsligger bij km {km}, geen haast, meenemen in planning."),
     "urgent": ("SPOED: spoorstaafbreuk bij km {km}, snelheidsbeperking aangevraagd.",
                "SPOED: {a} reageert niet, ploeg ter plaatse."),
     "critical": ("GEVAAR: ondermijning baanlichaam bij km {km}, treinverkeer stilleggen.",)},
)
_DERAIL_TEXT = ("Déraillement d'un bogie en sortie de {a}.", "Wykolejenie wózka za {a}.",
                "Draaistel ontspoord na {a}.")
_POSSESSION_TEXT = ("Interception pour renouvellement de rails, {a}.", "Zamknięcie toru na wymianę szyn, {a}.",
                    "Buitendienststelling voor railvernieuwing, {a}.")


@dataclass(frozen=True, slots=True)
class Stat:
    """Robust centre and spread of one numeric field of one kind, in the field's space."""

    median: float
    spread: float
    space: str

    def k(self, v: float) -> float:
        """How many robust spreads ``v`` is from the median."""
        return abs(_to_space(v, self.space) - self.median) / self.spread


def _to_space(v: float, space: str) -> float:
    return math.log1p(max(v, 0.0)) if space == "log1p" else float(v)


def _from_space(y: float, space: str) -> float:
    return math.expm1(min(y, 60.0)) if space == "log1p" else y


def anomaly_strength(k: float) -> float:
    """0 below 5 robust spreads, then 0.4 and 0.12 more per spread, capped at 1."""
    if k < ANOMALY_START:
        return 0.0
    return min(1.0, 0.4 + 0.12 * (k - ANOMALY_START))


def _quantile(xs: list[float], q: float) -> float:
    pos = q * (len(xs) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _is_num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _weighted(rng: random.Random, items: list[tuple[Any, float]]) -> Any:
    total = sum(w for _, w in items)
    x = rng.random() * total
    for item, w in items:
        x -= w
        if x < 0:
            return item
    return items[-1][0]


@dataclass(slots=True)
class _Asset:
    ident: str | int
    origin: str
    p: dict[str, float] = field(default_factory=dict)
    seq: int = 0
    ctr: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Ev:
    ts: int
    order: int
    kind: str  # canonical
    origin: str
    fields: dict[str, Any]
    case: str
    src: _Ev | None = None
    importance: float = 0.0
    detail: str = ""


def _content_key(kind: str, fields: dict[str, Any]) -> tuple:
    return (kind, tuple(sorted((k, type(v).__name__, v) for k, v in fields.items())))


class RailWorkload:
    """A seeded railway world and its labeled record stream (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.seed = seed
        self.rng = rng
        self.dialect: str = rng.choice(DIALECTS)
        self.prio_mode: str = rng.choice(PRIORITY_MODES)
        d = self._d = _DI[self.dialect]
        self.units: dict[str, str] = {fam: rng.choice(tuple(units)) for fam, units in _UNITS.items()}
        # stations
        n_st = rng.randint(3, 6)
        names = rng.sample(_STATIONS[d], n_st)
        self.stations: list[str] = [PrivateKey(rng.randbytes(32)).peer_id for _ in range(n_st)]
        self.station_name: dict[str, str] = dict(zip(self.stations, names, strict=True))
        # kinds
        common = rng.sample(COMMON_KINDS, rng.randint(5, 8))
        if not any(k in PRIORITY_KINDS for k in common):
            common[rng.randrange(len(common))] = rng.choice(("signal", "points", "rollingstock", "crossing"))
        self.common: list[str] = common
        n_rare = rng.choice((1, 1, 2, 2, 3))
        rare = [rng.choice(NEVER_PRIORITY_RARE)]
        rare += rng.sample([k for k in RARE_KINDS if k != rare[0]], n_rare - 1)
        self.rare: list[str] = rare
        self.kinds: list[str] = common + rare
        self.kind_names: dict[str, str] = {k: KIND_NAMES[k][d] for k in self.kinds}
        self.kind_of: dict[str, str] = {v: k for k, v in self.kind_names.items()}
        self.weights: dict[str, float] = {k: rng.uniform(0.5, 2.0) for k in common}
        self.rare_prob: dict[str, float] = {k: rng.uniform(0.003, 0.007) for k in rare}
        self.prio_kinds: list[str] = [k for k in self.kinds if k in PRIORITY_KINDS]
        self.anomaly_rate = rng.uniform(0.025, 0.04)
        # keys
        self.keys: dict[str, str] = {}
        for c, spec in FIELDS.items():
            tmpl = spec.keys[d]
            if spec.unit:
                tmpl = tmpl.replace("{u}", _UNIT_TOKEN[self.units[spec.unit]][d])
            self.keys[c] = tmpl
        self.canon_of: dict[str, str] = {v: c for c, v in self.keys.items()}
        self.prio_key: str = PRIO_KEYS[self.prio_mode][d]
        self._prio_strength: dict[Any, float] = self._prio_table()
        # categorical vocabularies per world
        self.vocab: dict[str, list[tuple[str, float]]] = {}
        self.rare_values: dict[str, str] = {}  # canonical field -> its rare value
        self.rare_value_prob: dict[str, float] = {}
        for c, (commons, rare_v) in _CATS.items():
            vals = list(commons[d])
            if len(vals) > 3:
                vals = rng.sample(vals, rng.randint(3, len(vals)))
            self.vocab[c] = [(v, rng.uniform(0.3, 1.5)) for v in vals]
            if rare_v is not None:
                self.rare_values[c] = rare_v[d]
                self.rare_value_prob[c] = rng.uniform(0.004, 0.012)
        codes = {0: "DEF-{:04d}", 1: "B{:03d}", 2: "E{:03d}"}[d]
        picked = rng.sample(range(10, 990), 7)
        self.vocab["fault"] = [(_NO_FAULT[d], 6.0)] + [(codes.format(x), rng.uniform(0.2, 1.0)) for x in picked[:-1]]
        self.rare_values["fault"] = codes.format(picked[-1])
        self.rare_value_prob["fault"] = rng.uniform(0.004, 0.012)
        dests = list(_STATIONS[d]) + list(_FAR_DESTS[d])
        self.vocab["dest"] = [(v, rng.uniform(0.3, 1.5)) for v in rng.sample(dests, rng.randint(4, 7))]
        # world physics
        self.day_h = rng.uniform(1.5, 6.0)  # period of the ambient / daylight / load drift, hours of stream time
        self.day_phase = rng.random()
        self.led = rng.random() < 0.5  # LED or filament signal lamps
        self.stopped = rng.uniform(0.28, 0.4)  # share of position reports from standing trains
        self.occupancy = rng.uniform(0.3, 0.6)  # keeps both modes inside the quartiles
        self.catenary_v = {0: rng.choice((25000.0, 1500.0)), 1: 3000.0, 2: 1500.0}[d]
        self.battery_v = rng.choice((12.0, 24.0, 48.0))
        self._make_assets(rng)
        # robust statistics of the routine distribution, measured once
        self.stats: dict[str, dict[str, Stat]] = {}
        self._calibrate(random.Random(rng.getrandbits(64)))
        # stream state
        self._last_ts = 0
        self._order = 0
        self._news: deque[tuple[str, str, dict[str, Any]]] = deque(maxlen=64)
        self._seen: dict[tuple, None] = {}

    # ---- world construction -------------------------------------------------------------------------------
    def _prio_table(self) -> dict[Any, float]:
        d, mode = self._d, self.prio_mode
        if mode == "words":
            return {w: p for w, p in zip(_PRIO_WORDS[d], _P5, strict=True)}
        if mode == "level_up":
            return {i: _P5[i] for i in range(5)}
        if mode == "level_down":
            return {5 - i: _P5[i] for i in range(5)}
        if mode == "flag":
            return {False: 0.0, True: 0.85}
        if mode == "colour":
            return {c: p for c, p in zip(_COLOURS[d], _P4, strict=True)}
        scale = _P5 if len(_CODES[d]) == 5 else _P4
        return {c: p for c, p in zip(_CODES[d], scale, strict=True)}

    def _prio_value(self, cls: int) -> Any:
        d, mode = self._d, self.prio_mode
        if mode == "words":
            return _PRIO_WORDS[d][cls]
        if mode == "level_up":
            return cls
        if mode == "level_down":
            return 5 - cls
        if mode == "flag":
            return cls >= 2
        if mode == "colour":
            return _COLOURS[d][_CLS4[cls]]
        return _CODES[d][cls] if len(_CODES[d]) == 5 else _CODES[d][_CLS4[cls]]

    def _make_assets(self, rng: random.Random) -> None:
        d, st = self._d, self.stations
        self.assets: dict[str, list[_Asset]] = {}

        def add(kind: str, n: int, ident) -> None:
            used: set[str] = set()
            out = []
            while len(out) < n:
                i = ident()
                if str(i) in used:
                    continue
                used.add(str(i))
                out.append(_Asset(i, rng.choice(st), seq=rng.randrange(65536)))
            self.assets[kind] = out

        fmt = {"signal": ("C{}", "S{}", "{}"), "trackcircuit": ("CdV {}", "It{}", "{}T"),
               "axlecounter": ("CE-{}", "LO{}", "AT{}"), "points": ("Aig. {}", "Zwr. {}", "W{}"),
               "crossing": ("PN {}", "PK{}", "OW {}")}
        for kind, (lo, hi, a, b) in {"signal": (4, 10, 1, 399), "trackcircuit": (4, 10, 100, 999),
                                     "axlecounter": (3, 8, 1, 99), "points": (3, 9, 1, 299),
                                     "crossing": (2, 5, 1, 120)}.items():
            f = fmt[kind][d]
            add(kind, rng.randint(lo, hi), lambda f=f, a=a, b=b: f.format(rng.randint(a, b)))
        add("display", rng.randint(2, 6), lambda: ("voie {}", "Peron {}", "SPOOR {}")[d].format(
            str(rng.randint(1, 12)) + ("" if d == 1 else rng.choice(("", "a", "b") if d == 2 else ("", "A", "B")))))
        series = rng.sample(_UNIT_SERIES[d], 2)
        add("rollingstock", rng.randint(4, 10), lambda: f"{rng.choice(series)}{rng.randint(100, 999):03d}")
        add("crewlog", rng.randint(2, 4), lambda: ("équipe {}{}", "Brygada {}{}", "PLOEG {}{}")[d].format(
            rng.choice("ABCDEFGH"), rng.randint(1, 9)))
        add("substation", rng.randint(2, 4), lambda: ("SST {}", "PT {}", "OS {}")[d].format(rng.randint(1, 40)))
        types = _TRAIN_TYPES[d]
        if types:
            add("position", rng.randint(5, 12), lambda: f"{rng.choice(types)} {rng.randint(100, 9999)}")
        else:
            add("position", rng.randint(5, 12), lambda: rng.randint(700, 9999))
        # Assets of one kind share a world-wide level and differ by a few percent, so that no single asset
        # stands out of its kind's distribution by itself.
        lamp, vmax, clear = rng.uniform(0.16, 0.32) if self.led else rng.uniform(0.85, 1.3), rng.uniform(90, 160), \
            rng.uniform(0.6, 1.6)
        throw, cur, closure = rng.uniform(2.8, 5.5), rng.uniform(1.8, 4.2), rng.uniform(40, 120)
        trac, feed = rng.uniform(300, 900), rng.uniform(150, 450)
        for a in self.assets["signal"]:
            a.p["lamp"] = lamp * rng.gauss(1, 0.04)
        for a in self.assets["position"]:
            a.p.update(vmax=vmax * rng.gauss(1, 0.06), line=rng.uniform(40, 300))
        for a in self.assets["trackcircuit"]:
            a.p.update(clear=clear * rng.gauss(1, 0.04), freq=rng.choice((1700, 2000, 2300, 2600)))
        for a in self.assets["axlecounter"]:
            a.ctr["in"] = float(int(10 ** rng.uniform(4, 7)))
        for a in self.assets["points"]:
            a.p.update(throw=throw * rng.gauss(1, 0.04), cur=cur * rng.gauss(1, 0.05))
            a.ctr["throws"] = float(int(10 ** rng.uniform(3, 5.3)))
        for a in self.assets["display"]:
            a.p["platform"] = int(re.sub(r"\D", "", str(a.ident)))
        for a in self.assets["rollingstock"]:
            a.p.update(off=rng.gauss(0, 2), brake=rng.gauss(5.0, 0.02), trac=trac * rng.gauss(1, 0.05))
            a.ctr["odo"] = float(int(10 ** rng.uniform(4, 6.5)))
        for a in self.assets["crossing"]:
            a.p["closure"] = closure * rng.gauss(1, 0.08)
        for a in self.assets["substation"]:
            a.p["scale"] = feed * rng.gauss(1, 0.08)
            a.ctr["trips"] = float(rng.randint(0, 400))

    def _calibrate(self, rng: random.Random) -> None:
        period_ms = self.day_h * 3_600_000
        for kind in self.common:
            cols: dict[str, list[float]] = {}
            for _ in range(400):
                ts = int(rng.random() * period_ms)
                a = rng.choice(self.assets[kind])
                fields = self._render(self._gen(kind, a, rng, ts, advance=False))
                for key, v in fields.items():
                    if _is_num(v) and FIELDS[self.canon_of[key]].space:
                        cols.setdefault(key, []).append(float(v))
            out: dict[str, Stat] = {}
            for key, xs in cols.items():
                spec = FIELDS[self.canon_of[key]]
                ys = sorted(_to_space(x, spec.space) for x in xs)
                med = _quantile(ys, 0.5)
                mad = _quantile(sorted(abs(y - med) for y in ys), 0.5)
                iqr = _quantile(ys, 0.75) - _quantile(ys, 0.25)
                floor = spec.floor
                if spec.space == "lin" and spec.unit:
                    floor *= _UNITS[spec.unit][self.units[spec.unit]][0]
                out[key] = Stat(med, max(1.4826 * mad, iqr / 1.349, floor), spec.space)
            self.stats[kind] = out

    # ---- content --------------------------------------------------------------------------------------------
    def _cat(self, rng: random.Random, c: str) -> str:
        rare = self.rare_values.get(c)
        if rare is not None and rng.random() < self.rare_value_prob[c]:
            return rare
        return _weighted(rng, self.vocab[c])

    def _phase(self, ts: int) -> float:
        return 2 * math.pi * (ts / 3_600_000 / self.day_h + self.day_phase)

    def _gen(self, kind: str, a: _Asset, rng: random.Random, ts: int, advance: bool = True) -> dict[str, Any]:
        """Canonical fields of one routine record of ``kind`` from asset ``a`` (base units)."""
        d = self._d
        ph = self._phase(ts)
        cold = 0.5 - 0.5 * math.sin(ph)  # 0 at the warm peak, 1 at the cold trough
        site = self.station_name[a.origin]
        seq = a.seq
        if advance:
            a.seq = (a.seq + 1) % 65536
        if kind == "signal":
            return {"site": site, "seq": seq, "sig_id": a.ident, "sig_event": self._cat(rng, "sig_event"),
                    "aspect": self._cat(rng, "aspect"), "lamp_cur": a.p["lamp"] * (1 + rng.gauss(0, 0.03)),
                    "route": rng.randint(1, 48)}
        if kind == "position":
            stopped = rng.random() < self.stopped
            speed = 0.0 if stopped else max(3.0, rng.gauss(0.8 * a.p["vmax"], 0.1 * a.p["vmax"]))
            delay = 0 if rng.random() < 0.15 else int(rng.expovariate(1 / 90) + (
                60 * rng.paretovariate(1.5) if rng.random() < 0.1 else 0))
            return {"train": a.ident, "km": round(rng.uniform(0, a.p["line"]), 3), "speed": speed,
                    "delay_s": delay, "dir": self._cat(rng, "dir"), "gnss_err": rng.gammavariate(3.0, 1.5)}
        if kind == "trackcircuit":
            commons = _CATS["tc_state"][0][d]
            state = commons[1] if rng.random() < self.occupancy else commons[0]
            if rng.random() < self.rare_value_prob["tc_state"]:
                state = self.rare_values["tc_state"]
            if state == commons[0]:
                v = a.p["clear"] * (1 + rng.gauss(0, 0.04))
            elif state == commons[1]:
                v = rng.uniform(0.01, 0.08)
            else:
                v = rng.uniform(0.0, 0.3)
            return {"site": site, "seq": seq, "tc_id": a.ident, "tc_state": state, "rail_v": v,
                    "tc_freq": int(a.p["freq"])}
        if kind == "axlecounter":
            last = _weighted(rng, [(4, 1.0), (8, 2.0), (12, 1.0), (16, 1.5), (24, 1.0), (32, 0.8), (48, 0.5)])
            ctr_in = int(a.ctr["in"]) + last
            if advance:
                a.ctr["in"] = float(ctr_in)
            diff = rng.choice((-1, 1)) if rng.random() < 0.01 else 0
            return {"site": site, "seq": seq, "ac_id": a.ident, "ax_in": ctr_in, "ax_out": ctr_in - diff,
                    "ax_diff": diff, "ax_last": last}
        if kind == "points":
            throws = int(a.ctr["throws"]) + rng.randint(1, 3)
            if advance:
                a.ctr["throws"] = float(throws)
            return {"site": site, "seq": seq, "pt_id": a.ident, "pt_pos": self._cat(rng, "pt_pos"),
                    "throw_t": a.p["throw"] * (1 + 0.08 * cold + rng.gauss(0, 0.03)),
                    "motor_cur": a.p["cur"] * (1 + 0.1 * cold + rng.gauss(0, 0.04)), "throws": throws,
                    "heater": cold + rng.gauss(0, 0.1) > 0.6}
        if kind == "display":
            status = self._cat(rng, "status")
            ontime = status == _CATS["status"][0][d][0]
            delay = 0 if ontime else int(rng.gammavariate(2.0, 2.5)) + 1
            if status == self.rare_values["status"]:
                delay = 0
            dest = _weighted(rng, self.vocab["dest"])
            return {"disp_id": a.ident, "platform": int(a.p["platform"]), "dest": dest, "status": status,
                    "delay_min": delay, "bright": max(50, int(1500 + 1100 * math.sin(ph) + rng.gauss(0, 80))),
                    "pix": _poisson(rng, 0.4)}
        if kind == "rollingstock":
            odo = int(a.ctr["odo"] + rng.uniform(2, 40))
            if advance:
                a.ctr["odo"] = float(odo)
            ambient = 12 + 10 * math.sin(ph)
            trac = 0.0 if rng.random() < 0.3 else a.p["trac"] * rng.uniform(0.2, 1.0)
            return {"unit": a.ident, "axle_t": ambient + 18 + a.p["off"] + rng.gauss(0, 3),
                    "brake_p": a.p["brake"] + rng.gauss(0, 0.03), "trac_cur": trac,
                    "fault": self._cat(rng, "fault"), "odo": odo}
        if kind == "crossing":
            barrier = self._cat(rng, "barrier")
            closed = barrier == _CATS["barrier"][0][d][1]
            return {"site": site, "seq": seq, "lc_id": a.ident, "barrier": barrier,
                    "closure": int(rng.lognormvariate(math.log(a.p["closure"]), 0.35)),
                    "batt": self.battery_v * (1.05 + 0.02 * math.sin(ph + 1.0)) + rng.gauss(0, 0.004 * self.battery_v),
                    "waiting": _poisson(rng, 3.0) if closed else _poisson(rng, 0.3)}
        if kind == "crewlog":
            logs = _LOGS[d]
            u = rng.random()
            group = "critical" if u < 0.015 else "urgent" if u < 0.055 else "negated" if u < 0.13 else "plain"
            others = [x for k in ("signal", "points", "trackcircuit", "crossing") if k in self.common
                      for x in self.assets[k] if x.origin == a.origin]
            ref = str(rng.choice(others).ident) if others else site
            km = rng.uniform(0, 250)
            text = rng.choice(logs[group]).format(a=ref, km=f"{km:.3f}", km2=f"{km + rng.uniform(0.2, 3):.3f}",
                                                  v=rng.randint(5, 900))
            return {"site": site, "crew": a.ident, "text": text,
                    "work_min": max(5, int(rng.lognormvariate(math.log(45), 0.45))), "km": round(km, 3)}
        if kind == "substation":
            trips = int(a.ctr["trips"]) + (1 if rng.random() < 0.02 else 0)
            if advance:
                a.ctr["trips"] = float(trips)
            return {"site": site, "seq": seq, "sst_id": a.ident,
                    "cat_v": self.catenary_v * (1 + 0.03 * math.sin(ph * 3) + rng.gauss(0, 0.01)),
                    "feed_cur": rng.gammavariate(2.0, a.p["scale"]), "trips": trips}
        return self._gen_rare(kind, a, rng)

    def _gen_rare(self, kind: str, a: _Asset, rng: random.Random) -> dict[str, Any]:
        d = self._d
        site = self.station_name[a.origin]
        train = rng.choice(self.assets["position"]).ident
        near = [x for k in ("signal", "points") for x in self.assets[k] if x.origin == a.origin]
        ref = str(rng.choice(near).ident) if near else site
        km = round(rng.uniform(0, 250), 3)
        if kind == "derailment":
            return {"site": site, "train": train, "km": km, "axles_der": rng.randint(1, 8),
                    "speed": rng.uniform(5, 60), "text": _DERAIL_TEXT[d].format(a=ref)}
        if kind == "spad":
            sig = rng.choice(self.assets["signal"]).ident
            return {"site": site, "sig_id": sig, "train": train, "overrun": int(rng.expovariate(1 / 40)) + 2,
                    "speed": rng.uniform(5, 40)}
        if kind == "geometry":
            return {"site": site, "km_from": km, "km_to": round(km + rng.uniform(0.5, 8), 3),
                    "twist": round(rng.gauss(3, 1.5), 1), "gauge": int(rng.gauss(1436, 2)),
                    "qclass": _weighted(rng, [(v, 1.0) for v in _CATS["qclass"][0][d]])}
        start = f"{rng.choice((21, 22, 23, 0)):02d}:{rng.choice(('00', '10', '30', '45'))}"
        end = f"0{rng.randint(3, 5)}:{rng.choice(('00', '15', '30', '50'))}"
        return {"site": site, "track": self._cat(rng, "track"), "t_start": start, "t_end": end,
                "text": _POSSESSION_TEXT[d].format(a=f"pk {km}" if d == 0 else f"km {km}")}

    def _render(self, canon: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c, v in canon.items():
            spec = FIELDS[c]
            if spec.unit and _is_num(v):
                fac, off, dec = _UNITS[spec.unit][self.units[spec.unit]]
                v = v * fac + off
                v = int(round(v)) if dec is None else round(v, dec)
            elif isinstance(v, float) and spec.space:
                v = int(round(v)) if spec.dec is None else round(v, spec.dec)
            out[self.keys[c]] = v
        return out

    def _decimals(self, key: str) -> int | None:
        spec = FIELDS[self.canon_of[key]]
        if spec.unit:
            return _UNITS[spec.unit][self.units[spec.unit]][2]
        return spec.dec

    def _round(self, key: str, v: float) -> int | float:
        dec = self._decimals(key)
        return int(round(v)) if dec is None else round(v, dec)

    # ---- truth ----------------------------------------------------------------------------------------------
    def anomaly_k(self, kind: str, fields: dict[str, Any]) -> float:
        """Largest number of robust spreads any scored numeric field is from its kind's median."""
        st = self.stats.get(kind)
        if not st:
            return 0.0
        return max((st[k].k(float(v)) for k, v in fields.items() if k in st and _is_num(v)), default=0.0)

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """Explicit priority in [0, 1]: the world's priority field, or priority words in a crew log."""
        p = 0.0
        if kind in PRIORITY_KINDS and self.prio_key in fields:
            v = fields[self.prio_key]
            if type(v) is bool or self.prio_mode != "flag":
                p = self._prio_strength.get(v, 0.0)
        if kind == "crewlog":
            text = fields.get(self.keys["text"], "")
            if isinstance(text, str):
                p = max([p] + [s for w, s in TEXT_MARKERS[self._d] if w in text])
        return p

    def rarity_of(self, kind: str, fields: dict[str, Any]) -> tuple[float, float]:
        """(rarity, rare-kind strength): 0.5 for a rare kind, 0.45 for a designated rare value."""
        rk = RARE_KIND_STRENGTH if kind in self.rare else 0.0
        rv = 0.0
        for c, val in self.rare_values.items():
            if fields.get(self.keys[c]) == val and not isinstance(val, bool):
                rv = RARE_VALUE_STRENGTH
        return max(rk, rv), rk

    def score(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        """Importance and detail of a routine record of canonical ``kind`` with rendered ``fields``."""
        a = anomaly_strength(self.anomaly_k(kind, fields))
        p = self.priority_of(kind, fields)
        r, rk = self.rarity_of(kind, fields)
        return noisy_or(BASE, 0.9 * a, 0.9 * p, r), main_reason(0.9 * a, 0.9 * p, r, rk)

    # ---- records --------------------------------------------------------------------------------------------
    def _draw_cls(self, rng: random.Random) -> int:
        u = rng.random()
        return 0 if u < 0.85 else 1 if u < 0.935 else 2 if u < 0.965 else 3 if u < 0.985 else 4

    def _fields(self, kind: str, a: _Asset, ts: int, cls: int | None = None) -> dict[str, Any]:
        rng = self.rng
        fields = self._render(self._gen(kind, a, rng, ts))
        if kind in PRIORITY_KINDS:
            if cls is None:
                cls = rng.choice((3, 4, 4)) if kind in ALWAYS_PRIORITY_RARE else self._draw_cls(rng)
            fields[self.prio_key] = self._prio_value(cls)
        return fields

    def _inject(self, kind: str, fields: dict[str, Any]) -> bool:
        """Push one target number 6-16 robust spreads from its kind's median."""
        rng = self.rng
        st = self.stats.get(kind, {})
        targets = [k for k in fields if k in st and FIELDS[self.canon_of[k]].target]
        if not targets:
            return False
        key = rng.choice(targets)
        spec, s = FIELDS[self.canon_of[key]], st[key]
        for _ in range(12):
            # log-space fields explode quickly: keep them within a few orders of magnitude
            m = rng.uniform(5.8, 8.0) if s.space == "log1p" else rng.uniform(6.0, 12.0)
            sign = {"up": 1, "down": -1}.get(spec.dirn) or rng.choice((-1, 1))
            y = s.median + sign * m * s.spread
            v = _from_space(y, s.space)
            if spec.nonneg and v < 0:
                v = _from_space(s.median + m * s.spread, s.space)
            v = self._round(key, v)
            if abs(v) < 1e15 and s.k(float(v)) >= 5.5:
                fields[key] = v
                if self.canon_of[key] == "ax_diff":  # the counts disagree by the reported difference
                    fields[self.keys["ax_out"]] = fields[self.keys["ax_in"]] - v
                return True
        return False

    def _pick_kind(self) -> str:
        rng = self.rng
        u = rng.random()
        for k, p in self.rare_prob.items():
            if u < p:
                return k
            u -= p
        return _weighted(rng, list(self.weights.items()))

    def _routine(self, ts: int, batch_keys: dict[tuple, None]) -> _Ev:
        rng = self.rng
        for _ in range(20):
            kind = self._pick_kind()
            a = _Asset("", rng.choice(self.stations)) if kind in self.rare else rng.choice(self.assets[kind])
            fields = self._fields(kind, a, ts)
            if kind in self.common and rng.random() < self.anomaly_rate:
                self._inject(kind, fields)
            key = _content_key(kind, fields)
            if key not in batch_keys and key not in self._seen:
                batch_keys[key] = None
                return self._ev(ts, kind, a.origin, fields, "routine")
        raise RuntimeError("could not draw a fresh routine record")  # pragma: no cover

    def _ev(self, ts: int, kind: str, origin: str, fields: dict[str, Any], case: str, src: _Ev | None = None) -> _Ev:
        self._order += 1
        return _Ev(ts, self._order, kind, origin, fields, case, src)

    def _burst_head(self, ts: int, batch_keys: dict[tuple, None]) -> tuple[_Ev, _Asset] | None:
        rng = self.rng
        kinds = [k for k in self.common if k != "crewlog"]
        for _ in range(20):
            kind = rng.choice(kinds)
            a = rng.choice(self.assets[kind])
            if kind in PRIORITY_KINDS and rng.random() < 0.45:
                fields = self._fields(kind, a, ts, cls=rng.choice((2, 3, 4)))
            else:
                fields = self._fields(kind, a, ts)
                self._inject(kind, fields)
            imp, detail = self.score(kind, fields)
            key = _content_key(kind, fields)
            if detail in ("anomaly", "priority") and key not in batch_keys and key not in self._seen:
                batch_keys[key] = None
                return self._ev(ts, kind, a.origin, fields, "burst_head"), a
        return None

    def _tail_fields(self, head: _Ev, j: int) -> dict[str, Any]:
        rng = self.rng
        out = dict(head.fields)
        seq_key, bright_key = self.keys["seq"], self.keys["bright"]
        if seq_key in out:
            out[seq_key] = (out[seq_key] + j) % 65536
        for key, v in head.fields.items():
            c = self.canon_of.get(key)
            if c is None or not _is_num(v) or not (FIELDS[c].target or c in ("km", "bright")):
                continue
            nv = self._round(key, v * (1 + rng.gauss(0, 0.012)))
            if FIELDS[c].space == "log1p" or self._decimals(key) is None:
                nv = int(nv)
            out[key] = nv
        if bright_key in out:  # a display has no telegram number: its luminance creeps instead
            out[bright_key] = head.fields[bright_key] + j
        return out

    def _near_copy(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        ids = {self.keys[c] for c in ("sig_id", "tc_id", "ac_id", "pt_id", "disp_id", "unit", "lc_id", "crew",
                                      "sst_id", "train")}
        cats = {self.keys[c] for c in ("sig_event", "aspect", "dir", "tc_state", "pt_pos", "status", "barrier",
                                       "fault", "dest", "site", "track")}
        text_key = self.keys["text"]
        for _ in range(30):
            out = dict(fields)
            for _ in range(rng.choice((1, 1, 2))):
                key = rng.choice(list(out))
                v = out[key]
                c = self.canon_of.get(key, "")
                spec = FIELDS.get(c)
                if isinstance(v, float) and spec is not None and spec.space == "lin":
                    dec = self._decimals(key)
                    if rng.random() < 0.5 and dec:
                        out[key] = round(v, max(0, dec - 2))
                    else:
                        out[key] = self._round(key, v * (1 + rng.uniform(-0.006, 0.006)))
                elif isinstance(v, int) and not isinstance(v, bool) and c in FIELDS and FIELDS[c].target:
                    out[key] = v + rng.choice((-1, 1)) * max(1, int(abs(v) * 0.004))
                elif isinstance(v, str) and key in ids:
                    out[key] = _retype(v, rng)
                elif isinstance(v, str) and key in cats:
                    out[key] = rng.choice((v.upper(), v.lower(), v.title(), _strip_accents(v)))
                elif isinstance(v, str) and key == text_key:
                    out[key] = _retext(v, rng)
            if out != fields:
                return out
        out = dict(fields)  # a last resort: a number nudged by one unit of its last decimal
        key = next((k for k, v in out.items() if _is_num(v)), None)
        if key is not None:
            out[key] = out[key] + 1
        else:  # pragma: no cover - every kind carries a number
            k0 = next(iter(out))
            out[k0] = str(out[k0]) + " "
        return out

    def _record(self, ev: _Ev) -> Record:
        return Record.create(self.kind_names[ev.kind], ev.origin, ev.ts, ev.fields)

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` labeled records in time order, none before ``now_ms`` nor before the previous batch."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        rng = self.rng
        t0 = max(int(now_ms), self._last_ts)
        # plan the batch
        n_bursts = sum(1 for _ in range(max(1, round(n / 64))) if rng.random() < 0.4) if n >= 24 else 0
        tails = [2 + int(38 * rng.random() ** 2.2) for _ in range(n_bursts)]
        n_dup = round(n * rng.uniform(0.025, 0.055))
        n_near = round(n * rng.uniform(0.025, 0.055))
        n_resend = min(len(self._news), round(n * rng.uniform(0.002, 0.012)))
        budget = n - max(1, (n + 1) // 2)  # at most half the batch is not fresh
        while n_bursts + sum(tails) + n_dup + n_near + n_resend > budget:
            if tails and sum(tails) >= max(n_dup, n_near, n_resend):
                if tails[-1] > 2:
                    tails[-1] -= 1
                else:
                    tails.pop()
                    n_bursts -= 1
            elif n_dup >= max(n_near, n_resend) and n_dup:
                n_dup -= 1
            elif n_near >= n_resend and n_near:
                n_near -= 1
            else:
                n_resend -= 1
        n_primary = n - sum(tails) - n_dup - n_near - n_resend
        head_slots = set(rng.sample(range(n_primary), n_bursts)) if n_bursts else set()
        batch_keys: dict[tuple, None] = {}
        primary: list[_Ev] = []
        extra: list[_Ev] = []
        t = t0
        tail_plan: list[tuple[_Ev, _Asset, int]] = []
        for i in range(n_primary):
            t += int(rng.expovariate(1 / 900))
            made = None
            if i in head_slots:
                made = self._burst_head(t, batch_keys)
                if made is not None:
                    tail_plan.append((made[0], made[1], tails[len(tail_plan)]))
                    primary.append(made[0])
                    continue
            primary.append(self._routine(t, batch_keys))
        lost = sum(tails[len(tail_plan):])  # heads that could not be drawn: their tails become routine
        for _ in range(lost):
            t += int(rng.expovariate(1 / 900))
            primary.append(self._routine(t, batch_keys))
        t_end = t
        for head, _a, k in tail_plan:
            period = rng.uniform(150, 2500)
            ts = head.ts
            for j in range(1, k + 1):
                ts += max(1, int(period * rng.uniform(0.9, 1.1)))
                for _ in range(50):
                    fields = self._tail_fields(head, j)
                    key = _content_key(head.kind, fields)
                    if key not in batch_keys:
                        break
                batch_keys[key] = None
                extra.append(self._ev(ts, head.kind, head.origin, fields, "burst_tail", head))
        news = [e for e in primary if self.score(e.kind, e.fields)[1]]
        for case, count in (("dup", n_dup), ("near_dup", n_near)):
            for _ in range(count):
                src = rng.choice(news) if news and rng.random() < 0.35 else rng.choice(primary)
                other = [s for s in self.stations if s != src.origin]
                if rng.random() < 0.5:
                    origin = rng.choice(other)
                    ts = src.ts + (0 if case == "dup" and rng.random() < 0.5 else rng.randint(1, 2000))
                else:
                    origin, ts = src.origin, src.ts + rng.randint(1, 4000)
                fields = dict(src.fields) if case == "dup" else self._near_copy(src.kind, src.fields)
                extra.append(self._ev(ts, src.kind, origin, fields, case, src))
        past = list(self._news)
        for _ in range(n_resend):
            kind, origin, fields = rng.choice(past)
            extra.append(self._ev(rng.randint(t0, max(t0, t_end)), kind, origin, dict(fields), "resend"))
        events = sorted(primary + extra, key=lambda e: (e.ts, e.order))
        # truth
        for e in events:
            if e.case in ("routine", "burst_head"):
                e.importance, e.detail = self.score(e.kind, e.fields)
        for e in events:
            if e.case == "burst_tail":
                e.importance = min(0.02, 0.1 * e.src.importance)
            elif e.case == "dup":
                e.importance = 0.05 * e.src.importance
            elif e.case == "near_dup":
                e.importance = 0.1 * e.src.importance
            elif e.case == "resend":
                e.importance = 0.01
        index = {e.order: i for i, e in enumerate(events)}
        out = [LabeledRecord(self._record(e), e.importance, e.case, index[e.src.order] if e.src else -1, e.detail)
               for e in events]
        # stream state
        self._last_ts = max(self._last_ts, events[-1].ts)
        for e in events:
            if e.case in ("routine", "burst_head") and e.importance >= 0.3:
                self._news.append((e.kind, e.origin, dict(e.fields)))
            self._seen[_content_key(e.kind, e.fields)] = None
        while len(self._seen) > 200_000:
            del self._seen[next(iter(self._seen))]
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """(record, importance) pairs: :meth:`next_labeled` without the labels."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]


def _strip_accents(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch)).replace("ł", "l")


def _retype(s: str, rng: random.Random) -> str:
    """The same code typed by someone else: separators, case or zero padding changed."""
    opts = []
    if " " in s:
        opts += [s.replace(" ", "", 1), s.replace(" ", "-", 1)]
    if "." in s:
        opts.append(s.replace(".", "", 1))
    if "-" in s:
        opts.append(s.replace("-", " ", 1))
    if s != s.lower():
        opts.append(s.lower())
    if s != s.upper():
        opts.append(s.upper())
    if re.search(r"\d", s):
        opts.append(re.sub(r"(\d+)", lambda m: "0" + m.group(1), s, count=1))
    return rng.choice(opts) if opts else s + "."


def _retext(s: str, rng: random.Random) -> str:
    """The same log typed again: accents dropped, a unit spelled differently, punctuation or case changed."""
    opts = [_strip_accents(s), s.rstrip(".") if s.endswith(".") else s + ".", s.replace(", ", " - ", 1)]
    if "MΩ" in s:
        opts.append(s.replace("MΩ", "Mohm"))
    if " km " in s:
        opts.append(s.replace(" km ", " km. ", 1))
    opts = [o for o in opts if o != s] or [s + " "]
    return rng.choice(opts)
