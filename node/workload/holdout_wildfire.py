"""Held-out family ``wildfire``: wildland fire watch and suppression operations. Used ONLY by evaluation.

Theory of operation
-------------------
A thirteenth held-out family, written blind: nobody tunes the model on it,
and it shares no code path, name, distribution or vocabulary with the
training generators or the other held-out families. Only the truth helpers
(:func:`noisy_or`, :func:`main_reason`, :func:`tail_importance`,
``ROUTINE_FLOOR``) and :class:`LabeledRecord` are shared, because the
definition of importance is shared. Training never imports this module
(tests/node/test_holdout_wildfire.py checks ``sys.modules``).

One seed is one world: a fire agency's operations network whose nodes (3-10
peer ids, the ``origins``: regional coordination centres, a satellite and
lightning ingest) carry telemetry and paperwork. A world draws, from one
``random.Random``:

- a dialect (below), which names every kind, field, categorical value and
  identifier, picks the units and writes every free-text note;
- 4-6 common kinds, at least one of which carries priority, and 1-3 rare
  kinds (each 0.2-1.2% of the fresh records);
- one of eight priority encodings (``prio_mode``, field ``prio_key``);
- its setting: climate (temperature, humidity), a latitude/longitude box, the
  ids of its stations, towers, appliances, aircraft, incidents and sensors,
  each ingested through one origin (Zipf: a few centres carry most);
- case rates, a mean gap between records (0.6-12 s), whether the stream
  arrives in clumps, and how far back copies reach.

Dialects
--------
- ``au``: Australian English (rural fire services). Kinds PascalCase
  (``FireWeatherObs``), fields Title_Snake (``Wind_Kmh``, ``FFDI``); km/h,
  hectares, the McArthur forest fire danger index.
- ``gl``: Galician (the Xunta de Galicia's forest fire service, which works in
  Galician; not one of lexicon v5's languages). Kinds ``area:thing``
  (``meteo:estacion``), fields snake_case without diacritics (``vento_ms``);
  wind in m/s, hectares, the Canadian FWI; values and notes with diacritics
  ("non é urxente").
- ``rm``: Romansh (Rumantsch Grischun, as the canton of Graubünden writes its
  forest-fire notices; in no lexicon version). Kinds kebab-case
  (``rapport-incendi``), fields camelCase (``ventKmh``); burnt area in square
  metres, the Swiss five-step hazard words (``privel pitschen`` ..
  ``privel fitg grond``), only helicopters, a Keetch-Byram drought index
  that climbs batch by batch through a dry spell.

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``wx`` fire weather station (temperature* normal, humidity bounded
and tied to temperature, wind* log-normal with gusts only above 20 km/h,
von Mises direction, zero-inflated rain, danger index, battery volts
saturating at float charge); ``cam`` smoke camera or lookout (bearing,
range, plume size* log-normal, bimodal detector confidence, class, a frame
counter per tower); ``hot`` satellite hotspot (Pareto fire radiative
power*, brightness temperature*, confidence l/n/h, pixel size); ``crew``
appliance status (status, water litres saturating at tank capacity, crew on
board, hours on shift* triangular, fuel); ``air`` aviation sortie (drops
counter, litres per drop multimodal by aircraft type, turnaround*
log-normal, flight hours); ``inc`` incident situation report (area*
log-normal with a very heavy tail, status, resources assigned* Poisson,
cause, note); ``aq`` smoke air quality (PM2.5* log-normal, visibility
saturating, an index derived from PM2.5); ``log`` radio log (operator,
channel, sequence counter, note); ``req`` resource request (type, quantity*,
nearest resource distance, note); ``lgt`` lightning stroke (peak current*
signed and bimodal, multiplicity, error ellipse); ``fuel`` fuel moisture
sensor (moisture* log-normal, low is the anomaly; water table depth
random-walking per sensor; soil temperature). Rare: ``burnover`` (a crew
entrapped, always with raised priority), ``pyrocb`` (pyrocumulonimbus
observed), ``arson`` (suspicious ignition report), ``ditch`` (aircraft
mishap). Rare categorical values (visible flame on a camera, an appliance
crew sheltering, fireworks as a cause) appear in about 1.2% of their kinds'
records.

Priority encodings (carried by ``inc``, ``log``, ``req`` and ``burnover``)
-------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 86% at 0);
the world's form writes it, and the truth is read back from what is written:

- ``words``: a five-word scale per dialect (Nil / Community Info / Advice /
  Watch and Act / Emergency Warning; ordinario / baixo / medio / alto /
  extremo; biasa / rendah / sederhana / tinggi / kecemasan);
- ``text``: no field; an urgency phrase in the note (four levels), and
  routine notes that often say outright that nothing is pressing;
- ``code``: incident level codes, coarser than the steps (``L1``-``L3``;
  ``IGP0``-``IGP3``, the Galician potential-severity index; ``TAHAP I``-``III``);
- ``dispatch``: a descending dispatch code 1..9 (7-9 routine, 5-6 -> 0.25,
  4 -> 0.5, 2-3 -> 0.75, 1 -> 1.0);
- ``score``: an ascending threat score 0.0-10.0 (below 4 routine, then
  bands at 4, 6, 7.5 and 9);
- ``eta``: minutes until the fire reaches houses, small is pressing (9999
  or 360 and more routine, then bands below 360, 180, 60 and 20);
- ``flag``: a boolean "escalate"; True (steps 3-4) has strength 0.9;
- ``bits``: an integer status word whose bits 5-7 hold the step, the other
  bits radio / GPS / pump / battery state and a per-world firmware nibble.

Cases and truth (docs/attention.md, "The definition (issue 3)")
----------------------------------------------------------------
Routine records and burst heads, from their content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` (see
:meth:`WildfireWorkload.score`); anomaly = 0 below 4.5 spreads, else
``min(1, 0.35 + 0.1 * (k - 4.5))`` where k is the largest distance of an
anomaly-prone number from its (kind, field) median in spreads (central 95%
width / 3.92 of the world's own rendered routine values, estimated when the
world is made, in log space for positive heavy-tailed fields); routine
values are redrawn while 4 or more spreads off, an anomaly (1.5-3.5% of
fresh records) puts one number 4.5-11 spreads off, in the field's physical
direction and bounds. Rarity 0.5 for a rare kind, 0.45 for a rare value.
``detail = main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``.

An exact copy (the same message relayed by another centre, or re-delivered)
keeps 5% of its source; a near copy (an operator's re-entry: a number
re-rounded, a word re-typed without accents, an id re-spaced; never the
priority field) 10%; a burst (a camera re-triggering on one plume, a station
in alarm-rate logging, a radio call repeated) has a head carrying the news
and 2-40 tails from the same origin with drifting numbers and counters
stepping, worth ``tail_importance(head)``; a re-send of an earlier batch's
news keeps 1% of it (2% through another origin). Copy sources are drawn by
importance and recency. Bursts run on their own clock and interleave with
the stream; a batch never ends inside a burst.

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import random
import unicodedata
from dataclasses import dataclass
from typing import TypeVar

from node.workload.domains import (
    LabeledRecord,
    tail_importance,
)
from node.workload.holdout_stream import routine_truth
from protocol.keys import PrivateKey
from protocol.record import Record

__all__ = [
    "ALWAYS_PRIORITY_RARE",
    "COMMON_KINDS",
    "DIALECTS",
    "PRIORITY_KINDS",
    "PRIORITY_MODES",
    "RARE_KINDS",
    "WildfireWorkload",
]

_T = TypeVar("_T")

DIALECTS = ("au", "gl", "rm")
PRIORITY_MODES = ("words", "text", "code", "dispatch", "score", "eta", "flag", "bits")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
ROUTINE_STEPS = (0.86, 0.05, 0.04, 0.03, 0.02)  # a priority kind's fresh record: step 0..4

COMMON_KINDS = ("wx", "cam", "hot", "crew", "air", "inc", "aq", "log", "req", "lgt", "fuel")
PRIORITY_KINDS = frozenset({"inc", "log", "req"})
RARE_KINDS = ("burnover", "pyrocb", "arson", "ditch")
ALWAYS_PRIORITY_RARE = frozenset({"burnover"})
_NOTE_KINDS = frozenset({"inc", "log", "req", "burnover", "arson"})
_COUNTERS = frozenset({"frame", "seq", "drops"})  # step by one per burst tail

_KIND_NAMES = {
    "au": {"wx": "FireWeatherObs", "cam": "SmokeCamDetection", "hot": "SatHotspot", "crew": "ApplianceStatus",
           "air": "AviationSortie", "inc": "IncidentSitrep", "aq": "SmokeAirQuality", "log": "RadioLog",
           "req": "ResourceRequest", "lgt": "LightningStroke", "fuel": "FuelMoisture", "burnover": "Burnover",
           "pyrocb": "PyroCbObservation", "arson": "SuspiciousIgnition", "ditch": "AircraftMishap"},
    "gl": {"wx": "meteo:estacion", "cam": "vixilancia:deteccion", "hot": "satelite:foco_calor",
           "crew": "medios:estado_brigada", "air": "medios:descarga_aerea", "inc": "incendio:parte",
           "aq": "aire:calidade", "log": "central:rexistro_radio", "req": "medios:solicitude", "lgt": "meteo:raio",
           "fuel": "combustible:humidade", "burnover": "incidencia:atrapamento", "pyrocb": "meteo:pirocumulo",
           "arson": "investigacion:intencionado", "ditch": "incidencia:aeronave"},
    "rm": {"wx": "observaziun-meteo", "cam": "camera-fim", "hot": "punct-chaud-satellit", "crew": "status-vehichel",
           "air": "missiun-aviatica", "inc": "rapport-incendi", "aq": "qualitad-aria", "log": "protocol-radio",
           "req": "dumonda-resursas", "lgt": "culp-da-chametg", "fuel": "umiditad-combustibel",
           "burnover": "squadra-circumdada", "pyrocb": "nivel-pirocumulus", "arson": "incendi-apposta",
           "ditch": "incident-aviun"},
}

_FIELD_NAMES = {
    "au": {"stn": "Station", "temp": "Air_Temp_C", "rh": "Rel_Hum_Pct", "wind": "Wind_Kmh", "gust": "Gust_Kmh",
           "wdir": "Wind_Dir_Deg", "rain": "Rain_Mm", "idx": "FFDI", "batt": "Batt_V", "tower": "Tower",
           "bearing": "Bearing_Deg", "dist": "Range_Km", "plume": "Plume_Px", "conf": "Confidence", "cls": "Class",
           "frame": "Frame_No", "sat": "Satellite", "lat": "Lat", "lon": "Lon", "frp": "FRP_MW",
           "bt": "Bright_Temp_K", "hconf": "Conf_Cat", "scan": "Pixel_Km", "dn": "Day_Night", "unit": "Appliance",
           "status": "Status", "water": "Water_L", "crew_n": "Crew_On_Board", "hrs": "Hours_On_Shift",
           "fuel_pct": "Fuel_Pct", "callsign": "Callsign", "atype": "Aircraft_Type", "drops": "Drops_Today",
           "lpd": "Litres_Per_Drop", "turn": "Turnaround_Min", "fhrs": "Flight_Hrs", "incid": "Incident_No",
           "place": "Locality", "area": "Area_Ha", "istatus": "Fire_Status", "units_n": "Resources_Assigned",
           "cause": "Cause", "note": "Comments", "site": "Monitor_Site", "pm25": "PM25_Ugm3",
           "vis": "Visibility_Km", "aqi": "AQI", "op": "Operator", "ch": "Channel", "seq": "Log_Seq",
           "rtype": "Resource_Type", "qty": "Qty", "rdist": "Nearest_Km", "ka": "Peak_Current_KA",
           "mult": "Multiplicity", "ell": "Error_Ellipse_Km", "sensor": "Sensor", "moist": "Fuel_Moisture_Pct",
           "wt": "Water_Table_Cm", "soilt": "Soil_Temp_C", "injured": "Injured", "shelter": "Shelter_Deployed",
           "top": "Cloud_Top_Km", "strikes": "Strike_Count", "devices": "Devices_Found", "reason": "Reason",
           "souls": "Souls_On_Board"},
    "gl": {"stn": "estacion", "temp": "temperatura_c", "rh": "humidade_rel", "wind": "vento_ms",
           "gust": "refacho_ms", "wdir": "direccion_vento", "rain": "choiva_mm", "idx": "fwi", "batt": "bateria_v",
           "tower": "posto_vixilancia", "bearing": "azimut", "dist": "distancia_km", "plume": "columna_px",
           "conf": "confianza", "cls": "clase", "frame": "fotograma", "sat": "satelite", "lat": "latitude",
           "lon": "lonxitude", "frp": "potencia_mw", "bt": "temp_brillo_k", "hconf": "confianza_cat",
           "scan": "pixel_km", "dn": "dia_noite", "unit": "medio", "status": "estado", "water": "auga_l",
           "crew_n": "persoal", "hrs": "horas_quenda", "fuel_pct": "combustible_pct", "callsign": "indicativo",
           "atype": "tipo_aeronave", "drops": "descargas", "lpd": "litros_descarga", "turn": "rotacion_min",
           "fhrs": "horas_voo", "incid": "parte", "place": "parroquia", "area": "superficie_ha",
           "istatus": "situacion", "units_n": "medios_asignados", "cause": "causa", "note": "observacions",
           "site": "estacion_aire", "pm25": "pm25", "vis": "visibilidade_km", "aqi": "ica", "op": "operador",
           "ch": "canle", "seq": "secuencia", "rtype": "tipo_medio", "qty": "cantidade",
           "rdist": "distancia_medio_km", "ka": "intensidade_ka", "mult": "multiplicidade", "ell": "elipse_km",
           "sensor": "sensor", "moist": "humidade_combustible", "wt": "nivel_freatico_cm", "soilt": "temp_solo_c",
           "injured": "feridos", "shelter": "abrigo_despregado", "top": "cima_nube_km", "strikes": "raios",
           "devices": "artefactos", "reason": "motivo", "souls": "ocupantes"},
    "rm": {"stn": "staziun", "temp": "temperaturaC", "rh": "umiditadRelativa", "wind": "ventKmh",
           "gust": "sbuffKmh", "wdir": "direcziunVent", "rain": "plievgiaMm", "idx": "kbdi", "batt": "batteriaV",
           "tower": "postObservaziun", "bearing": "azimut", "dist": "distanzaKm", "plume": "grondezzaFimPx",
           "conf": "fidanza", "cls": "classa", "frame": "numerMaletg", "sat": "satellit", "lat": "latitudo",
           "lon": "longitudo", "frp": "forzaRadiativaMw", "bt": "temperaturaClerezzaK", "hconf": "categoriaFidanza",
           "scan": "pixelKm", "dn": "diNotg", "unit": "vehichel", "status": "status", "water": "auaLiters",
           "crew_n": "persunas", "hrs": "urasServetsch", "fuel_pct": "carburantPct", "callsign": "indicativ",
           "atype": "tipAviun", "drops": "svidadas", "lpd": "litersPerSvidada", "turn": "turnusMin",
           "fhrs": "urasSgol", "incid": "numerIncident", "place": "vischnanca", "area": "surfatschaM2",
           "istatus": "situaziun", "units_n": "resursasEngaschadas", "cause": "chaschun", "note": "remartgas",
           "site": "staziunAria", "pm25": "pm25", "vis": "vesibilitadKm", "aqi": "indexAria", "op": "operatur",
           "ch": "chanal", "seq": "numerSequenza", "rtype": "tipResursa", "qty": "quantitad",
           "rdist": "distanzaResursaKm", "ka": "currentaMaxKa", "mult": "multiplicitad", "ell": "ellipsaErrurKm",
           "sensor": "sensor", "moist": "umiditadCombustibel", "wt": "nivelAuaSutterranaCm",
           "soilt": "temperaturaTerrenC", "injured": "blessads", "shelter": "refugiDuvra", "top": "altezzaNivelKm",
           "strikes": "dumbraChametgs", "devices": "objectsChattads", "reason": "motiv", "souls": "persunasABord"},
}

_PRIO_KEYS = {
    "words": ("Alert_Level", "nivel_alerta", "gradPrivel"),
    "code": ("AIIMS_Level", "igp", "stgalimAlarm"),
    "dispatch": ("Dispatch_Code", "codigo_despacho", "codeDisposiziun"),
    "score": ("Threat_Score", "puntuacion_ameaza", "puntsSmanatscha"),
    "eta": ("Mins_To_Assets", "minutos_ata_vivendas", "minutasFinChasas"),
    "flag": ("Escalate", "pedir_reforzo", "dumandarRinforz"),
    "bits": ("Status_Word", "palabra_estado", "pledStatus"),
}

# Decimals of each measured (float) field as rendered; 0 renders an int. Per-dialect unit changes below.
_DECIMALS = {"temp": 1, "rh": 0, "wind": 0, "gust": 0, "wdir": 0, "rain": 1, "idx": 1, "batt": 2, "bearing": 1,
             "dist": 1, "plume": 0, "conf": 2, "lat": 4, "lon": 4, "frp": 1, "bt": 1, "scan": 2, "water": 0,
             "hrs": 1, "fuel_pct": 0, "lpd": 0, "turn": 0, "fhrs": 1, "area": 2, "pm25": 1, "vis": 1, "rdist": 1,
             "ka": 1, "ell": 2, "moist": 1, "wt": 0, "soilt": 1, "top": 1}
_CONVERT = {"gl": {"wind": (1 / 3.6, 1), "gust": (1 / 3.6, 1)},  # m/s
            "rm": {"area": (10000.0, 0), "idx": (1.0, 0)}}  # square metres; the drought index is an integer
# Anomaly-prone fields: semantic name -> (space, direction, physical bounds in semantic units).
_ANOMALOUS: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "wx": {"temp": ("lin", 1, -30.0, 60.0), "wind": ("log", 1, 0.5, 250.0)},
    "cam": {"plume": ("log", 1, 1.0, 2e6)},
    "hot": {"frp": ("log", 1, 0.1, 50000.0), "bt": ("lin", 1, 250.0, 500.0)},
    "crew": {"hrs": ("lin", 1, 0.0, 48.0)},
    "air": {"turn": ("log", 1, 1.0, 1440.0)},
    "inc": {"area": ("log", 1, 0.01, 1e6), "units_n": ("lin", 1, 1.0, 300.0)},
    "aq": {"pm25": ("log", 1, 0.5, 3000.0)},
    "log": {},
    "req": {"qty": ("lin", 1, 1.0, 40.0)},
    "lgt": {"ka": ("lin", 0, -450.0, 450.0)},
    "fuel": {"moist": ("log", -1, 0.5, 400.0)},
}

# -- the dialects' words ---------------------------------------------------------------------
_SCALE_WORDS = {"au": ("Nil", "Community Info", "Advice", "Watch and Act", "Emergency Warning"),
                "gl": ("ordinario", "baixo", "medio", "alto", "extremo"),
                "rm": ("privel pitschen", "privel moderà", "privel considerabel", "privel grond", "privel fitg grond")}
# Level codes: (value, strength); step -> code index.
_CODES = {"au": (("L1", 0.0), ("L2", 0.5), ("L3", 1.0)),
          "gl": (("IGP0", 0.0), ("IGP1", 0.5), ("IGP2", 0.75), ("IGP3", 1.0)),
          "rm": (("A1", 0.0), ("A2", 0.5), ("A3", 1.0))}
_CODE_OF_STEP = {"au": (0, 0, 1, 1, 2), "gl": (0, 0, 1, 2, 3), "rm": (0, 0, 1, 1, 2)}
_DISPATCH = {1: 1.0, 2: 0.75, 3: 0.75, 4: 0.5, 5: 0.25, 6: 0.25, 7: 0.0, 8: 0.0, 9: 0.0}
_DISPATCH_OF_STEP = (((7, 8, 9), (0.2, 0.4, 0.4)), ((5, 6), (0.5, 0.5)), ((4,), (1.0,)), ((2, 3), (0.4, 0.6)),
                     ((1,), (1.0,)))
_SCORE_BANDS = ((0, 39), (40, 59), (60, 74), (75, 89), (90, 100))  # tenths
_ETA_BANDS = ((360, 4000), (180, 359), (60, 179), (20, 59), (2, 19))
_ETA_NONE = 9999  # no houses threatened

_URGENT = {  # steps 1..4, inside a note (text mode) and nowhere else
    "au": ("have a look when you can", "need another tanker out today", "need help asap, fire is running",
           "EMERGENCY!! fire front hitting homes"),
    "gl": ("revisar cando se poida", "convén mandar reforzo hoxe", "precísase axuda axiña, o lume avanza",
           "URXENTE!! o lume está chegando ás casas"),
    "rm": ("controllar cur ch'i va", "duvrain anc ina squadra oz", "duvrain agid svelt, il fieu sa derasa",
           "URGENT!! il fieu tanscha las chasas"),
}
_CALM = {
    "au": ("not urgent", "no rush", "can wait till morning", "nothing pressing"),
    "gl": ("non é urxente", "sen présa", "pode agardar a mañá", "nada urxente"),
    "rm": ("betg urgent", "nagina prescha", "po spetgar fin damaun", "nagut da grev"),
}
_NOTES = {
    "au": ("{unit} mopping up on the {place} edge", "control line holding west of {place}",
           "small spot-over near {place}, contained by {unit}", "{unit} refilling at the {place} dam",
           "light smoke sighted from {place} tower", "hazard reduction burn at {place} going to plan",
           "crew change at {hh}00, {n} on the new shift", "blacking out along {place} Rd",
           "track into {place} blocked by fallen timber", "heli returned to {place} base",
           "all quiet around {place}", "patrol of the {place} fireground, nothing showing",
           "backburn along {place} Rd lit and holding", "{unit} staged at {place} showground"),
    "gl": ("{unit} rematando o perímetro en {place}", "liña de defensa pechada no monte de {place}",
           "pequeno reacendemento en {place}, xa controlado por {unit}", "{unit} collendo auga no encoro de {place}",
           "fume branco visto dende o posto de {place}", "queima agrícola autorizada en {place}",
           "cambio de quenda ás {hh}:00, entran {n} persoas", "vixilancia de rescaldos en {place}",
           "pista forestal de {place} cortada por árbores caídas", "helicóptero de volta á base de {place}",
           "sen novidade na zona de {place}", "patrulla polo monte de {place}, non se ve lume",
           "contralume preparado na estrada de {place}", "{unit} agardando en {place}"),
    "rm": ("{unit} stizza las restanzas a {place}", "la lingia da defensiun tegna sur {place}",
           "pitschen fieu renaschì a {place}, gia sut controlla", "{unit} emplenescha aua al lai da {place}",
           "fim alv vesì dal post da {place}", "brischament autorisà a {place}",
           "midada da squadra a las {hh}:00, {n} persunas", "survegliaziun da la zona arsa a {place}",
           "la via forestala a {place} è bloccada da plantas crudadas", "helicopter turnà a la basa da {place}",
           "nagut da nov a {place}", "patruglia en il guaud da {place}, nagin fieu",
           "favugn ferm en la val da {place}", "{unit} spetga a {place}"),
}
_REQ_NOTES = {
    "au": ("for the {place} fireground", "to relieve {unit}", "water supply for {place} staging",
           "{unit} needs a swap, pump playing up", "night shift cover at {place}"),
    "gl": ("para o lume de {place}", "para substituír a {unit}", "auga para o punto de encontro de {place}",
           "{unit} ten a bomba avariada", "reforzo de noite en {place}"),
    "rm": ("per l'incendi a {place}", "per remplazzar {unit}", "aua per il punct da rimnada a {place}",
           "{unit} ha ina pumpa defecta", "rinforz per la notg a {place}"),
}
_ARSON_NOTES = {
    "au": ("accelerant smell near {place} Rd", "witness saw a ute leaving {place}",
           "three ignition points along {place} Rd"),
    "gl": ("cheiro a gasolina preto de {place}", "un veciño viu un coche saíndo de {place}",
           "tres focos seguidos na pista de {place}"),
    "rm": ("odur da benzin datiers da {place}", "in vischin ha vis in auto che bandunava {place}",
           "trais focus in suenter l'auter sin la via da {place}"),
}
_BURNOVER_NOTES = {
    "au": ("{unit} crew sheltering in the cab at {place}", "{unit} burnt over near {place}"),
    "gl": ("{unit} atrapada polo lume en {place}", "persoal de {unit} refuxiado no camión en {place}"),
    "rm": ("{unit} circumdà dal fieu a {place}", "la squadra da {unit} è serrada en dal fieu a {place}"),
}
_PLACES = {
    "au": ("Bega", "Cobargo", "Tathra", "Batlow", "Tumbarumba", "Mallacoota", "Kinglake", "Marysville", "Dunalley",
           "Wandandian", "Mogo", "Bargo", "Yanchep", "Esperance", "Lobethal", "Kangaroo Valley"),
    "gl": ("Laza", "Verín", "Viana do Bolo", "Cualedro", "Chandrexa", "Trives", "O Courel", "Folgoso",
           "Carballeda", "Oímbra", "Vilariño de Conso", "Manzaneda", "Baltar", "Lobios", "Entrimo", "Muíños"),
    "rm": ("Scuol", "Zernez", "Sent", "Ftan", "Müstair", "Valchava", "Tschlin", "Ramosch", "Savognin", "Casti",
           "Breil", "Mustér", "Trun", "Glion", "Flem", "Zuoz"),
}
_STATUS = {"au": ("Available", "Responding", "On Scene", "Returning", "Refilling"),
           "gl": ("dispoñible", "en camiño", "no lume", "regreso", "repostando"),
           "rm": ("disponibel", "en viadi", "sin plazza", "turnond", "emplenond")}
_FIRE_STATUS = {"au": ("Going", "Being Controlled", "Under Control", "Out"),
                "gl": ("activo", "estabilizado", "controlado", "extinguido"),
                "rm": ("activ", "stabilisà", "sut controlla", "stizzà")}
_CAUSES = {"au": ("lightning", "escaped burn", "machinery", "arson", "unknown", "powerline"),
           "gl": ("intencionado", "neglixencia", "raio", "queima agrícola", "descoñecida", "maquinaria"),
           "rm": ("chametg", "negligientscha", "fieu da grillar", "cigaretta", "viafier", "nunenconuschent")}
_CLASSES = {"au": ("smoke", "cloud", "dust", "haze", "fog"),
            "gl": ("fume", "nube", "po", "néboa", "calima"),
            "rm": ("fim", "nivel", "pulvra", "tschajera", "vapur")}
_RARE_VALUES = {"au": {"cls": "flame", "status": "Sheltering", "cause": "fireworks"},
                "gl": {"cls": "lapa", "status": "refuxiada", "cause": "foguetes"},
                "rm": {"cls": "flomma", "status": "en refugi", "cause": "fieus artifizials"}}
_RTYPES = {"au": ("Cat 1 tanker", "dozer", "strike team", "heli", "catering", "bulk water"),
           "gl": ("brigada", "motobomba", "pesada", "helicóptero", "técnico", "cisterna"),
           "rm": ("autopumpa", "helicopter", "squadra da pumpiers", "pumpa mobila", "cisterna",
                  "maschina da construcziun")}
_AIRCRAFT = {  # type -> litres per drop range
    "au": (("Heli Type 1", 2500, 9500), ("Heli Type 3", 400, 1000), ("LAT", 11000, 15000), ("SEAT", 2500, 3100)),
    "gl": (("helicóptero lixeiro", 900, 1200), ("Kamov", 4000, 4500), ("avión anfibio", 5500, 6100),
           ("avión de carga en terra", 3000, 3100)),
    "rm": (("helicopter Super Puma", 1900, 2500), ("helicopter AS350", 600, 900), ("helicopter K-Max", 2200, 2600)),
}
_REASONS = {"au": ("engine chip light", "bird strike", "hydraulic", "precautionary"),
            "gl": ("avaría motor", "impacto de ave", "hidráulico", "precaución"),
            "rm": ("alarm motor", "collisiun cun in utschè", "hidraulica", "precauziun")}
_OPERATORS = {"au": ("J. Nguyen", "K. Walsh", "R. Singh", "T. O'Brien", "M. Papadopoulos", "S. Taylor", "L. Clarke"),
              "gl": ("Xoán", "Uxía", "Breogán", "Antía", "Brais", "Iria", "Lois", "Sabela"),
              "rm": ("Gian", "Curdin", "Ladina", "Flurina", "Men", "Seraina", "Duri", "Mengia")}
_SATS = {"au": ("NOAA-20", "S-NPP", "NOAA-21", "Himawari-9", "Aqua", "Terra"),
         "gl": ("NOAA-20", "S-NPP", "NOAA-21", "MTG-I1", "Aqua", "Terra"),
         "rm": ("NOAA-20", "S-NPP", "NOAA-21", "MTG-I1", "Aqua", "Terra")}
_RETYPE = {"au": (("Road", "Rd"), (" Rd", " Road"), ("tanker", "tkr"), ("crew", "crw")),
           "gl": (("brigada", "brig."), ("motobomba", "MB"), ("helicóptero", "heli")),
           "rm": (("squadra", "sq."), ("helicopter", "heli"), ("vehichel", "veh."), ("autopumpa", "TLF"))}
_REGION = {"au": ((-38.0, -28.5), (144.5, 153.0)), "gl": ((41.9, 43.6), (-9.1, -6.9)),
           "rm": ((46.25, 46.85), (9.0, 10.45))}
_CLIMATE = {"au": (24.0, 36.0), "gl": (17.0, 30.0), "rm": (13.0, 26.0)}  # world mean temperature range


@dataclass(slots=True)
class Spread:
    """A (kind, field)'s routine centre and spread in rendered units (log space when ``space == "log"``)."""

    space: str
    direction: int
    center: float
    spread: float
    lo: float  # physical bounds, rendered units
    hi: float


