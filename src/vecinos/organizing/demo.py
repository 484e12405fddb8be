"""Demo data for organizing: the fictional neighborhood of Colonia Jacaranda.

Every name is invented from lists of common given names and family names, and every phone number is
in the 555-01XX block that North American numbering reserves for fiction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from vecinos.core.choices import Role
from vecinos.core.demo import DEMO_PASSWORD
from vecinos.core.models import RoleAssignment, User
from vecinos.organizing.choices import CircleKind, Stage
from vecinos.organizing.models import Circle, CircleMembership, Person, StageStep

NEIGHBORHOOD = "Colonia Jacaranda"

GIVEN_ES = [
    "Abril",
    "Adela",
    "Alma",
    "Amparo",
    "Anselmo",
    "Aurelio",
    "Benita",
    "Candelaria",
    "Celestino",
    "Cirilo",
    "Dalia",
    "Delfina",
    "Efrén",
    "Eulalia",
    "Fermín",
    "Florinda",
    "Gaspar",
    "Herminia",
    "Isauro",
    "Jacinta",
    "Jovita",
    "Leandro",
    "Librada",
    "Macario",
    "Marcelina",
    "Nicanor",
    "Obdulia",
    "Pascual",
    "Remedios",
    "Rutilio",
    "Sabina",
    "Severo",
    "Teodora",
    "Ulises",
    "Virgilio",
    "Yolotl",
    "Zenaida",
]
FAMILY_ES = [
    "Alvarado",
    "Barrientos",
    "Cabañas",
    "Cisneros",
    "Dorantes",
    "Escamilla",
    "Figueroa",
    "Galindo",
    "Hinojosa",
    "Ibarra",
    "Jaramillo",
    "Lozano",
    "Maldonado",
    "Nava",
    "Olvera",
    "Palafox",
    "Quintanilla",
    "Rendón",
    "Solís",
    "Tapia",
    "Urbina",
    "Valdivia",
    "Zamarripa",
]
GIVEN_KO = [
    "Bo-ra",
    "Chan-woo",
    "Dae-sung",
    "Eun-ji",
    "Ga-eun",
    "Ha-neul",
    "In-su",
    "Jae-won",
    "Kyung-mi",
    "Min-seo",
    "Na-rae",
    "Sang-hoon",
    "Seung-ho",
    "So-yeon",
    "Tae-hee",
    "Yun-hee",
]
FAMILY_KO = [
    "Baek",
    "Cho",
    "Chung",
    "Han",
    "Hwang",
    "Jeon",
    "Kang",
    "Moon",
    "Nam",
    "Ryu",
    "Seo",
    "Yoo",
]
GIVEN_EN = [
    "Ambrose",
    "Clementine",
    "Dorian",
    "Esme",
    "Fletcher",
    "Imogen",
    "Jasper",
    "Lionel",
    "Maren",
    "Otis",
    "Rosalind",
    "Tobias",
    "Vera",
    "Wren",
]
FAMILY_EN = [
    "Ashworth",
    "Bellamy",
    "Calloway",
    "Drummond",
    "Fairbanks",
    "Hargrove",
    "Lockhart",
    "Pruitt",
    "Thackeray",
    "Whitlock",
]
AREA_CODES = ["213", "323", "818"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[str, ...]
    language: str


# The logins `vecinos demo` prints. Names are invented.
DEMO_ACCOUNTS = (
    DemoAccount("coordinator", "Remedios Galindo", (Role.COORDINATOR,), "es"),
    DemoAccount("dispatcher", "Ha-neul Seo", (Role.DISPATCHER, Role.RESPONDER), "ko"),
    DemoAccount("dispatcher2", "Fermín Olvera", (Role.DISPATCHER,), "es"),
    DemoAccount("dispatcher3", "Maren Whitlock", (Role.DISPATCHER,), "en"),
    DemoAccount("organizer", "Jacinta Palafox", (Role.ORGANIZER,), "es"),
    DemoAccount("facilitator", "Jae-won Kang", (Role.FACILITATOR,), "ko"),
    DemoAccount("responder", "Cirilo Nava", (Role.RESPONDER,), "es"),
    DemoAccount("member", "Otis Bellamy", (Role.MEMBER,), "en"),
    # A legal clinic's worker who files reports to the hotline from its web form.
    DemoAccount("partner", "Candelaria Ibarra", (Role.PARTNER,), "es"),
)
EXTRA_RESPONDERS = 29
EXTRA_MEMBERS = 12
CONTACTS = 200


def populate(rng: random.Random) -> dict[str, int]:
    """Create the neighborhood's people and accounts. Call once, on a database without them."""
    phones = _phone_numbers(rng)
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing per account takes seconds
    people: list[Person] = []
    accounts: list[tuple[User, tuple[str, ...]]] = []

    for spec in DEMO_ACCOUNTS:
        user = User(
            username=spec.username,
            display_name=spec.display_name,
            preferred_language=spec.language,
            password=password,
            is_demo=True,
        )
        accounts.append((user, spec.roles))
        people.append(_person(rng, spec.display_name, spec.language, next(phones)))

    used = {spec.display_name for spec in DEMO_ACCOUNTS}
    for index in range(EXTRA_RESPONDERS + EXTRA_MEMBERS):
        language = rng.choices(["es", "ko", "en"], weights=[6, 3, 1])[0]
        name = _unique_name(rng, language, used)
        role = Role.RESPONDER if index < EXTRA_RESPONDERS else Role.MEMBER
        username = f"{role}{index + 1:02d}"
        user = User(
            username=username,
            display_name=name,
            preferred_language=language,
            password=password,
            is_demo=True,
        )
        accounts.append((user, (role,)))
        people.append(_person(rng, name, language, next(phones)))

    User.objects.bulk_create([user for user, _roles in accounts])
    saved = {u.username: u for u in User.objects.filter(is_demo=True)}
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=saved[user.username], role=role)
            for user, roles in accounts
            for role in roles
        ]
    )
    for person, (user, _roles) in zip(people, accounts, strict=True):
        person.account = saved[user.username]

    for _ in range(CONTACTS):
        language = rng.choices(["es", "ko", "en"], weights=[6, 3, 1])[0]
        has_phone = rng.random() < 0.9
        people.append(
            _person(
                rng, _unique_name(rng, language, used), language, next(phones) if has_phone else ""
            )
        )
    Person.objects.bulk_create(people)

    # Two-factor devices for every demo account whose role needs them, so the demo shows the code
    # page; `vecinos demo-otp` and the code page itself (demo only) give the current code.
    for spec in DEMO_ACCOUNTS:
        if {Role.COORDINATOR, Role.DISPATCHER} & set(spec.roles):
            TOTPDevice.objects.create(user=saved[spec.username], name="demo", confirmed=True)
    counts = populate_circles(random.Random(6))  # noqa: S311  # its own seed: other apps' demo data stays the same
    return {"accounts": len(accounts), "people": len(people), **counts}


