"""The demo conference's draft resolution and a handful of amendments, in Russian.

The text is our own, invented for the demo in the style of a conference resolution. Everything
is created through the drafting service, as the secretariat and the delegates would, so the
demo also has the versions and audit entries a real draft has.
"""

from __future__ import annotations

import sqlalchemy as sa

from resolutions.drafting import service
from resolutions.drafting.text import parse_draft
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentKind,
    Clause,
    ClauseKind,
    Conference,
    NumberingStyle,
    Participant,
    Resolution,
    Role,
    User,
)

TITLE = "О свободе объединения и защите правозащитников в регионе"

DRAFT = """\
Подтверждая приверженность участников конференции свободе объединения, праву на ведение \
коллективных переговоров и праву на мирные собрания,

Принимая во внимание доклады делегаций о положении профсоюзов и правозащитных организаций \
в странах Центральной Азии и Кавказа, представленные конференции,

Выражая обеспокоенность случаями давления на профсоюзных активистов, включая увольнения, \
внеплановые проверки и возбуждение дел в связи с их законной деятельностью,

Отмечая, что независимые профсоюзы и правозащитники вносят важный вклад в защиту прав \
работников и в общественный диалог,

Будучи убеждённой в том, что обмен опытом и солидарность между организациями региона \
укрепляют их способность защищать своих членов,

1. Призывает правительства государств региона обеспечить на практике свободу объединения \
и воздерживаться от вмешательства во внутренние дела профсоюзов;

2. Отмечает с удовлетворением создание в ряде стран консультативных советов с участием \
профсоюзов и призывает распространить эту практику;

3. Призывает организации — участницы сети:

(a) вести учёт случаев давления на профсоюзных активистов и правозащитников и ежегодно \
обмениваться этими сведениями;

(b) оказывать юридическую и моральную поддержку коллегам, подвергающимся преследованию;

(c) проводить совместные обучающие семинары по вопросам трудового права и безопасности \
активистов;

4. Поручает секретариату подготовить к следующей конференции обзор законодательства стран \
региона о профсоюзах и правозащитной деятельности;

5. Предлагает членам сети назначить контактных лиц для оперативного реагирования на \
срочные обращения;

6. Постановляет продолжить рассмотрение данного вопроса на следующей конференции.
"""


# The secretariat's English version of part of the draft (our own text, like the draft); the
# clauses left out show the demo what a missing translation looks like.
ENGLISH = {
    "P1": (
        "Reaffirming the commitment of the participants of the conference to freedom of "
        "association, the right to collective bargaining and the right to peaceful assembly,"
    ),
    "P2": (
        "Taking into account the reports of the delegations on the situation of trade unions "
        "and human rights organisations in the countries of Central Asia and the Caucasus "
        "presented to the conference,"
    ),
    "1": (
        "Calls upon the governments of the region to ensure freedom of association in practice "
        "and to refrain from interfering in the internal affairs of trade unions;"
    ),
    "2": (
        "Notes with satisfaction the establishment in several countries of advisory councils "
        "in which trade unions take part, and calls for this practice to be extended;"
    ),
    "3": "Calls upon the member organisations of the network:",
    "3(a)": (
        "to keep a record of cases of pressure on trade union activists and human rights "
        "defenders and to exchange this information every year;"
    ),
    "3(b)": "to give legal and moral support to colleagues who face persecution;",
    "4": (
        "Requests the secretariat to prepare for the next conference a review of the laws of "
        "the countries of the region on trade unions and on human rights work;"
    ),
    "6": "Decides to continue its consideration of this matter at the next conference.",
}


def _delegate(delegates: dict[str, Participant], name: str) -> Participant:
    return delegates[name]


