"""A reproducible synthetic corpus of diplomatic news articles, for benchmarks.

`generate(folder, n, seed)` writes n articles with a seeded random generator; the same (n, seed)
always writes the same files, so benchmark runs compare like with like. It imitates what a real
folder of coverage looks like, so every stage does realistic work at scale:

- **Events covered by several outlets.** The corpus is a stream of meetings (host and guest
  leader, city, date, topic, number of agreements, delegations); each meeting is reported by
  1-6 articles from different outlets (a URL line names the outlet), some a day or two later,
  so claims corroborate across outlets and events merge across articles, as in real coverage.
- **A stable cast.** Each of 40 countries has its own leader, ministers and spokesperson
  (names drawn once from 120 given names and 160 surnames, so the same person recurs across
  events and articles, and namesakes exist); journalists sign bylines and contributor lines.
- **Realistic text.** About 400-650 words: a headline, byline, dateline and date line, a lead, then
  body paragraphs drawn without repetition from ~40 templates: rosters ("The X delegation
  included ..."), quotes with speech verbs before and after, surname-only references to people
  introduced earlier, relative dates ("on Wednesday"), places (capitals, second cities, ports,
  air bases), numbers, reported speech and topical facts (withdrawals, agreements, trade).
- Names, places and sentences are invented or general (real country and city names are used
  for the places stage's gazetteer); nothing is copied from the seed articles.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

GIVEN = ["Elena", "Marco", "Tarek", "Ingrid", "Kwame", "Lucia", "Farid", "Hana", "Piotr",
         "Amara", "Jonas", "Leila", "Ruslan", "Nadia", "Oskar", "Samir", "Yara", "Viktor",
         "Mei", "Tomas", "Aisha", "Dmitri", "Clara", "Hassan", "Ilse", "Rafael", "Zeynep",
         "Anton", "Salma", "Mateo", "Bruno", "Carmen", "Dariusz", "Esther", "Fabian", "Greta",
         "Hugo", "Irina", "Jakub", "Karin", "Lars", "Marta", "Nikolai", "Olga", "Pavel",
         "Rania", "Stefan", "Tatiana", "Umar", "Vera", "Walid", "Xenia", "Yusuf", "Zofia",
         "Adnan", "Beatriz", "Cyril", "Dalia", "Emil", "Fatima", "Gustav", "Helga", "Idris",
         "Joanna", "Kemal", "Lina", "Miguel", "Noor", "Omar", "Paula", "Quentin", "Rosa",
         "Sergio", "Teresa", "Ulrich", "Valeria", "Wiktor", "Yasmin", "Zoran", "Alma",
         "Boris", "Celine", "Diego", "Elif", "Felix", "Gloria", "Henrik", "Ines", "Jamal",
         "Katya", "Luis", "Mira", "Nils", "Orla", "Pedro", "Rashid", "Sofia", "Timur",
         "Ursula", "Vadim", "Wanda", "Yannick", "Zara", "Aziz", "Bianca", "Conrad", "Dina",
         "Edgar", "Frida", "Goran", "Hedda", "Ivo", "Jana", "Kofi", "Lotte", "Malik",
         "Nadia", "Otto", "Priya"]
SURNAMES = ["Varga", "Okafor", "Haddad", "Lindqvist", "Mensah", "Ortega", "Karimi", "Novotny",
            "Sato", "Abadi", "Petrov", "Almeida", "Brandt", "Nasser", "Kovalenko", "Diallo",
            "Rahimi", "Moreau", "Castillo", "Jansen", "Farouk", "Ivanova", "Kaya", "Molina",
            "Strand", "Azizi", "Horvat", "Mbeki", "Quinn", "Yilmaz", "Andersen", "Barros",
            "Cerny", "Dimitrov", "Eklund", "Fontaine", "Gallo", "Hakimi", "Iqbal", "Jovanovic",
            "Kowalczyk", "Lombardi", "Marin", "Nakamura", "Oyelaran", "Pastor", "Qureshi",
            "Romero", "Saarinen", "Tanaka", "Urbina", "Vasquez", "Wojcik", "Xu", "Yamada",
            "Zielinski", "Aguilar", "Bakr", "Chavez", "Dahl", "Engel", "Fischer", "Gomez",
            "Halvorsen", "Ibrahim", "Jaber", "Kirilenko", "Lund", "Mansour", "Nyberg",
            "Osei", "Pereira", "Rossi", "Salazar", "Toure", "Ulloa", "Vidal", "Weiss",
            "Yousef", "Zamora", "Abbasi", "Bauer", "Costa", "Dorin", "Eze", "Ferreira",
            "Grant", "Hussain", "Ito", "Juarez", "Keller", "Lopes", "Morales", "Nowak",
            "Ochoa", "Popescu", "Rocha", "Schmidt", "Takahashi", "Umarov", "Valdez", "Wagner",
            "Yusupov", "Zayed", "Amin", "Berg", "Cruz", "Delgado", "Esposito", "Fuentes",
            "Greco", "Herrera", "Ilic", "Janssen", "Kuznetsov", "Larsen", "Meyer", "Navarro",
            "Olsen", "Pavlov", "Reyes", "Sokolov", "Torres", "Varela", "Wolff", "Yakovlev",
            "Zeller", "Aksoy", "Bergman", "Celik", "Demir", "Erdem", "Figueroa", "Guzman",
            "Hoffmann", "Isaksen", "Jensen", "Kiran", "Lehmann", "Medina", "Nieminen",
            "Ozturk", "Palmer", "Ramos", "Sandoval", "Tiwari", "Uysal", "Vogel", "Waltari",
            "Yildiz", "Zubair", "Alvarez", "Borg", "Campos", "Duarte", "Ekstrom", "Franco"]
# country, demonym, capital, second city, port town
COUNTRIES = [
    ("Norway", "Norwegian", "Oslo", "Bergen", "Stavanger"),
    ("Chile", "Chilean", "Santiago", "Valparaiso", "Antofagasta"),
    ("Kenya", "Kenyan", "Nairobi", "Mombasa", "Kisumu"),
    ("Vietnam", "Vietnamese", "Hanoi", "Da Nang", "Haiphong"),
    ("Poland", "Polish", "Warsaw", "Krakow", "Gdansk"),
    ("Egypt", "Egyptian", "Cairo", "Alexandria", "Port Said"),
    ("Peru", "Peruvian", "Lima", "Arequipa", "Callao"),
    ("Japan", "Japanese", "Tokyo", "Osaka", "Yokohama"),
    ("Morocco", "Moroccan", "Rabat", "Casablanca", "Tangier"),
    ("Kazakhstan", "Kazakh", "Astana", "Almaty", "Aktau"),
    ("Indonesia", "Indonesian", "Jakarta", "Surabaya", "Makassar"),
    ("Ghana", "Ghanaian", "Accra", "Kumasi", "Takoradi"),
    ("Brazil", "Brazilian", "Brasilia", "Sao Paulo", "Santos"),
    ("Turkey", "Turkish", "Ankara", "Istanbul", "Izmir"),
    ("India", "Indian", "New Delhi", "Mumbai", "Chennai"),
    ("Nigeria", "Nigerian", "Abuja", "Lagos", "Port Harcourt"),
    ("Mexico", "Mexican", "Mexico City", "Guadalajara", "Veracruz"),
    ("Argentina", "Argentine", "Buenos Aires", "Cordoba", "Rosario"),
    ("Italy", "Italian", "Rome", "Milan", "Naples"),
    ("Spain", "Spanish", "Madrid", "Barcelona", "Valencia"),
    ("Greece", "Greek", "Athens", "Thessaloniki", "Piraeus"),
    ("Romania", "Romanian", "Bucharest", "Cluj-Napoca", "Constanta"),
    ("Finland", "Finnish", "Helsinki", "Tampere", "Turku"),
    ("Sweden", "Swedish", "Stockholm", "Gothenburg", "Malmo"),
    ("Portugal", "Portuguese", "Lisbon", "Porto", "Setubal"),
    ("Tunisia", "Tunisian", "Tunis", "Sfax", "Bizerte"),
    ("Jordan", "Jordanian", "Amman", "Irbid", "Aqaba"),
    ("Pakistan", "Pakistani", "Islamabad", "Lahore", "Karachi"),
    ("Thailand", "Thai", "Bangkok", "Chiang Mai", "Laem Chabang"),
    ("Malaysia", "Malaysian", "Kuala Lumpur", "George Town", "Port Klang"),
    ("Colombia", "Colombian", "Bogota", "Medellin", "Cartagena"),
    ("Ethiopia", "Ethiopian", "Addis Ababa", "Dire Dawa", "Gondar"),
    ("Tanzania", "Tanzanian", "Dodoma", "Arusha", "Dar es Salaam"),
    ("Senegal", "Senegalese", "Dakar", "Thies", "Ziguinchor"),
    ("Uzbekistan", "Uzbek", "Tashkent", "Samarkand", "Bukhara"),
    ("Azerbaijan", "Azerbaijani", "Baku", "Ganja", "Sumqayit"),
    ("Serbia", "Serbian", "Belgrade", "Novi Sad", "Nis"),
    ("Hungary", "Hungarian", "Budapest", "Debrecen", "Szeged"),
    ("Algeria", "Algerian", "Algiers", "Oran", "Annaba"),
    ("Philippines", "Philippine", "Manila", "Cebu", "Davao"),
]
# (title, organization word for apposition) of a country's officials besides the leader
OFFICES = ["Foreign Minister", "Defense Minister", "Finance Minister", "Energy Minister",
           "Trade Minister", "Interior Minister", "Deputy Prime Minister",
           "Deputy Foreign Minister", "Chief of the General Staff"]
APPOSITIONS = ["national security adviser", "presidential aide", "special envoy",
               "head of the national investment fund", "central bank governor"]
TOPICS = [("energy cooperation", "a gas pipeline"), ("grain exports", "wheat deliveries"),
          ("a port concession", "the lease of a container terminal"),
          ("debt restructuring", "a new credit line"), ("military cooperation", "joint exercises"),
          ("a fisheries agreement", "fishing quotas"), ("visa rules", "visa-free travel"),
          ("a railway project", "a high-speed rail link"), ("nuclear power", "a reactor deal"),
          ("mining rights", "lithium concessions"), ("air links", "direct flights"),
          ("customs rules", "a free trade zone")]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OUTLETS = [("reuters.com", "Reuters"), ("apnews.com", "AP"), ("afp.com", "AFP"),
           ("aljazeera.com", None), ("bbc.com", None), ("dw.com", None), ("france24.com", None),
           ("euronews.com", None), ("theguardian.com", None), ("bloomberg.com", None),
           ("politico.eu", None), ("thenationalnews.com", None), ("arabnews.com", None),
           ("aa.com.tr", "AA"), ("xinhuanet.com", None), ("dpa.com", "dpa"),
           ("efe.com", None), ("ansa.it", None)]
SPEECH_VERBS = ["said", "told reporters", "stressed", "noted", "added", "stated"]

LEADS = [
    "{host_full} received {guest_full} in {city} on {day} for talks on {topic}, {host_s}'s "
    "office said.",
    "{guest_demonym} President {guest} arrived in {city} on {day} for talks with {host_demonym} "
    "President {host} on {topic}, the first such visit in {years} years.",
    "{host_demonym} President {host} and his {guest_demonym} counterpart {guest} held talks in "
    "{city} on {day}, focusing on {topic} and {detail}.",
    "The leaders of {host_country} and {guest_country} met in {city} on {day} and signed "
    "{agreements} agreements, including one on {topic}.",
]
BODY = [
    "The {host_demonym} delegation included {host_roster}.",
    "The {guest_demonym} delegation included {guest_roster}.",
    "{guest_roster_and} accompanied {guest_s} on the trip.",
    "{host_s} was accompanied by {host_roster_and}.",
    "Also present were {host_roster_and}.",
    "{guest_roster_and} also took part in the talks.",
    "\"We are ready to expand {topic} with our {guest_demonym} partners,\" {host_s} said after "
    "the meeting.",
    "\"{country_guest} values its friendship with {host_country},\" {guest_s} {verb}.",
    "{guest_s} said that {guest_country} wanted \"a long-term partnership\" on {detail}.",
    "{aide_full}, {aide_title}, told reporters that the talks had been \"frank and useful.\"",
    "{aide_s} {verb} that \"no agreement is final until it is signed.\"",
    "{spokes_full}, a spokesperson for the {host_demonym} government, said the sides had agreed "
    "to meet again in {month}.",
    "According to {agency}, the two sides signed {agreements} agreements, including one on "
    "{topic}.",
    "{host_country} and {guest_country} signed a memorandum on {detail}, {spokes_s} said.",
    "{host_s} said that {host_country} would open a new consulate in {guest_city2} next year.",
    "Trade between the two countries grew by {percent} percent in {last_year}, officials in "
    "{guest_city} said.",
    "Sources said the sides might discuss {detail} again in {month}.",
    "The talks came {weeks} weeks after {guest_country} recalled its ambassador from "
    "{host_city}, citing a dispute over {detail}.",
    "{guest_country} withdrew its naval vessels from the port of {host_port} in {last_year}.",
    "{host_country} maintains a small military presence at an air base near {host_city2}.",
    "Analysts in {host_city2} noted that {topic} has dominated relations since {last_year}.",
    "{guest_s} later visited {host_city2}, where he toured a factory and met local officials.",
    "The visit was {guest_s}'s {ordinal} trip to {host_country} since taking office in "
    "{office_year}.",
    "Their first meeting took place in {first_month} {last_year} in {guest_city}.",
    "{host_s} and {guest_s} also discussed regional security and the situation in "
    "{third_country}.",
    "{aide_full} said {host_country} expected to ship {tons} tons of {good} to {guest_country} "
    "by the end of the year.",
    "Officials in {guest_city} said a joint commission on {detail} would meet in {month}.",
    "\"This is a historic day for our two nations,\" {guest_s} {verb}, standing next to "
    "{host_s}.",
    "{host_s} described the talks as \"constructive\" and said the two governments would "
    "\"work quickly\" on {detail}.",
    "{spokes_s} declined to comment on reports that {guest_country} had asked for {ask}.",
    "{guest_demonym} state media reported that the two leaders spoke for more than {hours} "
    "hours.",
    "The meeting in {city} was the {ordinal} between the two presidents.",
    "{third_full}, {third_title} of {third_country}, welcomed the talks in a statement on "
    "{day2}.",
    "Opposition lawmakers in {guest_country} criticized the visit, saying {detail} would "
    "benefit only a few companies.",
    "{host_country}'s economy grew {growth} percent last year, according to official figures.",
    "The {guest_demonym} side was represented at the working level by {guest_extra}.",
    "Protesters gathered outside the {host_demonym} embassy in {guest_city} on {day2}.",
    "A joint statement issued after the talks called for \"closer coordination\" on {topic}.",
    "{guest_s} is expected to travel on to {third_country} later this week.",
    "Earlier on {day}, {host_s} laid a wreath at a war memorial in {city}.",
]
ORDINALS = ["first", "second", "third", "fourth", "fifth"]
GOODS = ["wheat", "fertilizer", "steel", "coal", "liquefied natural gas", "timber"]
ASKS = ["debt relief", "the extradition of a former minister", "weapons deliveries",
        "a currency swap line", "emergency fuel supplies"]
FURNITURE = ["Sign up for our daily newsletter", "Read more: regional news",
             "Support independent journalism. Donate today.", "Related: more world news"]


def _full(person: dict) -> str:
    return f"{person['given']} {person['surname']}"


def _cast(rng: random.Random) -> dict[str, dict]:
    """Each country's leader, officials and spokesperson, fixed for the whole corpus."""
    used = set()

    def person(title: str) -> dict:
        while True:
            given, surname = rng.choice(GIVEN), rng.choice(SURNAMES)
            if (given, surname) not in used:
                used.add((given, surname))
                return {"given": given, "surname": surname, "title": title}

    cast = {}
    for country, *_ in COUNTRIES:
        cast[country] = {
            "leader": person("President"),
            "officials": [person(office) for office in OFFICES],
            "aides": [person(title) for title in APPOSITIONS],
            "spokes": person("spokesperson"),
        }
    cast["_journalists"] = [person("journalist") for _ in range(150)]
    return cast


