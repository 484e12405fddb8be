"""The hotline's texts: the Know-Your-Rights reply, the voicemail advice, the dispatcher's script.

Coordinators edit them and every edit is a new version (see :class:`ContentVersion`); until one is
saved for a language, the default below is used, translated like the rest of Vecinos. The defaults
follow ACLU and ILRC know-your-rights material. Two points move under our feet and must be read by
a lawyer before a network relies on them: whether ICE forms may be used to force entry (an ICE
memo of May 2025 says so for final removal orders; a federal court held such an entry
unconstitutional in January 2026), and what to carry (since April 2025 the registration rule
requires some noncitizens to carry proof of registration). The defaults say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from vecinos.hotline.choices import ContentKind
from vecinos.hotline.models import ContentVersion

SOURCES = (
    "ACLU, Know Your Rights: Immigrants' Rights — https://www.aclu.org/know-your-rights/immigrants-rights\n"
    "ILRC, Red Cards / Tarjetas Rojas — https://www.ilrc.org/red-cards-tarjetas-rojas\n"
    "NILC, Know Your Rights — https://www.nilc.org/resources/everyone-has-certain-basic-rights/"
)


@dataclass(frozen=True)
class Content:
    """A text in force: the saved version, or the default (version 0)."""

    kind: str
    language: str
    body: str
    sources: str
    version: int
    legal_review: str

    @property
    def is_default(self) -> bool:
        return self.version == 0


def default_body(kind: str, language: str) -> str:
    """The built-in text of ``kind`` in ``language`` (the translation of the English default)."""
    name = settings.VECINOS_NETWORK_NAME
    with translation.override(language):
        if kind == ContentKind.TEXT_REPLY:
            return _(
                "%(name)s: we got your report; a dispatcher will follow up soon. Your rights: do "
                "not open the door unless they show a warrant signed by a judge of a court (an "
                "ICE form is not one). You have the right to remain silent. Do not sign anything. "
                'If they force their way in, do not resist: say "I do not consent" and stay '
                "silent."
            ) % {"name": name}
        if kind == ContentKind.VOICEMAIL_ADVICE:
            return _(
                "All our dispatchers are busy. Keep the door closed: do not open it unless they "
                "show a warrant signed by a judge of a court. You have the right to remain "
                "silent, and you do not have to sign anything. If agents force their way in, do "
                "not resist; say that you do not consent. After the tone, say where you are and "
                "what you see. We will call you back."
            )
        if kind == ContentKind.DISPATCHER_SCRIPT:
            return _(
                "1. Are you safe right now? Where are you? (address or cross streets, "
                "neighborhood)\n"
                "2. What do you see? How many agents, what vehicles, any markings or uniforms "
                "(ICE, Border Patrol, police)? Local police is not ICE: ask what is written on "
                "them.\n"
                "3. Have they shown a warrant? Is it signed by a judge of a court, or is it an "
                "ICE form (I-200, I-205)?\n"
                "4. Has anyone been detained? How many?\n"
                "5. May we call or text you back at this number?\n"
                "\n"
                "Read out:\n"
                "- Keep the door closed. Ask them to slide the warrant under the door. Only a "
                "warrant signed by a judge of a court lets them in; an ICE form does not.\n"
                "- Everyone has the right to remain silent. Say so out loud. Do not lie and do "
                "not show false papers.\n"
                "- Do not sign anything without a lawyer.\n"
                '- If they force their way in: do not resist. Say "I do not consent to your '
                "entry or search. I am exercising my right to remain silent. I want to speak "
                'with a lawyer." Film or write down what happens if it is safe.\n'
                "\n"
                "FOR LEGAL REVIEW: carrying papers. Since April 2025 the registration rule "
                "requires some noncitizens aged 18 and over to carry proof of registration, while "
                "older advice says not to show papers that name your country. Until a lawyer "
                "writes this part, do not advise callers on papers; refer them to the legal line."
            )
    raise ValueError(f"unknown content kind {kind!r}")


def current(kind: str, language: str) -> Content:
    """The text of ``kind`` in force for ``language``: its newest saved version, or the default."""
    saved = ContentVersion.objects.filter(kind=kind, language=language).order_by("-version").first()
    if saved is not None:
        return Content(
            kind=kind,
            language=language,
            body=saved.body,
            sources=saved.sources,
            version=saved.version,
            legal_review=saved.legal_review,
        )
    return Content(
        kind=kind,
        language=language,
        body=default_body(kind, language),
        sources=SOURCES,
        version=0,
        legal_review="",
    )
