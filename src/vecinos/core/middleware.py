"""Request guards that apply to every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django_otp import user_has_device

from vecinos.core.permissions import needs_two_factor, two_factor_passed

# Pages a half-logged-in account may reach: the two-factor pages, log out, change language.
TWO_FACTOR_EXEMPT = frozenset(
    {"core:two_factor_setup", "core:two_factor_verify", "core:logout", "core:set_language"}
)


class PreferredLanguageMiddleware:
    """A logged-in person sees their saved language, whatever the browser asks for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Until a session passed its second factor, an account that has one (or whose role requires
    one) sees only the page that asks for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or two_factor_passed(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT:
            return None
        if user_has_device(user):
            target = "core:two_factor_verify"
        elif needs_two_factor(user):
            target = "core:two_factor_setup"
        else:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
