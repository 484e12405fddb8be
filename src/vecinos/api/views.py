"""The coordinators' page for API tokens: issue (shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vecinos.api import services
from vecinos.api.forms import IssueTokenForm
from vecinos.api.models import ApiToken
from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires


@requires(Capability.MANAGE_API_TOKENS)
def token_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    if request.method == "POST" and "revoke" in request.POST:
        token_id = request.POST["revoke"]
        if token_id.isdigit() and services.do_revoke_token(actor, int(token_id)):
            messages.success(request, _("Token revoked. Tools using it are refused from now on."))
        return redirect("api:token_list")
    form = IssueTokenForm(request.POST or None)
    issued = ""
    if request.method == "POST" and form.is_valid():
        _row, issued = services.do_issue_token(
            actor, form.cleaned_data["account"], form.cleaned_data["name"]
        )
        form = IssueTokenForm()
    tokens = ApiToken.objects.select_related("account", "issued_by")[:200]
    return render(
        request, "api/token_list.html", {"form": form, "tokens": tokens, "issued": issued}
    )
