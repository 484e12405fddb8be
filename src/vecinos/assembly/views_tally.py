"""The paper-ballot page: upload a CSV of ballots, see the count (nothing is stored)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vecinos.assembly.ballots import BallotError
from vecinos.assembly.counting import CountingError
from vecinos.assembly.forms_tally import TallyForm
from vecinos.assembly.paper import PaperTally, count_file, irv_table, score_rows
from vecinos.core.permissions import Capability, requires


@requires(Capability.RUN_MEETINGS)
@never_cache
def tally(request: HttpRequest) -> HttpResponse:
    form = TallyForm(request.POST or None, request.FILES or None)
    result: PaperTally | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = count_file(
                data["file"].read(),
                data["method"],
                options=data["options"],
                lot=data["lot"],
                low=data["low"],
                high=data["high"],
                gaps=data["gaps"],
            )
        except BallotError as error:
            form.add_error("file", error.describe())
        except CountingError as error:
            field = "lot" if error.code == "unknown_option" else "file"
            form.add_error(field, describe_counting_error(error))
    context: dict[str, Any] = {"form": form, "result": result}
    if result is not None and result.irv is not None:
        context["irv"] = irv_table(result.irv)
    if result is not None and result.ranking is not None:
        context["runs"] = [irv_table(run) for run in result.ranking.runs]
    if result is not None and result.score is not None:
        context["score_rows"] = score_rows(result.score)
    status = 400 if request.method == "POST" and result is None else 200
    return render(request, "assembly/tally/upload.html", context, status=status)


def describe_counting_error(error: CountingError) -> str:
    if error.code == "unknown_option":
        return _("“%(option)s” is not one of the options.") % {"option": error.option or ""}
    return _("These ballots cannot be counted.")
