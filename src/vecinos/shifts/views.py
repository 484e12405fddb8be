"""Pages for the dispatchers' rota: who is on, the coming week, swaps, calendar links, and the
coordinators' pages for the rota, cover and the fallback list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires
from vecinos.shifts import feeds, services
from vecinos.shifts.choices import Weekday
from vecinos.shifts.forms import (
    CoverForm,
    FallbackAddForm,
    OfferSwapForm,
    ShiftForm,
    parse_occurrence_key,
)
from vecinos.shifts.queries import (
    CoverageDay,
    CoverageInterval,
    Occurrence,
    access_shift,
    access_swap,
    coverage,
    fallback_list_for,
    feed_link_of,
    hotline_languages,
    language_labels,
    languages_of,
    network_zone,
    occurrences,
    on_shift,
    open_swaps,
    rota_for,
)

# "My shifts" and the offer form reach this far ahead.
MY_SHIFTS_AHEAD = timedelta(days=28)


@dataclass(frozen=True)
class BarPiece:
    """One stretch of a day's coverage bar, in minutes from local midnight."""

    x: int
    width: int
    css: str


@dataclass(frozen=True)
class DayView:
    day: CoverageDay
    minutes: int  # 1380 or 1500 on the days the clocks change
    bar: list[BarPiece]
    rows: list[tuple[CoverageInterval, bool]]  # (interval, ends at midnight)