@dataclass(slots=True)
class _Item:
    kind: str
    origin: int
    t: float
    fields: dict[str, object]
    case: str
    importance: float
    ref: int = -1
    detail: str = ""


@dataclass(slots=True)
class _Burst:
    head: int
    item: _Item
    left: int
    period: float
    n: int = 0


class WildfireWorkload:
    """A held-out wildfire-operations world (see the module docstring). Deterministic in ``seed``."""

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-wildfire:{seed}")
        self.dialect: str = r.choice(DIALECTS)
        self._d = d = DIALECTS.index(self.dialect)
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self.prio_key: str | None = None if self.prio_mode == "text" else _PRIO_KEYS[self.prio_mode][d]
        while True:
            common = r.sample(COMMON_KINDS, r.randint(4, 6))
            if PRIORITY_KINDS & set(common):
                break
        self.common: tuple[str, ...] = tuple(sorted(common, key=COMMON_KINDS.index))
        self.rare: tuple[str, ...] = tuple(sorted(r.sample(RARE_KINDS, r.randint(1, 3)), key=RARE_KINDS.index))
        self.weights = {k: r.uniform(0.6, 3.0) * (1.6 if k in ("hot", "wx", "log") else 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.002, 0.012) for k in self.rare}
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-wildfire-node:{seed}:{i}".encode()).digest()).peer_id
            for i in range(r.randint(3, 10))]
        self._origin_cum = list(itertools.accumulate((i + 1) ** -0.8 for i in range(len(self.origins))))
        self.feed_origin = r.randrange(len(self.origins))  # the satellite and lightning ingest
        self.mean_gap = r.choice((600.0, 1500.0, 4000.0, 12000.0))
        self.clumpy = r.random() < 0.35
        self.burst_period = r.uniform(0.02, 0.15)
        self.copy_memory = r.uniform(15.0, 150.0)
        self.rates = {"dup": r.uniform(0.035, 0.07), "near": r.uniform(0.07, 0.12), "burst": r.uniform(0.006, 0.014),
                      "resend": r.uniform(0.01, 0.02)}
        self.anomaly_rate = r.uniform(0.02, 0.04)
        self.keys: dict[str, str] = dict(_FIELD_NAMES[self.dialect])
        self.kind_of: dict[str, str] = {v: k for k, v in _KIND_NAMES[self.dialect].items()}
        self._rare_values = frozenset(_RARE_VALUES[self.dialect].values())
        self._zipf: dict[tuple[int, float], list[float]] = {}
        self._batch = 0
        self._make_world(r, seed)
        fixed = {"ch", "frame", "seq", "drops", "crew_n", "units_n", "qty", "aqi", "mult", "injured", "strikes",
                 "devices", "souls"}
        self._measured = frozenset(self.keys[k] for k in _DECIMALS)
        conv = _CONVERT.get(self.dialect, {})
        self._dec = {self.keys[k]: conv.get(k, (1.0, dec))[1] for k, dec in _DECIMALS.items()}
        self._signed = frozenset(self.keys[k] for k in ("temp", "soilt", "ka", "wt", "lat", "lon"))
        self._jitter = {self.keys[k]: sd for k, sd in (("lat", 0.002), ("lon", 0.002), ("bearing", 0.4),
                                                       ("wdir", 4.0))}
        self._bounded = {self.keys[k]: b for k, b in (("rh", (4, 100)), ("conf", (0.0, 1.0)),
                                                      ("fuel_pct", (0, 100)), ("bearing", (0.0, 359.9)),
                                                      ("wdir", (0, 359)))}
        self._fixed = frozenset({self.keys[k] for k in fixed} | ({self.prio_key} if self.prio_key else set()))
        self.stats: dict[str, dict[str, Spread]] = self._estimate_spreads()
        self._sent: list[tuple[str, int, dict[str, object], float]] = []  # earlier batches' news, for re-sends
        self._last_ts = 0

    # -- the world ---------------------------------------------------------------------------
    def _make_world(self, r: random.Random, seed: int) -> None:
        d = self.dialect
        places = list(_PLACES[d])
        r.shuffle(places)
        self.places = places[: r.randint(8, 16)]
        self.temp0 = r.uniform(*_CLIMATE[d])
        self.wind0 = r.uniform(9.0, 18.0)
        self.wind_dir0 = r.uniform(0.0, 2 * math.pi)
        self.idx0 = {"au": r.uniform(8.0, 30.0), "gl": r.uniform(6.0, 25.0), "rm": r.uniform(60.0, 300.0)}[d]
        self.area0 = r.uniform(1.0, 8.0)
        self.pm0 = r.uniform(8.0, 35.0) * (0.6 if d == "rm" else 1.0)
        (la0, la1), (lo0, lo1) = _REGION[d]
        self.lat0, self.lon0 = r.uniform(la0, la1), r.uniform(lo0, lo1)
        self.yy = r.choice(("24", "25", "26"))
        self.firmware = r.randrange(16) << 8

        def n(lo: int, hi: int) -> int:
            return r.randint(lo, hi)

        if d == "au":
            self.stations = [f"{p} AWS" for p in self.places[: n(3, 8)]]
            self.units = sorted({f"{r.choice(self.places)} {r.choice(('1', '2', 'Cat 1', 'Cat 7', 'Tanker'))}"
                                 for _ in range(n(6, 20))})
            self.aircraft = sorted({f"{r.choice(('Bomber', 'Helitack', 'Firebird'))} {n(200, 399)}"
                                    for _ in range(n(3, 9))})
            self.incidents = [f"RFS-{self.yy}-{n(1, 99999):05d}" for _ in range(n(15, 60))]
            self.sensors = [f"FMS-{i:03d}" for i in r.sample(range(1, 400), n(3, 12))]
        elif d == "gl":
            self.stations = list(self.places[: n(3, 8)])
            self.units = sorted({r.choice((f"BRIF-{n(1, 30)}", f"MB-{n(1, 90)}", f"BRIF {r.choice(self.places)}"))
                                 for _ in range(n(6, 20))})
            self.aircraft = sorted({r.choice((f"Kamov 0{n(1, 9)}", f"Heli {r.choice(self.places)}",
                                              f"Anfibio 4{n(1, 9)}")) for _ in range(n(3, 9))})
            self.incidents = [f"IF{self.yy}/{n(1, 9999):04d}" for _ in range(n(15, 60))]
            self.sensors = [f"HC-{i:02d}" for i in r.sample(range(1, 99), n(3, 12))]
        else:
            self.stations = list(self.places[: n(3, 8)])
            self.units = sorted({r.choice((f"TLF {r.choice(self.places)}", f"PP-{n(1, 60)}",
                                           f"Pumpiers {r.choice(self.places)} {n(1, 3)}"))
                                 for _ in range(n(6, 20))})
            self.aircraft = sorted({r.choice((f"T-3{n(11, 37)}", f"HB-Z{r.choice('ABCDEFGHJKLMNPRSTUVW')}"
                                              f"{r.choice('ABCDEFGHJKLMNPRSTUVW')}")) for _ in range(n(3, 9))})
            self.incidents = [f"GR-{self.yy}-{n(1, 9999):04d}" for _ in range(n(15, 60))]
            self.sensors = [f"UM-{i:02d}" for i in r.sample(range(1, 99), n(3, 12))]
        self.incident_place = {i: r.choice(self.places) for i in self.incidents}
        self.tank = {u: r.choice((1000, 1800, 2000, 3000, 3500, 4000)) for u in self.units}
        self.atype = {a: r.choice(_AIRCRAFT[d]) for a in self.aircraft}
        self.operators = list(_OPERATORS[d])
        self.channels = sorted(r.sample(range(1, 99), n(3, 7)))
        # Every entity is ingested through one origin (a few origins carry most).
        entities = [*self.places, *self.stations, *self.units, *self.aircraft, *self.operators, *self.sensors]
        self._origin_of = {e: self._zipf_origin() for e in entities}
        self._frame = {p: r.randint(0, 90000) for p in self.places}
        self._seq = {o: r.randint(0, 5000) for o in self.operators}
        self._drops = {a: 0 for a in self.aircraft}
        self._wt = {s: r.uniform(-60.0, -10.0) for s in self.sensors}

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _pick(self, seq: list[_T], alpha: float = 1.0) -> _T:
        """Zipf-like choice (rank weight 1 / rank^alpha): a few entities dominate."""
        cum = self._zipf.get((len(seq), alpha))
        if cum is None:
            cum = self._zipf[(len(seq), alpha)] = list(itertools.accumulate(
                (i + 1) ** -alpha for i in range(len(seq))))
        return self._r.choices(seq, cum_weights=cum)[0]

    def _estimate_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of every anomaly-prone rendered field, from routine draws."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            sample = [self._render(self._draw(kind, live=False)[0]) for _ in range(600)]
            out[kind] = {}
            for sem, (space, direction, lo, hi) in _ANOMALOUS[kind].items():
                key = self.keys[sem]
                xs = sorted(_to_space(float(f[key]), space) for f in sample)  # type: ignore[arg-type]
                p025, p975 = xs[int(0.025 * len(xs))], xs[int(0.975 * len(xs)) - 1]
                spread = max((p975 - p025) / 3.92, 0.05 if space == "log" else 0.5)
                factor = self._factor(sem)
                out[kind][key] = Spread(space, direction, xs[len(xs) // 2], spread, lo * factor, hi * factor)
        return out

    def _factor(self, sem: str) -> float:
        return _CONVERT.get(self.dialect, {}).get(sem, (1.0, 0))[0]

    # -- drawing ---------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        """Routine semantic fields of one record (floats in semantic units) and its origin."""
        r, d = self._r, self.dialect
        f: dict[str, object] = {}
        origin = -1
        if kind == "wx":
            stn = self._pick(self.stations, 0.6)
            origin = self._origin_of[stn]
            f["stn"] = stn
            temp = self.temp0 + r.gauss(0.0, 3.5)
            f["temp"] = temp
            f["rh"] = min(100.0, max(4.0, (92.0 if d == "rm" else 95.0) - 2.1 * (temp - 12.0) + r.gauss(0.0, 8.0)))
            wind = math.exp(r.gauss(math.log(self.wind0), 0.42))
            f["wind"] = wind
            if wind > 20.0:
                f["gust"] = wind * r.uniform(1.3, 1.8)
            f["wdir"] = math.degrees(r.vonmisesvariate(self.wind_dir0, 2.0)) % 360.0
            f["rain"] = 0.0 if r.random() < 0.82 else r.expovariate(1 / 2.5)
            if d == "rm":  # the Keetch-Byram drought index climbs through a dry spell
                f["idx"] = min(800.0, self.idx0 + 4.0 * self._batch + r.gauss(0.0, 5.0))
            else:
                f["idx"] = math.exp(r.gauss(math.log(self.idx0), 0.5))
            f["batt"] = 13.8 if r.random() < 0.55 else r.uniform(12.2, 13.8)
        elif kind == "cam":
            tower = self._pick(self.places, 0.8)
            origin = self._origin_of[tower]
            f["tower"] = tower
            f["bearing"] = r.uniform(0.0, 360.0)
            f["dist"] = math.exp(r.gauss(math.log(9.0), 0.5))
            f["plume"] = math.exp(r.gauss(math.log(400.0), 0.7))
            f["conf"] = r.betavariate(2, 6) if r.random() < 0.55 else r.betavariate(8, 2)
            f["cls"] = r.choices(_CLASSES[d], (0.45, 0.2, 0.15, 0.12, 0.08))[0]
            if live:
                self._frame[tower] += r.randint(1, 40)
            f["frame"] = self._frame[tower]
        elif kind == "hot":
            origin = self.feed_origin
            f["sat"] = r.choice(_SATS[d])
            f["lat"] = self.lat0 + r.gauss(0.0, 0.35)
            f["lon"] = self.lon0 + r.gauss(0.0, 0.5)
            f["frp"] = 1.5 * r.paretovariate(1.5)
            f["bt"] = r.gauss(333.0, 11.0)
            f["hconf"] = r.choices(("l", "n", "h"), (0.25, 0.6, 0.15))[0]
            f["scan"] = r.uniform(0.38, 0.8)
            f["dn"] = r.choice(("D", "N"))
        elif kind == "crew":
            unit = self._pick(self.units, 0.7)
            origin = self._origin_of[unit]
            f["unit"] = unit
            f["status"] = r.choices(_STATUS[d], (0.35, 0.15, 0.3, 0.12, 0.08))[0]
            cap = self.tank[unit]
            f["water"] = float(cap) if r.random() < 0.5 else r.uniform(0.0, cap)
            f["crew_n"] = min(8, max(2, int(round(r.gauss(4.5, 1.0)))))
            f["hrs"] = r.triangular(0.0, 12.0, 3.0)
            f["fuel_pct"] = r.uniform(15.0, 100.0)
        elif kind == "air":
            cs = self._pick(self.aircraft, 0.8)
            origin = self._origin_of[cs]
            atype, lo, hi = self.atype[cs]
            f["callsign"] = cs
            f["atype"] = atype
            if live:
                self._drops[cs] += 1
            f["drops"] = self._drops[cs]
            f["lpd"] = r.uniform(lo, hi)
            f["turn"] = math.exp(r.gauss(math.log(18.0), 0.35))
            f["fhrs"] = r.uniform(0.2, 7.5)
        elif kind == "inc":
            incid = self._pick(self.incidents, 1.0)
            place = self.incident_place[incid]
            origin = self._origin_of[place]
            f["incid"] = incid
            f["place"] = place
            f["area"] = max(0.01, math.exp(r.gauss(math.log(self.area0), 1.2)))
            f["istatus"] = r.choices(_FIRE_STATUS[d], (0.3, 0.3, 0.25, 0.15))[0]
            f["units_n"] = 1 + _poisson(r, 2.5)
            f["cause"] = r.choice(_CAUSES[d])
            f["note"] = self._note(place)
        elif kind == "aq":
            site = self._pick(self.places, 0.9)
            origin = self._origin_of[site]
            f["site"] = site
            pm = math.exp(r.gauss(math.log(self.pm0), 0.55))
            f["pm25"] = pm
            f["vis"] = min(20.0, 400.0 / pm * r.uniform(0.8, 1.2))
            f["aqi"] = int(round(pm * 2.1))
        elif kind == "log":
            op = r.choice(self.operators)
            origin = self._origin_of[op]
            f["op"] = op
            f["ch"] = r.choice(self.channels)
            if live:
                self._seq[op] += 1
            f["seq"] = self._seq[op]
            f["note"] = self._note(r.choice(self.places))
        elif kind == "req":
            incid = self._pick(self.incidents, 1.0)
            place = self.incident_place[incid]
            origin = self._origin_of[place]
            f["incid"] = incid
            f["rtype"] = r.choice(_RTYPES[d])
            f["qty"] = 1 + _poisson(r, 0.9)
            f["rdist"] = math.exp(r.gauss(math.log(25.0), 0.6))
            f["note"] = r.choice(_REQ_NOTES[d]).format(unit=r.choice(self.units), place=place)
        elif kind == "lgt":
            origin = self.feed_origin
            f["lat"] = self.lat0 + r.gauss(0.0, 0.45)
            f["lon"] = self.lon0 + r.gauss(0.0, 0.6)
            if r.random() < 0.85:
                f["ka"] = -math.exp(r.gauss(math.log(18.0), 0.45))
            else:
                f["ka"] = math.exp(r.gauss(math.log(30.0), 0.5))
            f["mult"] = 1 + min(14, int(r.expovariate(0.6)))
            f["ell"] = math.exp(r.gauss(math.log(0.3), 0.5))
        elif kind == "fuel":
            sensor = r.choice(self.sensors)
            origin = self._origin_of[sensor]
            f["sensor"] = sensor
            f["moist"] = math.exp(r.gauss(math.log(12.0), 0.3))
            wt = self._wt[sensor] + r.gauss(-0.15, 0.6)
            wt = min(5.0, max(-120.0, wt))
            if live:
                self._wt[sensor] = wt
            f["wt"] = wt
            f["soilt"] = self.temp0 - 3.0 + r.gauss(0.0, 1.5)
        elif kind == "burnover":
            unit = r.choice(self.units)
            origin = self._origin_of[unit]
            place = r.choice(self.places)
            f["unit"] = unit
            f["lat"] = self.lat0 + r.gauss(0.0, 0.3)
            f["lon"] = self.lon0 + r.gauss(0.0, 0.3)
            f["injured"] = r.choices((0, 1, 2, 3), (0.5, 0.3, 0.15, 0.05))[0]
            f["shelter"] = r.random() < 0.6
            f["note"] = r.choice(_BURNOVER_NOTES[d]).format(unit=unit, place=place)
        elif kind == "pyrocb":
            place = r.choice(self.places)
            origin = self._origin_of[place]
            f["place"] = place
            f["top"] = r.gauss(12.5, 1.5)
            f["strikes"] = _poisson(r, 25.0)
        elif kind == "arson":
            place = r.choice(self.places)
            origin = self._origin_of[place]
            f["place"] = place
            f["devices"] = r.choices((0, 1, 2, 3), (0.4, 0.35, 0.15, 0.1))[0]
            f["note"] = r.choice(_ARSON_NOTES[d]).format(place=place)
        elif kind == "ditch":
            cs = r.choice(self.aircraft)
            origin = self._origin_of[cs]
            f["callsign"] = cs
            f["reason"] = r.choice(_REASONS[d])
            f["souls"] = r.choices((1, 2, 3, 4), (0.5, 0.3, 0.1, 0.1))[0]
        else:  # pragma: no cover
            raise KeyError(kind)
        return f, origin

    def _note(self, place: str) -> str:
        r = self._r
        return r.choice(_NOTES[self.dialect]).format(unit=r.choice(self.units), place=place,
                                                     hh=f"{r.choice((6, 7, 8, 14, 18, 19, 20)):02d}",
                                                     n=r.randint(3, 14))

    def _render(self, f: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units and rounding."""
        conv = _CONVERT.get(self.dialect, {})
        out: dict[str, object] = {}
        for sem, v in f.items():
            name = self.keys[sem]
            if isinstance(v, float):
                factor, dec = conv.get(sem, (1.0, _DECIMALS[sem]))
                x = v * factor
                out[name] = int(round(x)) if dec == 0 else round(x, dec)
            else:
                out[name] = v
        return out

    # -- truth -----------------------------------------------------------------------------
    def anomaly_k(self, kind: str, fields: dict[str, object]) -> float:
        """The largest distance, in spreads, of an anomaly-prone number from its (kind, field) median."""
        ks = [abs(_to_space(float(fields[key]), s.space) - s.center) / s.spread  # type: ignore[arg-type]
              for key, s in self.stats.get(kind, {}).items() if key in fields]
        return max(ks, default=0.0)

    def priority_value(self, kind: str, fields: dict[str, object]) -> float:
        """Explicit priority (0..1) as the world's encoding writes it."""
        if kind not in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE:
            return 0.0
        mode, d = self.prio_mode, self.dialect
        if mode == "text":
            note = str(fields.get(self.keys["note"], ""))
            return max((STEP_STRENGTH[i + 1] for i, p in enumerate(_URGENT[d]) if p in note), default=0.0)
        v = fields[self.prio_key]  # type: ignore[index]
        if mode == "words":
            return STEP_STRENGTH[_SCALE_WORDS[d].index(v)]
        if mode == "code":
            return dict(_CODES[d])[v]  # type: ignore[index]
        if mode == "dispatch":
            return _DISPATCH[v]  # type: ignore[index]
        if mode == "score":
            x = float(v)  # type: ignore[arg-type]
            return 1.0 if x >= 9.0 else 0.75 if x >= 7.5 else 0.5 if x >= 6.0 else 0.25 if x >= 4.0 else 0.0
        if mode == "eta":
            m = int(v)  # type: ignore[call-overload]
            return 0.0 if m >= 360 else 0.25 if m >= 180 else 0.5 if m >= 60 else 0.75 if m >= 20 else 1.0
        if mode == "flag":
            return FLAG_STRENGTH if v is True else 0.0
        level = (int(v) >> 5) & 7  # type: ignore[call-overload]
        return STEP_STRENGTH[min(level, 4)]

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < 4.5 else min(1.0, 0.35 + 0.1 * (k - 4.5))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        rarity = rk or rv
        return routine_truth(a, p, rarity, rk)

    # -- records ---------------------------------------------------------------------------
    def _routine_fields(self, kind: str) -> tuple[dict[str, object], int]:
        """Rendered routine fields, every anomaly-prone number redrawn while 4 or more spreads off."""
        for _ in range(60):
            sem, origin = self._draw(kind)
            f = self._render(sem)
            if self.anomaly_k(kind, f) < 4.0:
                return f, origin
        raise RuntimeError(f"no routine draw of {kind}")  # pragma: no cover

    def _make_anomaly(self, kind: str, f: dict[str, object]) -> bool:
        """Put one anomaly-prone number 4.5-11 spreads off its median, within bounds; False when none can be."""
        r = self._r
        options = []
        for key, s in sorted(self.stats.get(kind, {}).items()):
            signs = (1.0, -1.0) if s.direction == 0 else (float(s.direction),)
            for sign in signs:
                edge = _to_space(s.hi if sign > 0 else s.lo, s.space)
                kmax = min(11.0, (edge - s.center) * sign / s.spread)
                if kmax >= 4.8:
                    options.append((key, s, sign, kmax))
        if not options:
            return False
        key, s, sign, kmax = r.choice(options)
        sem = next(k for k, v in self.keys.items() if v == key)
        dec = _CONVERT.get(self.dialect, {}).get(sem, (1.0, _DECIMALS.get(sem, 0)))[1]
        step = 10.0 ** -dec
        x = _from_space(s.center + sign * r.uniform(4.7, kmax) * s.spread, s.space)
        x = min(s.hi, max(s.lo, x))
        for _ in range(10_000):
            v: float | int = int(round(x)) if dec == 0 else round(x, dec)
            if abs(_to_space(float(v), s.space) - s.center) / s.spread >= 4.5:
                break
            x += sign * max(step, abs(x) * 0.01)
        f[key] = v
        self._derive(sem, f)
        return True

    def _derive(self, sem: str, f: dict[str, object]) -> None:
        """Numbers computed from an anomalous one follow it (an index, a visibility, a gust)."""
        k = self.keys
        if sem == "pm25":
            pm = float(f[k["pm25"]])  # type: ignore[arg-type]
            f[k["aqi"]] = int(round(pm * 2.1))
            f[k["vis"]] = round(min(20.0, 400.0 / max(pm, 1.0)), 1)
        elif sem == "wind":
            wind = f[k["wind"]]
            gust = wind * 1.45  # type: ignore[operator]
            f[k["gust"]] = int(round(gust)) if isinstance(wind, int) else round(gust, 1)

    def _step(self, news: bool) -> int:
        r = self._r
        if news:
            return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.3, 0.4, 0.3))[0]
        return r.choices(range(5), ROUTINE_STEPS)[0]

    def _encode(self, step: int) -> object:
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return _SCALE_WORDS[d][step]
        if mode == "code":
            return _CODES[d][_CODE_OF_STEP[d][step]][0]
        if mode == "dispatch":
            vals, w = _DISPATCH_OF_STEP[step]
            return r.choices(vals, w)[0]
        if mode == "score":
            lo, hi = _SCORE_BANDS[step]
            if step == 0:
                return round(min(hi, int(r.betavariate(1.3, 3.0) * (hi + 1))) / 10, 1)
            return round(r.randint(lo, hi) / 10, 1)
        if mode == "eta":
            if step == 0:
                return _ETA_NONE if r.random() < 0.4 else int(min(4000.0, 360.0 + r.expovariate(1 / 700.0)))
            lo, hi = _ETA_BANDS[step]
            return r.randint(lo, hi)
        if mode == "flag":
            return step >= 3
        low = (r.random() < 0.97) | (r.random() < 0.9) << 1 | (r.random() < 0.3) << 2 | (r.random() < 0.08) << 3 | \
            (r.random() < 0.5) << 4
        return self.firmware | step << 5 | low

    def _attach_priority(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step in the world's form (priority kinds only) and the note's calm or urgent words."""
        r, d = self._r, self.dialect
        note_key = self.keys["note"]
        if self.prio_mode == "text":
            if note_key in f and step > 0:
                phrase = _URGENT[d][step - 1]
                f[note_key] = f"{f[note_key]}; {phrase}" if r.random() < 0.5 else f"{phrase}. {f[note_key]}"
        elif kind in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE:
            f[self.prio_key] = self._encode(step)  # type: ignore[index]
        if note_key in f and step == 0 and r.random() < 0.3:
            f[note_key] = f"{f[note_key]}, {r.choice(_CALM[d])}"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Item:
        """A routine record (or, with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        f, origin = self._routine_fields(kind)
        has_prio = kind in PRIORITY_KINDS
        if kind in ("cam", "crew", "inc") and r.random() < 0.012:
            sem = {"cam": "cls", "crew": "status", "inc": "cause"}[kind]
            f[self.keys[sem]] = _RARE_VALUES[self.dialect][sem]
        wants = (news and (not has_prio or r.random() < 0.5)) or (not news and r.random() < self.anomaly_rate)
        anomalous = wants and self._make_anomaly(kind, f)
        if kind in ALWAYS_PRIORITY_RARE:
            step = r.choice((3, 4))
        elif has_prio:
            step = self._step(news and not anomalous)
        else:
            step = 0
        self._attach_priority(kind, f, step)
        imp, detail = self.score(kind, f)
        return _Item(kind, origin, t, f, "burst_head" if news else "routine", imp, -1, detail)

    def _copy_source(self, items: list[_Item]) -> int:
        """An earlier record of the batch, by importance and recency; -1 when there is none."""
        n = len(items)
        cand = [i for i in range(max(0, n - 600), n) if items[i].case in ("routine", "burst_head")]
        if not cand:
            return -1
        weights = [(items[i].importance + 0.03) * math.exp(-(n - i) / self.copy_memory) for i in cand]
        return self._r.choices(cand, weights)[0]

    def _near(self, f: dict[str, object]) -> dict[str, object]:
        """An operator's re-entry: one or two values re-rounded or re-typed, never the priority field."""
        r = self._r
        g = dict(f)
        options = []
        for key in sorted(f):
            v = f[key]
            if key in self._fixed or isinstance(v, bool):
                continue
            w: object
            if key in self._measured and isinstance(v, int | float):
                w = _reround(v, self._dec[key])
            elif isinstance(v, str):
                w = self._retype(v)
            else:
                continue
            if w != v:
                options.append((key, w))
        if not options:  # pragma: no cover - every kind has a measured number or a text
            raise RuntimeError("nothing to re-type")
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.2 else 1)):
            g[key] = w
        return g

    def _retype(self, s: str) -> str:
        r = self._r
        out = []
        plain = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
        if plain != s:
            out.append(plain)
        for a, b in _RETYPE[self.dialect]:
            if a in s:
                out.append(s.replace(a, b, 1))
        if "-" in s:
            out.append(s.replace("-", " ", 1))
        elif " " in s and len(s) < 24:
            out.append(s.replace(" ", "-", 1))
        out.append(s.lower() if s != s.lower() else s.upper() if len(s) < 24 else s + ".")
        if " " in s:
            out.append(s.replace(" ", "  ", 1))
        out = [x for x in out if x != s]
        return r.choice(out) if out else s

    def _tail(self, b: _Burst, t: float) -> _Item:
        """A burst's look-alike: same kind, origin and keys; numbers drift, counters step, levels stay."""
        r = self._r
        b.n += 1
        g = dict(b.item.fields)
        counters = {self.keys[c] for c in _COUNTERS}
        for key, v in g.items():
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            if key in counters:
                g[key] = v + b.n
            elif key in self._measured and key not in self._fixed and v != 0:
                dec = self._dec[key]
                sd = self._jitter.get(key, 0.006 * abs(v) + 0.3 * 10.0 ** -dec)
                lo, hi = self._bounded.get(key, (-math.inf if key in self._signed else 0.0, math.inf))
                nv = min(hi, max(lo, v + r.gauss(0.0, sd)))
                g[key] = int(round(nv)) if dec == 0 else round(nv, dec)
        if g == b.item.fields:  # nothing drifted past its rounding: the last digit of one reading moves
            keys = sorted(k for k, v in g.items() if k in self._measured and k not in self._fixed
                          and not isinstance(v, bool) and v != 0)
            if keys:
                key = r.choice(keys)
                dec = self._dec[key]
                step = r.choice((-1, 1)) * 10.0 ** -dec
                g[key] = g[key] + int(step) if dec == 0 else round(g[key] + step, dec)  # type: ignore[operator]
        return _Item(b.item.kind, b.item.origin, t, g, "burst_tail", tail_importance(b.item.importance), b.head)

    def _gap(self) -> float:
        r = self._r
        if self.clumpy and r.random() < 0.5:
            return r.uniform(0.0, 0.08) * self.mean_gap
        return r.expovariate(1.0 / (self.mean_gap * (1.96 if self.clumpy else 1.0)))

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """``n`` records ending near ``now_ms``, each with its ground-truth importance."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` labelled records, strictly later than every record already emitted."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        r = self._r
        items: list[_Item] = []
        bursts: list[tuple[float, int, _Burst]] = []  # heap of (next tail time, tiebreak, burst)
        pending = 0  # tails still to come
        kinds = [*self.common, *self.rare]
        total_w = sum(self.weights.values())
        rare_total = sum(self.rare_share.values())
        kind_w = [self.weights[k] / total_w * (1.0 - rare_total) for k in self.common] + \
                 [self.rare_share[k] for k in self.rare]
        news_kinds = [k for k in self.common if k in PRIORITY_KINDS or self.stats[k]]
        tick = 0
        next_t = self._gap()
        q = self.rates
        while len(items) < n:
            flush = len(items) + pending >= n
            if bursts and (flush or bursts[0][0] <= next_t):
                tt, _, b = heapq.heappop(bursts)
                items.append(self._tail(b, tt))
                pending -= 1
                b.left -= 1
                if b.left > 0:
                    tick += 1
                    heapq.heappush(bursts, (tt + b.period * r.uniform(0.5, 1.5), tick, b))
                continue
            t, next_t = next_t, next_t + self._gap()
            u = r.random()
            room = n - len(items) - 1 - pending
            if u < q["dup"] and (j := self._copy_source(items)) >= 0:
                src = items[j]
                o = src.origin if r.random() < 0.6 else self._zipf_origin()
                items.append(_Item(src.kind, o, t, dict(src.fields), "dup", 0.05 * src.importance, j))
            elif (u := u - q["dup"]) < q["near"] and (j := self._copy_source(items)) >= 0:
                src = items[j]
                o = src.origin if r.random() < 0.5 else self._zipf_origin()
                items.append(_Item(src.kind, o, t, self._near(src.fields), "near_dup", 0.1 * src.importance, j))
            elif (u := u - q["near"]) < q["burst"] and room >= 2:
                head = self._fresh(r.choice(news_kinds), t, news=True)
                if head.importance < 0.3:  # no number could go far enough: an ordinary record
                    head.case = "routine"
                    items.append(head)
                    continue
                tails = min(40, 2 + int(2 * r.paretovariate(1.1)), room)
                period = min(1500.0, max(40.0, self.mean_gap * self.burst_period * r.uniform(0.5, 2.0)))
                b = _Burst(len(items), head, tails, period)
                items.append(head)
                pending += tails
                tick += 1
                heapq.heappush(bursts, (t + period * r.uniform(0.5, 1.5), tick, b))
            elif (u := u - q["burst"]) < q["resend"] and self._sent:
                kind, o0, f, imp = r.choice(self._sent)
                o = o0 if r.random() < 0.6 else self._zipf_origin()
                items.append(_Item(kind, o, t, dict(f), "resend", (0.01 if o == o0 else 0.02) * imp))
            else:
                items.append(self._fresh(r.choices(kinds, kind_w)[0], t))
        self._batch += 1
        return self._materialize(items, now_ms)

    def _materialize(self, items: list[_Item], now_ms: int) -> list[LabeledRecord]:
        span = int(items[-1].t)
        start = max(self._last_ts + 1, now_ms - span)
        names = _KIND_NAMES[self.dialect]
        out: list[LabeledRecord] = []
        prev = start - 1
        for it in items:
            ts = max(prev + 1, start + int(it.t))
            prev = ts
            rec = Record.create(names[it.kind], self.origins[it.origin], ts, it.fields)
            detail = it.detail if it.case in ("routine", "burst_head") else ""
            out.append(LabeledRecord(rec, round(min(1.0, max(0.0, it.importance)), 9), it.case, it.ref, detail))
            if it.case in ("routine", "burst_head") and it.importance >= 0.3:
                self._sent.append((it.kind, it.origin, dict(it.fields), it.importance))
        del self._sent[:-400]
        self._last_ts = prev
        return out


# -- helpers ------------------------------------------------------------------------------
def _poisson(r: random.Random, lam: float) -> int:
    """Knuth's Poisson draw (small means)."""
    limit, k, p = math.exp(-lam), 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


def _to_space(x: float, space: str) -> float:
    return math.log(max(x, 1e-3)) if space == "log" else x


def _from_space(x: float, space: str) -> float:
    return math.exp(x) if space == "log" else x


def _reround(v: int | float, dec: int) -> int | float:
    """Another operator's rounding: one decimal fewer, or the nearest 5 / 10 / 100 for whole numbers of 10
    and more. May return ``v`` itself (then it is no re-entry option)."""
    if dec > 0:
        return round(v, dec - 1)
    if abs(v) < 10:
        return v
    mag = 100 if abs(v) >= 2000 else 10 if abs(v) >= 100 else 5
    return int(round(v / mag) * mag)
