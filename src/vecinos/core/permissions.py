"""Who may do what: the one place that maps roles to capabilities.

Every view declares the capability it needs with :func:`requires`; services call :func:`check`.
A role not listed for a capability does not have it; there is no implicit superuser shortcut
except for Django superusers, who are coordinators by construction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from functools import wraps
from inspect import iscoroutinefunction
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from vecinos.core.choices import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

    from vecinos.core.models import User


class Capability(StrEnum):
    VIEW_DISPATCH_OVERVIEW = "view_dispatch_overview"
    VIEW_PEOPLE = "view_people"
    EDIT_PEOPLE = "edit_people"
    # Adding people from a CSV file (from the web; the command line needs no account).
    IMPORT_PEOPLE = "import_people"
    # Downloading everyone's contact details as a file: the whole list leaves Vecinos.
    EXPORT_PEOPLE = "export_people"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_ACCOUNTS = "manage_accounts"
    USE_PHONE_SIMULATOR = "use_phone_simulator"
    MANAGE_GATEWAYS = "manage_gateways"
    # Writing to the whole community (alert list or contact list) at once.
    SEND_BROADCASTS = "send_broadcasts"
    # Texting responders about an incident, and seeing who was alerted for it and their answers.
    ALERT_RESPONDERS = "alert_responders"
    # Approving a confirmed incident's broad alert, and sending it, its all-clear or a correction.
    APPROVE_BROAD_ALERT = "approve_broad_alert"
    # The whole roster of responders: an infiltrator with a dispatcher login must not export it.
    MANAGE_RESPONDERS = "manage_responders"
    MANAGE_API_TOKENS = "manage_api_tokens"
    # The dispatchers' rota: who is on, swaps, one's own calendar link.
    VIEW_SHIFTS = "view_shifts"
    # Changing the rota, assigning cover, and the fallback list for calls.
    MANAGE_SHIFTS = "manage_shifts"
    # The zones on the map (no people on it).
    VIEW_MAP = "view_map"
    # Adding, drawing and deleting zones; the map's tile server.
    MANAGE_ZONES = "manage_zones"
    # Precinct teams and walk lists (home addresses): organizers and coordinators.
    ORGANIZE_PRECINCTS = "organize_precincts"
    # The hotline's dispatcher console: reports, incidents, callers' numbers on request.
    USE_CONSOLE = "use_console"
    # The web form that files a report to the hotline (partners see nothing of what follows).
    FILE_REPORTS = "file_reports"
    # The know-your-rights texts and the dispatcher's script (a lawyer should review each version).
    EDIT_HOTLINE_CONTENT = "edit_hotline_content"
    # The popular assembly: its bodies, meetings, agendas and decisions (not partners).
    VIEW_ASSEMBLIES = "view_assemblies"
    # Planning and running any body's meetings (a body's own facilitators run its meetings too).
    RUN_MEETINGS = "run_meetings"
    # Creating bodies and changing who is in them.
    MANAGE_ASSEMBLIES = "manage_assemblies"
    # Training sessions: scheduling them, their sign-in code, marking who attended.
    RUN_TRAININGS = "run_trainings"
    # Vouching for a responder (the service also checks the voucher is trusted: see
    # trainings.services.may_vouch). Organizers see who waits; responders vouch by phone number.
    VOUCH_FOR_RESPONDERS = "vouch_for_responders"
    # Who vouched for whom, back to the first: a map of the network's trust.
    VIEW_VOUCH_CHAIN = "view_vouch_chain"
    # Running the room (speakers' list, minutes) of any body's meeting; otherwise only the body's
    # own facilitators and note-takers do. Coordinators only.
    RUN_ANY_ROOM = "run_any_room"
    # Seeing coming mobilizations (time and meeting place) and answering for oneself.
    JOIN_MOBILIZATIONS = "join_mobilizations"
    # Adding mobilizations, who is coming and on the waitlist, invitations, check-in.
    MANAGE_MOBILIZATIONS = "manage_mobilizations"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.COORDINATOR: frozenset(Capability),
    Role.DISPATCHER: frozenset(
        {
            Capability.VIEW_DISPATCH_OVERVIEW,
            Capability.USE_CONSOLE,
            Capability.FILE_REPORTS,
            Capability.VIEW_SHIFTS,
            Capability.VIEW_MAP,
            Capability.ALERT_RESPONDERS,
            Capability.APPROVE_BROAD_ALERT,
            Capability.VIEW_ASSEMBLIES,
            Capability.JOIN_MOBILIZATIONS,
        }
    ),
    Role.ORGANIZER: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.EDIT_PEOPLE,
            Capability.IMPORT_PEOPLE,
            Capability.VIEW_MAP,
            Capability.ORGANIZE_PRECINCTS,
            Capability.VIEW_ASSEMBLIES,
            Capability.RUN_MEETINGS,
            Capability.MANAGE_ASSEMBLIES,
            Capability.RUN_TRAININGS,
            Capability.VOUCH_FOR_RESPONDERS,
            Capability.JOIN_MOBILIZATIONS,
            Capability.MANAGE_MOBILIZATIONS,
        }
    ),
    Role.FACILITATOR: frozenset(
        {
            Capability.VIEW_ASSEMBLIES,
            Capability.RUN_MEETINGS,
            Capability.RUN_TRAININGS,
            Capability.JOIN_MOBILIZATIONS,
        }
    ),
    Role.RESPONDER: frozenset(
        {
            Capability.VIEW_ASSEMBLIES,
            Capability.VOUCH_FOR_RESPONDERS,
            Capability.JOIN_MOBILIZATIONS,
        }
    ),
    Role.MEMBER: frozenset({Capability.VIEW_ASSEMBLIES, Capability.JOIN_MOBILIZATIONS}),
    Role.PARTNER: frozenset({Capability.FILE_REPORTS}),
}

# These roles see live incidents and people's whereabouts: a stolen password alone must not do.
TWO_FACTOR_ROLES = frozenset({Role.COORDINATOR, Role.DISPATCHER})


def capabilities(user: User | AnonymousUser) -> frozenset[Capability]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Capability)
    granted: set[Capability] = set()
    for role in user.roles:
        granted |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(granted)


def can(user: User | AnonymousUser, capability: Capability) -> bool:
    return capability in capabilities(user)


def check(user: User | AnonymousUser, capability: Capability) -> None:
    """Raises:
    PermissionDenied: the user lacks ``capability``."""
    if not can(user, capability):
        raise PermissionDenied


def two_factor_passed(user: User | AnonymousUser) -> bool:
    """Whether this session entered a valid code (django-otp's middleware adds ``is_verified``)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def needs_two_factor(user: User) -> bool:
    return user.is_superuser or user.has_role(*TWO_FACTOR_ROLES)


ViewFunc = TypeVar(
    "ViewFunc", bound=Callable[..., "HttpResponseBase | Awaitable[HttpResponseBase]"]
)


def requires(capability: Capability | None) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: log in first, then hold ``capability`` (None: any logged-in account)."""

    def decorate(view: ViewFunc) -> ViewFunc:
        if iscoroutinefunction(view):
            # An async view (the console's live stream): roles are read in a thread, as the ORM
            # requires outside the event loop.
            @wraps(view)
            async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                if capability is not None:
                    await sync_to_async(check)(await request.auser(), capability)
                return await view(request, *args, **kwargs)

            async_wrapper.required_capability = capability  # type: ignore[attr-defined]
            return login_required(async_wrapper)  # type: ignore[return-value]

        @wraps(view)
        def wrapper(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase | Awaitable[HttpResponseBase]:
            if capability is not None:
                check(request.user, capability)
            return view(request, *args, **kwargs)

        wrapper.required_capability = capability  # type: ignore[attr-defined]  # read by tests
        return login_required(wrapper)  # type: ignore[return-value]

    return decorate
