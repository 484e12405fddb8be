"""Demo data for the hotline: one incident with two reports, and a few reports waiting on the
console, made through the same paths as real ones (texts through the inbound path, so that
their senders get the know-your-rights reply on the pretend phones)."""

from __future__ import annotations

import random

from vecinos.core.models import User
from vecinos.hotline import services
from vecinos.hotline.models import Incident, Report
from vecinos.hotline.services import ReportDetails
from vecinos.messaging import inbound

# Strangers who text the hotline: numbers in the block reserved for fiction, outside the
# neighborhood's own (213, 323, 818).
STRANGERS = [f"+1626555{n:04d}" for n in range(150, 160)]
# A corner of the demo neighborhood, and the shop where the demo's raid happens.
CORNER = (34.0622, -118.3005)


def populate(rng: random.Random) -> dict[str, int]:
    """Call after organizing's demo (its dispatchers and partner file and claim)."""
    accounts = {u.username: u for u in User.objects.filter(is_demo=True)}
    dispatcher2, dispatcher3 = accounts["dispatcher2"], accounts["dispatcher3"]
    cell = services.cell_for_point(*CORNER)

    first = services.do_file_report(
        dispatcher2,
        ReportDetails(
            what_seen="Two grey SUVs and six agents in vests marked POLICE ICE outside the "
            "laundromat. They are stopping people who come out.",
            place="Jacaranda Ave & 4th St, laundromat",
            cell=cell,
            agency="ice",
            agents="6 agents, 2 grey SUVs without plates, vests POLICE ICE",
        ),
        language="en",
        channel="call",
    )
    incident = services.do_open_incident(dispatcher2, first)
    joined = _text(
        STRANGERS[0], "Hay como seis agentes de ICE afuera de la lavandería en Jacaranda y 4th"
    )
    services.do_update_report(
        dispatcher2,
        joined,
        ReportDetails(what_seen=joined.what_seen, place="Jacaranda y 4th", cell=cell),
    )
    services.do_add_to_incident(dispatcher2, joined, incident)

    _text(STRANGERS[1], "웨스턴 애비뉴 마트 앞에 이민국 차량 두 대가 있어요")
    school = _text(
        STRANGERS[2],
        "Migra en la escuela primaria de la calle Alvarado, están preguntando por papeles",
    )
    services.do_claim_report(dispatcher3, school.id)
    services.do_file_report(
        accounts["partner"],
        ReportDetails(
            what_seen="A client says agents came to his workplace on Olympic Blvd this morning "
            "and asked the manager for a list of employees.",
            place="Olympic Blvd & Normandie",
        ),
        language="es",
        caller=STRANGERS[3],
    )
    # Near the open incident and soon after it: the console proposes grouping it.
    services.do_file_report(
        dispatcher3,
        ReportDetails(
            what_seen="Neighbor on the phone: agents still at the laundromat, one person in a van",
            place="4th St near Jacaranda",
            cell=cell,
        ),
        language="es",
        channel="call",
    )
    return {
        "reports": Report.objects.count(),
        "incidents": Incident.objects.count(),
    }


def _text(sender: str, body: str) -> Report:
    """A text to the hotline, through the path every gateway's webhook takes."""
    stored = inbound.receive(
        gateway="simulator", provider_message_id=f"demo-{sender}", sender=sender, body=body
    )
    if stored is None:
        raise RuntimeError("the demo's texts were already stored; run it on an empty database")
    inbound.process(stored.id)  # not waiting for the commit of the whole demo
    return Report.objects.get(texts__inbound=stored)