# The circles of Colonia Jacaranda (invented), and how each one shows on the network picture.
DEMO_CIRCLES = (
    ("Parroquia San Judas Tadeo", CircleKind.CHURCH, "es", 3),
    ("Iglesia Hanbit", CircleKind.CHURCH, "ko", 1),  # one vouching contact: depends on them
    ("Club Social Tlaxiaco", CircleKind.HOMETOWN_CLUB, "es", 2),  # one person brought most
    ("Local 402 de Trabajadores de Limpieza", CircleKind.UNION_LOCAL, "", 3),
    ("Consejo Escolar Primaria Jacaranda", CircleKind.SCHOOL_COUNCIL, "", 2),
    ("Clínica Legal del Barrio", CircleKind.PARTNER, "", 2),
)
# The ladder each demo role has climbed to.
ROLE_STAGES: dict[str, str] = {
    Role.COORDINATOR: Stage.LEADER,
    Role.ORGANIZER: Stage.LEADER,
    Role.DISPATCHER: Stage.DISPATCHER,
    Role.RESPONDER: Stage.RESPONDER,
    Role.FACILITATOR: Stage.VOLUNTEER,
    Role.MEMBER: Stage.ASSEMBLY,
    Role.PARTNER: Stage.CONTACT,
}


def populate_circles(rng: random.Random) -> dict[str, int]:
    """Spread the demo people over the last year, more of them recently (the network grew), with
    their steps up the ladder, their circles, who vouches for each and who brought whom."""
    now = timezone.now()
    people = list(
        Person.objects.filter(is_demo=True)
        .select_related("account")
        .prefetch_related("account__role_assignments")
        .order_by("id")
    )
    steps: list[StageStep] = []
    ladder = list(Stage.values)
    for person in people:
        # Most joined recently: a year ago the network was a quarter of its size.
        days_ago = 365 * rng.random() ** 2 + 1
        person.created_at = now - timedelta(days=days_ago)
        roles = person.account.roles if person.account else []
        target = max(
            (ROLE_STAGES.get(role, Stage.CONTACT) for role in roles),
            key=Stage.rank,
            default=Stage.CONTACT,
        )
        if not roles:
            target = rng.choices(ladder[:3], weights=[6, 3, 1])[0]
        if target != Stage.CONTACT and days_ago < 30:
            person.created_at = now - timedelta(days=30 + rng.random() * 200)
        at = person.created_at
        for stage in ladder[: Stage.rank(target) + 1]:
            steps.append(StageStep(person=person, stage=stage, at=at))
            at = min(now - timedelta(hours=1), at + timedelta(days=rng.randint(7, 45)))
        person.stage = target
    Person.objects.bulk_update(people, ["created_at", "stage"], batch_size=500)
    StageStep.objects.bulk_create(steps, batch_size=1000)

    circles = [
        Circle(name=name, kind=kind, created_at=now - timedelta(days=400), is_demo=True)
        for name, kind, _language, _vouchers in DEMO_CIRCLES
    ]
    Circle.objects.bulk_create(circles)
    by_language: dict[str, list[Person]] = {}
    for person in people:
        by_language.setdefault(person.preferred_language, []).append(person)
    members: dict[int, list[Person]] = {index: [] for index in range(len(circles))}
    for person in people:
        options = [
            index
            for index, (_name, _kind, language, _v) in enumerate(DEMO_CIRCLES)
            if language in ("", person.preferred_language)
        ]
        weights = [1 if DEMO_CIRCLES[i][1] == CircleKind.PARTNER else 6 for i in options]
        if rng.random() < 0.85:
            first = rng.choices(options, weights=weights)[0]
            members[first].append(person)
            if rng.random() < 0.2:
                second = rng.choice(options)
                if second != first:
                    members[second].append(person)
    memberships: list[CircleMembership] = []
    brought: dict[int, Person] = {}
    for index, circle in enumerate(circles):
        group = sorted(members[index], key=lambda p: p.created_at)
        vouchers = DEMO_CIRCLES[index][3]
        for position, person in enumerate(group):
            memberships.append(
                CircleMembership(
                    circle=circle,
                    person=person,
                    joined_at=person.created_at,
                    vouches_for_circle=position < vouchers,
                )
            )
            if position < vouchers or person.id in brought or rng.random() < 0.3:
                continue
            if circle.name == "Club Social Tlaxiaco":
                brought[person.id] = group[0]  # the club's founder brought almost everyone
            else:
                brought[person.id] = rng.choice(group[:position])
    CircleMembership.objects.bulk_create(memberships, batch_size=1000)
    for person in people:
        if person.id in brought:
            person.brought_by = brought[person.id]
    Person.objects.bulk_update(people, ["brought_by"], batch_size=500)
    return {"circles": len(circles), "stage steps": len(steps)}