def _roster(people: list[dict], demonym: str | None, with_and: bool) -> str:
    parts = [f"{demonym + ' ' if demonym else ''}{p['title']} {_full(p)}" for p in people]
    if with_and and len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return ", ".join(parts)


def _event(rng: random.Random, cast: dict, day: dt.date) -> dict:
    host, guest, third = rng.sample(COUNTRIES, 3)
    topic, detail = rng.choice(TOPICS)
    return {"host": host, "guest": guest, "third": third, "date": day, "topic": topic,
            "detail": detail, "agreements": rng.randint(2, 14), "percent": rng.randint(3, 40),
            "city": host[2] if rng.random() < 0.8 else host[3],
            "host_people": rng.sample(cast[host[0]]["officials"], 4),
            "guest_people": rng.sample(cast[guest[0]]["officials"], 4),
            "aide": rng.choice(cast[host[0]]["aides"]), "ordinal": rng.choice(ORDINALS)}


def _article_text(rng: random.Random, cast: dict, event: dict, outlet: tuple, lag: int,
                  index: int) -> str:
    (host_country, host_demonym, host_city, host_city2, host_port) = event["host"]
    (guest_country, guest_demonym, guest_city, guest_city2, _) = event["guest"]
    third = event["third"]
    host, guest = cast[host_country]["leader"], cast[guest_country]["leader"]
    spokes = cast[host_country]["spokes"]
    third_person = rng.choice(cast[third[0]]["officials"][:2])
    published = event["date"] + dt.timedelta(days=lag)
    weekday = DAYS[event["date"].weekday()]
    values = {
        "host": _full(host), "guest": _full(guest), "host_s": host["surname"],
        "guest_s": guest["surname"], "host_full": f"{host_demonym} President {_full(host)}",
        "guest_full": f"{guest_demonym} President {_full(guest)}",
        "host_demonym": host_demonym, "guest_demonym": guest_demonym,
        "host_country": host_country, "guest_country": guest_country,
        "country_guest": guest_country, "city": event["city"], "host_city": host_city,
        "host_city2": host_city2, "host_port": host_port, "guest_city": guest_city,
        "guest_city2": guest_city2, "third_country": third[0],
        "day": weekday, "day2": DAYS[(event["date"].weekday() + 1) % 7],
        "topic": event["topic"], "detail": event["detail"], "agreements": event["agreements"],
        "percent": event["percent"], "last_year": event["date"].year - 1,
        "month": (event["date"] + dt.timedelta(days=rng.randint(30, 120))).strftime("%B"),
        "first_month": rng.choice(["March", "June", "September", "November"]),
        "years": rng.randint(3, 15), "weeks": rng.randint(2, 9), "hours": rng.randint(2, 5),
        "tons": f"{rng.randint(2, 90) * 10000:,}", "good": rng.choice(GOODS),
        "ask": rng.choice(ASKS), "growth": f"{rng.randint(5, 60) / 10:.1f}",
        "office_year": event["date"].year - rng.randint(1, 6), "ordinal": event["ordinal"],
        "verb": rng.choice(SPEECH_VERBS),
        "agency": rng.choice(["state media", "the foreign ministry", "a government statement",
                              f"{guest_demonym} state media"]),
        "aide_full": f"{_full(event['aide'])}", "aide_s": event["aide"]["surname"],
        "aide_title": f"{host_demonym} {event['aide']['title']}",
        "spokes_full": _full(spokes), "spokes_s": spokes["surname"],
        "third_full": _full(third_person), "third_title": third_person["title"].lower(),
        "host_roster": _roster(event["host_people"][:rng.randint(2, 4)], None, True),
        "guest_roster": _roster(event["guest_people"][:rng.randint(2, 4)], None, True),
        "host_roster_and": _roster(event["host_people"][:rng.randint(2, 3)], host_demonym, True),
        "guest_roster_and": _roster(event["guest_people"][:rng.randint(2, 3)], guest_demonym,
                                    True),
        "guest_extra": _roster(event["guest_people"][2:], guest_demonym, True),
    }
    if lag:   # a later article dates the meeting explicitly
        values["day"] = f"{weekday}, {event['date'].strftime('%B')} {event['date'].day}"
    host_, name = outlet
    title = rng.choice([
        f"{host_demonym} and {guest_demonym} Leaders Hold Talks in {event['city']}",
        f"{guest['surname']} Visits {host_country} as Ties on {event['topic'].title()} Deepen",
        f"{host_country}, {guest_country} Sign {event['agreements']} Agreements",
        f"{host['surname']} Hosts {guest['surname']} for Talks on {event['topic'].title()}"])
    journalist, contributor = rng.sample(cast["_journalists"], 2)
    slug = title.lower().replace(" ", "-").replace(",", "")
    dateline = event["city"].upper() + (f" ({name})" if name else "") + " - "
    lines = [f"# {title}", "", f"By {_full(journalist)}", "",
             published.strftime("%B %d, %Y").replace(" 0", " "), "",
             f"Original url: https://www.{host_}/world/{published:%Y/%m/%d}/{slug}-{index}", "",
             dateline + rng.choice(LEADS).format(**values)]
    paragraphs = rng.sample(BODY, rng.randint(24, 34))
    # people are introduced with their title and full name before a surname alone refers to them
    first_use = {"aide_s": f"{values['aide_title']} {values['aide_full']}",
                 "spokes_s": f"{host_demonym} government spokesperson {values['spokes_full']}"}
    for position, template in enumerate(paragraphs):
        for field in ("aide_full", "spokes_full"):
            if "{" + field + "}" in template:
                first_use.pop(field.replace("_full", "_s"), None)
        sentence = template.format(**{**values, **first_use})
        for field in list(first_use):
            if "{" + field + "}" in template:
                del first_use[field]
        lines += ["", sentence[:1].upper() + sentence[1:]]
        if position == 8 and rng.random() < 0.5:
            lines += ["", rng.choice(FURNITURE)]
    lines += ["", f"{_full(contributor)} in {guest_city} contributed to this report.", ""]
    return "\n".join(lines)


def article(rng: random.Random, index: int) -> tuple[str, str]:
    """One article about a meeting of its own (e.g. to add to a generated corpus)."""
    cast = _cast(random.Random(0))
    event = _event(rng, cast, dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700)))
    return f"{index:06d}.md", _article_text(rng, cast, event, rng.choice(OUTLETS), 0, index)


def generate(folder: Path, n: int, seed: int = 1) -> list[Path]:
    """Write n articles into folder: meetings reported by 1-6 outlets each."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cast = _cast(random.Random(0))   # one cast for every corpus size: N=100 is a sample of N=1,000
    paths = []
    day = dt.date(2024, 1, 1)
    while len(paths) < n:
        day += dt.timedelta(days=rng.choice([0, 1, 1, 2, 3]))
        event = _event(rng, cast, day)
        reports = min(rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6]), n - len(paths))
        for outlet in rng.sample(OUTLETS, reports):
            index = len(paths)
            lag = rng.choice([0, 0, 0, 1, 2])
            text = _article_text(rng, cast, event, outlet, lag, index)
            path = folder / f"{index:06d}.md"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths
