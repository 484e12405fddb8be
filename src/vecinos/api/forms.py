from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.core.models import User


class IssueTokenForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Acts as"),
        queryset=User.objects.none(),
        help_text=_("The token can do exactly what this account can do, no more."),
    )
    name = forms.CharField(
        label=_("What it is for"),
        max_length=100,
        help_text=_("For example: the legal partners' case tool."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]
