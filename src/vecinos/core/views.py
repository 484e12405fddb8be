"""Pages for logging in, two-factor login, the home dashboard, accounts and the audit log."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from vecinos.core import audit, services
from vecinos.core.choices import Role
from vecinos.core.demo import NotADemoAccountError, current_code
from vecinos.core.forms import (
    AccountCreateForm,
    AccountRolesForm,
    AuditFilterForm,
    LanguageForm,
    LoginForm,
    TokenForm,
)
from vecinos.core.htmx import htmx_partial
from vecinos.core.models import RoleAssignment, User
from vecinos.core.permissions import (
    Capability,
    can,
    needs_two_factor,
    requires,
    two_factor_passed,
)
from vecinos.core.queries import (
    AuditFilter,
    access_account,
    accounts_for,
    audit_actors,
    audit_events_for,
)
from vecinos.messaging.health import open_problems
from vecinos.organizing.queries import responder_languages


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(form.get_user(), audit.USER_LOGGED_IN)
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:login")


def _safe_next(request: HttpRequest, fallback: str = "core:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def _with_next(view_name: str, request: HttpRequest) -> str:
    return f"{reverse(view_name)}?{urlencode({'next': _safe_next(request)})}"


@requires(None)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan a QR code, type the first code: that authenticator is now the second factor."""
    user: User = request.user  # type: ignore[assignment]
    if two_factor_passed(user):
        return redirect(_safe_next(request))
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect(_with_next("core:two_factor_verify", request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.do_confirm_two_factor(user, device)
            otp_login(request, device)
            messages.success(request, _("Two-factor login is set up."))
            return redirect(_safe_next(request))
        form.add_error("token", _("That code did not match. Check the time on your phone."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    secret = _grouped_secret(device)
    return render(
        request,
        "core/two_factor_setup.html",
        {
            "form": form,
            # The SVG is generated here from the device's own URL, never from user input.
            "qr_svg": mark_safe(image.to_string(encoding="unicode")),  # noqa: S308
            "secret": secret,
            "required": needs_two_factor(user),
            "next": _safe_next(request),
            "demo_code": _demo_code(user, device),
        },
    )


@requires(None)
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if two_factor_passed(user):
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect(_with_next("core:two_factor_setup", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a minute and try again."))
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        else:
            form.add_error("token", _("That code did not match. Check the time on your phone."))
    return render(
        request,
        "core/two_factor_verify.html",
        {"form": form, "next": _safe_next(request), "demo_code": _demo_code(user, device)},
    )


def _grouped_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _demo_code(user: User, device: TOTPDevice) -> str:
    try:
        return current_code(user, device)
    except NotADemoAccountError:
        return ""


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; a logged-in person's choice is remembered on their account."""
    form = LanguageForm(request.POST)
    response: HttpResponse = HttpResponseRedirect(_safe_next(request))
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.do_set_language(request.user, language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax"
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    return response


@requires(None)
def home(request: HttpRequest) -> HttpResponse:
    """Each person's start page: what their roles let them do, with live counts."""
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, object] = {"roles": user.role_labels()}
    if can(user, Capability.VIEW_DISPATCH_OVERVIEW):
        responders = RoleAssignment.objects.filter(role=Role.RESPONDER, user__is_active=True)
        dispatchers = RoleAssignment.objects.filter(role=Role.DISPATCHER, user__is_active=True)
        context["responder_count"] = responders.count()
        context["dispatcher_count"] = dispatchers.count()
        context["responder_languages"] = responder_languages()
    if can(user, Capability.MANAGE_GATEWAYS):
        context["gateway_problems"] = open_problems()
    return render(request, "core/home.html", context)


@requires(None)
def my_account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "core/my_account.html",
        {
            "roles": user.role_labels(),
            "has_two_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "needs_two_factor": needs_two_factor(user),
            "language_form": LanguageForm(
                initial={"language": user.preferred_language, "next": reverse("core:my_account")}
            ),
        },
    )


@requires(Capability.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actors=list(audit_actors()))
    filters = AuditFilter()
    if form.is_valid():
        filters = AuditFilter(**{k: v for k, v in form.cleaned_data.items() if v})
    events = audit_events_for(request.user, filters)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "core/partials/audit_table.html" if htmx_partial(request) else "core/audit_log.html"
    return render(request, template, {"form": form, "page": page})


@requires(Capability.MANAGE_ACCOUNTS)
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = accounts_for(request.user)  # type: ignore[arg-type]
    role = request.GET.get("role", "")
    if role in Role.values:
        accounts = accounts.filter(role_assignments__role=role)
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    counts = dict(
        RoleAssignment.objects.values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    roles = [(value, label, counts.get(value, 0)) for value, label in Role.choices]
    return render(request, "core/account_list.html", {"page": page, "roles": roles, "role": role})


@requires(Capability.MANAGE_ACCOUNTS)
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = services.do_create_account(request.user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Account created."))
        return redirect("core:account_detail", account_id=account.id)
    return render(request, "core/account_create.html", {"form": form})


@requires(Capability.MANAGE_ACCOUNTS)
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    account = access_account(actor, account_id)
    form = AccountRolesForm(request.POST or None, initial={"roles": sorted(account.roles)})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "roles" and form.is_valid():
                services.do_set_roles(actor, account, form.cleaned_data["roles"])
                messages.success(request, _("Roles saved."))
            elif action == "reset_two_factor":
                services.do_reset_two_factor(actor, account)
                messages.success(request, _("Two-factor login reset."))
            elif action == "unlock":
                services.do_unlock_login(actor, account)
                messages.success(request, _("Login unlocked."))
            elif action in {"deactivate", "reactivate"}:
                services.do_set_active(actor, account, action == "reactivate")
                messages.success(request, _("Account saved."))
            else:
                messages.error(request, _("Nothing was changed."))
        except ValueError:
            messages.error(request, _("You cannot do that to your own account."))
        return redirect("core:account_detail", account_id=account.id)
    return render(
        request,
        "core/account_detail.html",
        {
            "account": account,
            "form": form,
            "has_two_factor": TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
            "failures": AccessAttempt.objects.filter(username=account.username).aggregate(
                n=Sum("failures_since_start")
            )["n"]
            or 0,
        },
    )
