"""The demo conference: our own invented content, in Russian, for trying the product."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from resolutions import audit
from resolutions.auth.service import hash_password
from resolutions.extensions import db
from resolutions.models import (
    BallotKind,
    Conference,
    ConferenceState,
    MajorityMethod,
    Participant,
    Role,
    User,
    utcnow,
)

DEMO_PASSWORD = "demo-password"  # noqa: S105 (printed for the demo on purpose)
ADMIN_EMAIL = "admin@demo.example"
SECRETARIAT_EMAIL = "secretariat@demo.example"
CHAIR_EMAIL = "chair@demo.example"
OBSERVER_EMAIL = "observer1@demo.example"

# (country, organisations, delegates' names)
DELEGATIONS = [
    (
        "Казахстан",
        "Конфедерация труда «Степь»",
        [
            "Айгерим Нурланова",
            "Ержан Сейткали",
            "Динара Абенова",
            "Марат Ахметов",
            "Гульнара Есимова",
            "Арман Жумабеков",
        ],
    ),
    (
        "Кыргызстан",
        "Союз горняков «Ала-Тоо»",
        [
            "Бермет Касымова",
            "Нурлан Осмонов",
            "Айжан Токтогулова",
            "Эмиль Джумабаев",
            "Чолпон Мамытова",
            "Руслан Абдыкадыров",
        ],
    ),
    (
        "Таджикистан",
        "Правозащитный центр «Памир»",
        [
            "Фарида Рахимова",
            "Далер Шарипов",
            "Малика Назарова",
            "Рустам Юсупов",
            "Зарина Саидова",
            "Бахтиёр Олимов",
        ],
    ),
    (
        "Узбекистан",
        "Профсоюз текстильщиков «Шёлк»",
        [
            "Нодира Каримова",
            "Шерзод Ташкентов",
            "Камола Юлдашева",
            "Азиз Рахматов",
            "Дилноза Усманова",
            "Улугбек Хасанов",
        ],
    ),
    (
        "Армения",
        "Лига защиты трудовых прав «Арарат»",
        [
            "Ануш Петросян",
            "Давид Саргсян",
            "Лилит Акопян",
            "Арам Григорян",
            "Мариам Оганесян",
            "Тигран Мартиросян",
        ],
    ),
]
WEIGHTS = [3, 2, 2, 1, 1, 1]  # heads of delegation carry the weight of their organisation
TRANSLIT = str.maketrans(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "abvgdeejziiklmnoprstufhccss_y_eua",
)


def _email(name: str, index: int) -> str:
    first = name.split()[0].lower().translate(TRANSLIT).replace("_", "")
    return f"delegate{index:02d}.{first}@demo.example"


def demo_sign_ins() -> list[tuple[str, str]]:
    return [
        ("admin", ADMIN_EMAIL),
        ("secretariat", SECRETARIAT_EMAIL),
        ("chair", CHAIR_EMAIL),
        ("delegate", _email(DELEGATIONS[0][2][0], 1)),
        ("delegate", _email(DELEGATIONS[1][2][0], 7)),
        ("observer", OBSERVER_EMAIL),
    ]


def _user(email: str, name: str, password_hash: str, *, admin: bool = False) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash, is_admin=admin)
        db.session.add(user)
        db.session.flush()
    return user


def load_demo() -> Conference:
    """Create the demo conference with its people (and, where the areas provide them, its draft)."""
    password_hash = hash_password(DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
    admin = _user(ADMIN_EMAIL, "Администратор сайта", password_hash, admin=True)
    today = date.today()
    conference = Conference(
        title="Региональная конференция профсоюзов и правозащитных организаций Центральной Азии "
        "и Кавказа",
        short_name="РКП-2026",
        place="г. Бишкек",
        timezone="Asia/Bishkek",
        start_date=today + timedelta(days=5),
        language="ru",
        state=ConferenceState.DRAFTING,
        majority_method=MajorityMethod.SIMPLE,
        quorum="1/2",
        ballot_kind=BallotKind.NAMED,
        amendment_deadline=utcnow() + timedelta(days=4),
    )
    db.session.add(conference)
    db.session.flush()
    audit.record("conference.created", actor=admin, conference_id=conference.id, obj=conference)

    def join(user: User, role: Role, **fields: object) -> Participant:
        participant = Participant(conference_id=conference.id, user_id=user.id, role=role, **fields)
        db.session.add(participant)
        return participant

    join(
        _user(SECRETARIAT_EMAIL, "Ольга Секретарёва", password_hash),
        Role.SECRETARIAT,
        organisation="Секретариат сети",
        country="Кыргызстан",
    )
    join(
        _user(CHAIR_EMAIL, "Тимур Председателев", password_hash),
        Role.CHAIR,
        organisation="Союз горняков «Ала-Тоо»",
        country="Кыргызстан",
        delegation="Кыргызстан",
        voting_right=True,
        weight=1,
    )
    index = 0
    for country, organisation, names in DELEGATIONS:
        for position, name in enumerate(names):
            index += 1
            join(
                _user(_email(name, index), name, password_hash),
                Role.DELEGATE,
                organisation=organisation,
                country=country,
                delegation=country,
                voting_right=True,
                weight=WEIGHTS[position],
            )
    for number, (name, organisation) in enumerate(
        [
            ("Ирина Наблюдаева", "Фонд «Открытый диалог»"),
            ("Пётр Смотров", "Журнал «Труд и право»"),
            ("Анна Гостева", "Международная сеть солидарности"),
        ],
        start=1,
    ):
        join(
            _user(f"observer{number}@demo.example", name, password_hash),
            Role.OBSERVER,
            organisation=organisation,
        )
    db.session.flush()
    _load_draft(conference, admin)
    db.session.commit()
    return conference


def _load_draft(conference: Conference, actor: User) -> None:
    """The draft resolution; the drafting area fills it in."""
    from resolutions.drafting import demo_draft

    demo_draft.load(conference, actor)