def _person(rng: random.Random, name: str, language: str, phone: str) -> Person:
    spoken = {"es": ["es"], "ko": ["ko"], "en": ["en"]}[language]
    if language == "es" and rng.random() < 0.25:
        spoken.append(rng.choice(["mix", "zap", "quc"]))
    if rng.random() < 0.35 and "en" not in spoken:
        spoken.append("en")
    email = ""
    if rng.random() < 0.3:
        email = f"{name.split()[0].lower()}.{rng.randrange(100, 999)}@example.org"
    return Person(
        full_name=name,
        phone=phone,
        email=email,
        preferred_language=language,
        languages=spoken,
        is_demo=True,
    )


def _unique_name(rng: random.Random, language: str, used: set[str]) -> str:
    given, family = {
        "es": (GIVEN_ES, FAMILY_ES),
        "ko": (GIVEN_KO, FAMILY_KO),
        "en": (GIVEN_EN, FAMILY_EN),
    }[language]
    for _attempt in range(1000):
        if language == "es":
            name = f"{rng.choice(given)} {rng.choice(family)} {rng.choice(family)}"
        elif language == "ko":
            name = f"{rng.choice(family)} {rng.choice(given)}"
        else:
            name = f"{rng.choice(given)} {rng.choice(family)}"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError(f"ran out of invented {language} names; add more to the lists")


def _phone_numbers(rng: random.Random):  # type: ignore[no-untyped-def]  # generator of E.164 strings
    numbers = [f"+1{area}55501{n:02d}" for area in AREA_CODES for n in range(100)]
    rng.shuffle(numbers)
    yield from numbers
