"""The versioned JSON API: `/api/v1/`, described at `/api/v1/schema`.

Every endpoint acts as the account behind a bearer token and goes through the same capability
checks and services as the pages, so the API can do exactly what that person can do on screen.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer

from vecinos.api.services import account_for
from vecinos.core.models import User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        account = account_for(token)
        if account is not None:
            # Services and templates read the acting person from request.user, as on pages.
            request.user = account
        return account


api = NinjaAPI(
    title="Vecinos",
    version="1",
    description=(
        "The dispatcher console's actions for partner tools and scripts. Authenticate with "
        "`Authorization: Bearer <token>`; a coordinator issues and revokes tokens."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    openapi_url="/schema",
    # The interactive docs page loads scripts from a CDN; the schema alone is served.
    docs_url=None,
)


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("Your account may not do this.")}, status=403)


def _mount() -> None:
    from vecinos.hotline.api import router as hotline
    from vecinos.responders.api import router as responders

    api.add_router("/", hotline)
    api.add_router("/", responders)


_mount()
