"""A reproducible synthetic corpus of diplomatic news articles, for benchmarks.

`generate(folder, n, seed)` writes n articles built from name, title, place and sentence-template
lists with a seeded random generator: realistic length (about 350-700 words) and entity density
(people with titles, rosters, places, quotes, dates), never copies of the seed articles. The same
(n, seed) always writes the same files, so benchmark runs compare like with like.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

FIRST_NAMES = ["Elena", "Marco", "Tarek", "Ingrid", "Kwame", "Lucia", "Farid", "Hana", "Piotr",
               "Amara", "Jonas", "Leila", "Ruslan", "Nadia", "Oskar", "Samir", "Yara", "Viktor",
               "Mei", "Tomas", "Aisha", "Dmitri", "Clara", "Hassan", "Ilse", "Rafael", "Zeynep",
               "Anton", "Salma", "Mateo"]
SURNAMES = ["Varga", "Okafor", "Haddad", "Lindqvist", "Mensah", "Ortega", "Karimi", "Novotny",
            "Sato", "Abadi", "Petrov", "Almeida", "Brandt", "Nasser", "Kovalenko", "Diallo",
            "Rahimi", "Moreau", "Castillo", "Jansen", "Farouk", "Ivanova", "Kaya", "Molina",
            "Strand", "Azizi", "Horvat", "Mbeki", "Quinn", "Yilmaz"]
TITLES = ["Foreign Minister", "Defense Minister", "Finance Minister", "Deputy Prime Minister",
          "Energy Minister", "presidential aide", "Trade Minister", "Interior Minister",
          "national security adviser", "special envoy", "Deputy Foreign Minister",
          "Chief of the General Staff", "central bank governor"]
COUNTRIES = [("Norway", "Norwegian", "Oslo"), ("Chile", "Chilean", "Santiago"),
             ("Kenya", "Kenyan", "Nairobi"), ("Vietnam", "Vietnamese", "Hanoi"),
             ("Poland", "Polish", "Warsaw"), ("Egypt", "Egyptian", "Cairo"),
             ("Peru", "Peruvian", "Lima"), ("Japan", "Japanese", "Tokyo"),
             ("Morocco", "Moroccan", "Rabat"), ("Kazakhstan", "Kazakh", "Astana"),
             ("Indonesia", "Indonesian", "Jakarta"), ("Ghana", "Ghanaian", "Accra")]
TOPICS = ["energy cooperation", "grain exports", "a port concession", "debt restructuring",
          "military cooperation", "a fisheries agreement", "visa rules", "a railway project"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

OPENERS = [
    "{host_title} {host} received {guest_title_lc} {guest} in {city} on {day} for talks on {topic}.",
    "{guest_demonym} President {guest} met {host_demonym} President {host} in {city} on {day}, "
    "the first visit by a {guest_demonym} leader in a decade.",
]
BODY = [
    "The {host_demonym} delegation included {roster}.",
    "{roster} accompanied {guest_surname}.",
    "Also present were {roster}.",
    "{person}, {title_lc} of {country}, told reporters that the talks had been \"frank and useful.\"",
    "\"We are ready to expand {topic} with our partners,\" {person_surname} said after the meeting.",
    "According to {outlet}, the two sides signed {number} agreements, including one on {topic}.",
    "{host_surname} said that {country} would open a new consulate in {other_city} next year.",
    "Officials in {other_city} said trade between the two countries grew by {number} percent in {year}.",
    "Sources said the sides may discuss {topic} again in {month}.",
    "The talks came weeks after {country} withdrew its ambassador from {other_city}.",
    "{person_surname} stressed that \"no agreement is final until it is signed.\"",
    "Analysts in {city} noted that {topic} has dominated relations since {year}.",
]
OUTLETS = ["state media", "the foreign ministry", "local media", "a government statement"]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def article(rng: random.Random, index: int) -> tuple[str, str]:
    (host_country, host_demonym, city), (guest_country, guest_demonym, other_city) = \
        rng.sample(COUNTRIES, 2)
    host, guest = _person(rng), _person(rng)
    date = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))
    values = {
        "host": host, "guest": guest, "host_surname": host.split()[-1],
        "guest_surname": guest.split()[-1], "host_title": f"{host_demonym} President",
        "guest_title_lc": f"{guest_demonym} President", "host_demonym": host_demonym,
        "guest_demonym": guest_demonym, "city": city, "other_city": other_city,
        "day": rng.choice(DAYS), "topic": rng.choice(TOPICS), "country": host_country,
        "year": date.year - 1, "month": date.strftime("%B"),
    }
    title = f"{host_demonym} and {guest_demonym} Leaders Hold Talks in {city}"
    lines = [f"# {title}", "", f"By {_person(rng)}", "", date.strftime("%B %d, %Y"), "",
             rng.choice(OPENERS).format(**values)]
    for _ in range(rng.randint(14, 26)):
        roster = ", ".join(f"{rng.choice(TITLES)} {_person(rng)}" for _ in range(rng.randint(2, 4)))
        person = _person(rng)
        sentence = rng.choice(BODY).format(
            **values, roster=roster, person=person, person_surname=person.split()[-1],
            title_lc=rng.choice(TITLES).lower(), outlet=rng.choice(OUTLETS),
            number=rng.randint(2, 40))
        lines += ["", sentence[:1].upper() + sentence[1:]]
    lines += ["", f"{_person(rng)} in {other_city} contributed.", ""]
    return f"{index:06d}.md", "\n".join(lines)


def generate(folder: Path, n: int, seed: int = 1) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for index in range(n):
        name, text = article(rng, index)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