def load(conference: Conference, actor: User | None = None) -> Resolution:
    """Write the demo draft and its amendments into ``conference`` (flushes, never commits).

    The secretariat writes the draft (``actor``, the site administrator who runs the demo
    command, is no member of the conference); amendments come from the demo delegates:
    three admitted (a replace of clause 1 with a confirmed co-sponsor and a pending
    invitation, a delete of clause 2, an insert after clause 4), one submitted, one ruled out
    of order, one withdrawn, and one draft of the first demo delegate. The secretariat gives
    part of the draft in English (``ENGLISH``); A-1 carries its English text too.
    """
    members = list(
        db.session.scalars(
            sa.select(Participant)
            .where(Participant.conference_id == conference.id)
            .order_by(Participant.id)
        )
    )
    secretariat = next(p for p in members if p.role == Role.SECRETARIAT)
    delegates = {p.user.name: p for p in members if p.role == Role.DELEGATE}
    writer = secretariat

    resolution = service.create_resolution(conference, writer, TITLE, NumberingStyle.NUMBERED)
    service.import_draft(resolution, writer, parse_draft(DRAFT))
    clause = {
        n.number_path: db.session.get_one(Clause, n.clause_id)
        for n in service.numbered_text(resolution)
    }
    for number, english in ENGLISH.items():
        service.set_translation(
            clause[number], writer, english, expected_version=clause[number].version
        )

    def propose(
        name: str,
        kind: AmendmentKind,
        *,
        justification: str,
        text: str = "",
        translation: str = "",
        target: Clause | None = None,
        after: Clause | None = None,
        new_clause_kind: ClauseKind | None = None,
    ) -> tuple[Amendment, Participant]:
        proposer = _delegate(delegates, name)
        amendment = service.propose_amendment(
            resolution,
            proposer,
            kind=kind,
            text=text,
            translation=translation,
            justification=justification,
            target=target,
            after=after,
            new_clause_kind=new_clause_kind,
        )
        return amendment, proposer

    # A-1, admitted: a replace of clause 1, one co-sponsor confirmed, one invitation pending.
    replace_1, bermet = propose(
        "Бермет Касымова",
        AmendmentKind.REPLACE,
        target=clause["1"],
        text=(
            "Призывает правительства государств региона обеспечить в законодательстве и на "
            "практике свободу объединения, воздерживаться от вмешательства во внутренние дела "
            "профсоюзов и отменить нормы, ограничивающие их регистрацию;"
        ),
        translation=(
            "Calls upon the governments of the region to ensure freedom of association in law "
            "and in practice, to refrain from interfering in the internal affairs of trade "
            "unions and to repeal the rules that restrict their registration;"
        ),
        justification=(
            "Во многих странах региона препятствия создаются уже на этапе регистрации "
            "профсоюза; резолюция должна назвать эту проблему прямо."
        ),
    )
    anush = _delegate(delegates, "Ануш Петросян")
    service.invite_sponsor(replace_1, bermet, anush)
    service.respond_to_sponsorship(replace_1, anush, True)
    service.invite_sponsor(replace_1, bermet, _delegate(delegates, "Айгерим Нурланова"))
    service.submit_amendment(replace_1, bermet)

    # A-2, admitted: delete clause 2.
    delete_2, david = propose(
        "Давид Саргсян",
        AmendmentKind.DELETE,
        target=clause["2"],
        justification=(
            "Консультативные советы во многих странах существуют лишь формально; одобрять их "
            "в резолюции преждевременно."
        ),
    )
    service.submit_amendment(delete_2, david)

    # A-3, admitted: a new clause after clause 4.
    insert_4, farida = propose(
        "Фарида Рахимова",
        AmendmentKind.INSERT,
        new_clause_kind=ClauseKind.OPERATIVE,
        after=clause["4"],
        text=(
            "Просит международные профсоюзные объединения содействовать наблюдению за "
            "судебными процессами в отношении профсоюзных активистов и правозащитников;"
        ),
        justification="Наблюдение за процессами — действенная форма поддержки коллег.",
    )
    service.submit_amendment(insert_4, farida)

    # A-4, submitted: a replace of sub-clause 3(c), not yet ruled on.
    replace_3c, nodira = propose(
        "Нодира Каримова",
        AmendmentKind.REPLACE,
        target=clause["3(c)"],
        text=(
            "проводить совместные обучающие семинары по вопросам трудового права, цифровой "
            "безопасности и защиты персональных данных активистов;"
        ),
        justification="Цифровая безопасность стала для активистов не менее важной, чем правовая.",
    )
    service.submit_amendment(replace_3c, nodira)

    # A-5, out of order.
    procedural, erzhan = propose(
        "Ержан Сейткали",
        AmendmentKind.INSERT,
        new_clause_kind=ClauseKind.OPERATIVE,
        after=clause["6"],
        text="Поручает секретариату продлить работу конференции на один день;",
        justification="Повестка слишком насыщенна для двух дней.",
    )
    service.submit_amendment(procedural, erzhan)

    # A-6, withdrawn.
    withdrawn, marat = propose(
        "Марат Ахметов",
        AmendmentKind.DELETE,
        target=clause["P5"],
        justification="Пункт повторяет смысл четвёртого абзаца преамбулы.",
    )
    service.submit_amendment(withdrawn, marat)
    service.withdraw_amendment(withdrawn, marat)

    # A draft only its author, the first demo delegate, sees.
    propose(
        "Айгерим Нурланова",
        AmendmentKind.REPLACE,
        target=clause["P3"],
        text=(
            "Выражая глубокую обеспокоенность продолжающимися случаями давления на "
            "профсоюзных активистов и правозащитников, включая увольнения, внеплановые "
            "проверки, задержания и возбуждение дел в связи с их законной деятельностью,"
        ),
        justification="Нужно упомянуть задержания и самих правозащитников.",
    )

    for amendment in (replace_1, delete_2, insert_4):
        service.admit_amendment(amendment, secretariat)
    service.rule_out_of_order(
        procedural,
        secretariat,
        "Предложение касается регламента конференции, а не текста резолюции; его можно "
        "внести как процедурный вопрос.",
    )
    db.session.flush()
    return resolution