def _day_views(days: tuple[CoverageDay, ...]) -> list[DayView]:
    zone = network_zone()
    views = []
    for day in days:
        midnight = datetime.combine(day.date, datetime.min.time(), tzinfo=zone)
        next_midnight = datetime.combine(
            day.date + timedelta(days=1), datetime.min.time(), tzinfo=zone
        )
        minutes = int((next_midnight - midnight).total_seconds() // 60)
        bar, rows = [], []
        for interval in day.intervals:
            x = int((interval.start - midnight).total_seconds() // 60)
            width = int((interval.end - interval.start).total_seconds() // 60)
            css = "bar-gap" if interval.is_gap else "bar-thin" if interval.missing_languages else ""
            bar.append(BarPiece(x, width, css or "bar-on"))
            rows.append((interval, interval.end == next_midnight))
        views.append(DayView(day, minutes, bar, rows))
    return views


def _with_languages(users: list[User]) -> list[tuple[User, list[str]]]:
    return [(u, language_labels(languages_of(u))) for u in users]


@requires(Capability.VIEW_SHIFTS)
def overview(request: HttpRequest) -> HttpResponse:
    """Who is on now, the coming week with its gaps, my shifts, and swaps. POST: offer, accept
    or withdraw a swap, then back here."""
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    mine = occurrences(now, now + MY_SHIFTS_AHEAD, user=user)
    swaps = open_swaps(user, now=now)
    my_offers = [s for s in swaps if s.replaced_id == user.id]
    offered = {(s.shift_id, s.date) for s in my_offers}
    offerable = [o for o in mine if (o.shift.id, o.date) not in offered]
    offer_form = OfferSwapForm(
        request.POST if request.POST.get("action") == "offer" else None, mine=offerable
    )
    if request.method == "POST":
        _act(request, user, offer_form, offerable, now)
        return redirect("shifts:overview")

    on_now = on_shift(now)
    spoken = {code for u in on_now for code in languages_of(u)}
    others = [s for s in swaps if s.replaced_id != user.id]
    context: dict[str, Any] = {
        "now": now,
        "on_now": _with_languages(on_now),
        "unspoken_now": language_labels(c for c in hotline_languages() if c not in spoken),
        "days": _day_views(coverage(timezone.localtime(now).date(), 7).days),
        "mine": [(o, (o.shift.id, o.date) in offered) for o in mine],
        "my_offers": my_offers,
        "others_offers": others,
        "can_take": services.is_dispatcher(user),
        "offer_form": offer_form,
        "feed_link": feed_link_of(user),
    }
    return render(request, "shifts/overview.html", context)


def _act(
    request: HttpRequest,
    user: User,
    offer_form: OfferSwapForm,
    offerable: list[Occurrence],
    now: datetime,
) -> None:
    action = request.POST.get("action", "")
    try:
        if action == "offer":
            if not offer_form.is_valid():
                messages.error(request, _("Choose one of your shifts to offer."))
                return
            chosen = {o.key: o for o in offerable}[offer_form.cleaned_data["occurrence"]]
            services.do_offer_swap(
                user, chosen.shift, chosen.date, note=offer_form.cleaned_data["note"], now=now
            )
            messages.success(
                request, _("Your shift is offered. You stay on it until someone takes it.")
            )
        elif action in {"accept", "withdraw"}:
            swap_id = request.POST.get("swap", "")
            if not swap_id.isdigit():
                messages.error(request, _("Nothing was changed."))
                return
            swap = access_swap(user, int(swap_id))
            if action == "accept":
                services.do_accept_swap(user, swap, now=now)
                messages.success(request, _("The shift is yours now. Thank you for covering."))
            else:
                services.do_withdraw_swap(user, swap, now=now)
                messages.success(request, _("Your offer is withdrawn; the shift stays yours."))
        else:
            messages.error(request, _("Nothing was changed."))
    except services.ShiftError as exc:
        messages.error(request, str(exc))


@requires(Capability.VIEW_SHIFTS)
def calendar_link(request: HttpRequest) -> HttpResponse:
    """The dispatcher's calendar link. A new link is shown once, right in the answer to the POST
    that made it (only its keyed hash is stored); it replaces the old one."""
    user: User = request.user  # type: ignore[assignment]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "new":
        token = services.do_new_feed_link(user)
        path = reverse("shifts:feed", kwargs={"token": token})
        url = f"{settings.PUBLIC_URL}{path}"
        response = render(
            request,
            "shifts/calendar_link.html",
            {
                "feed_link": feed_link_of(user),
                "new_url": url,
                "webcal_url": "webcal://" + url.split("://", 1)[1],
            },
        )
        # The page holds the secret: no copy in the browser's cache or history.
        response["Cache-Control"] = "no-store"
        return response
    if action == "stop":
        if services.do_stop_feed_link(user):
            messages.success(request, _("Your calendar link no longer works."))
        return redirect("shifts:calendar_link")
    return render(request, "shifts/calendar_link.html", {"feed_link": feed_link_of(user)})


@never_cache
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A dispatcher's shifts for calendar apps, which cannot log in: the secret token in the
    address stands for the login. A wrong or revoked token gets the same 404 as any unknown
    address."""
    owner = feeds.feed_owner(token)
    response = HttpResponse(feeds.feed(owner), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Coordinators -----------------------------------------------------------------------------


@requires(Capability.MANAGE_SHIFTS)
def rota(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    shifts = list(rota_for(user))
    days = [
        (
            label,
            [(s, _with_languages(list(s.dispatchers.all()))) for s in shifts if s.weekday == value],
        )
        for value, label in Weekday.choices
    ]
    return render(request, "shifts/rota.html", {"days": days})


@requires(Capability.MANAGE_SHIFTS)
def shift_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_create_shift(user, **form.cleaned_data)
        except services.ShiftError as exc:
            form.add_error("dispatchers", str(exc))
        else:
            messages.success(request, _("Shift added."))
            return redirect("shifts:rota")
    return render(request, "shifts/shift_form.html", {"form": form})


@requires(Capability.MANAGE_SHIFTS)
def shift_edit(request: HttpRequest, shift_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    shift = access_shift(user, shift_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.do_delete_shift(user, shift)
        messages.success(request, _("Shift removed."))
        return redirect("shifts:rota")
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_for(shift))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_shift(user, shift, **form.cleaned_data)
        except services.ShiftError as exc:
            form.add_error("dispatchers", str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("shifts:rota")
    return render(request, "shifts/shift_form.html", {"form": form, "shift": shift})


@requires(Capability.MANAGE_SHIFTS)
def cover(request: HttpRequest) -> HttpResponse:
    """Put one dispatcher on a coming shift instead of another. ``?occurrence=<shift>:<day>``
    chooses the shift in advance (the links on the Shifts page)."""
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    upcoming = occurrences(now, now + MY_SHIFTS_AHEAD)
    initial = {"occurrence": request.GET.get("occurrence", "")}
    form = CoverForm(request.POST or None, upcoming=upcoming, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = {o.key: o for o in upcoming}[form.cleaned_data["occurrence"]]
        try:
            services.do_assign_cover(
                user,
                chosen.shift,
                chosen.date,
                replaced=form.cleaned_data["replaced"],
                cover=form.cleaned_data["cover"],
                now=now,
            )
        except services.ShiftError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Cover assigned."))
            return redirect("shifts:overview")
    key = form["occurrence"].value() or ""
    parsed = parse_occurrence_key(str(key))
    chosen_occurrence = next(
        (o for o in upcoming if parsed and (o.shift.id, o.date) == parsed), None
    )
    return render(request, "shifts/cover.html", {"form": form, "chosen": chosen_occurrence})


@requires(Capability.MANAGE_SHIFTS)
def fallback(request: HttpRequest) -> HttpResponse:
    """The fallback list: whom calls ring, in order, when no dispatcher is on shift."""
    user: User = request.user  # type: ignore[assignment]
    contacts = fallback_list_for(user)
    form = FallbackAddForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                if form.is_valid():
                    services.do_add_fallback(user, form.cleaned_data["user"])
                    messages.success(request, _("Added to the fallback list."))
                else:
                    messages.error(request, _("Choose an account to add."))
            elif action in {"up", "down", "remove"}:
                contact = contacts.filter(id=_int(request.POST.get("contact"))).first()
                if contact is None:
                    messages.error(request, _("Nothing was changed."))
                elif action == "remove":
                    services.do_remove_fallback(user, contact)
                    messages.success(request, _("Removed from the fallback list."))
                else:
                    services.do_move_fallback(user, contact, -1 if action == "up" else 1)
            else:
                messages.error(request, _("Nothing was changed."))
        except services.ShiftError as exc:
            messages.error(request, str(exc))
        return redirect("shifts:fallback")
    rows = [(c, language_labels(languages_of(c.user))) for c in contacts]
    return render(request, "shifts/fallback.html", {"rows": rows, "form": form})


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 18 else 0
