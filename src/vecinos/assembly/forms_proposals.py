"""Forms for proposals, votes, ballots, the room's counts and actions. Every bad input gets a
clear error next to its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.assembly import voting
from vecinos.assembly.choices_proposals import (
    BALLOT_METHODS,
    OPTION_METHODS,
    Answer,
    VoteMethod,
)
from vecinos.assembly.models import Assembly, Meeting
from vecinos.assembly.models_proposals import Vote, VoteOption
from vecinos.organizing.models import Person

MAX_OPTIONS = 8


def language_choices(codes: list[str] | None = None) -> list[tuple[str, str]]:
    """The interface's languages, or those of ``codes`` that the interface has (in order)."""
    names = dict(settings.LANGUAGES)
    wanted = [c for c in (codes or []) if c in names] or list(names)
    return [(code, str(names[code])) for code in wanted]


def room_languages(assembly: Assembly) -> list[str]:
    """The languages a body's proposals are shown in side by side: the room's languages, else
    the interface's."""
    return [code for code, _name in language_choices(list(assembly.languages or []))]


class ProposalForm(forms.Form):
    language = forms.ChoiceField(label=_("Written in"))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    meeting = forms.ModelChoiceField(
        label=_("Meeting (optional)"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(room_languages(assembly))  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = Meeting.objects.filter(  # type: ignore[attr-defined]
            assembly=assembly
        ).order_by("-starts_at")


class TextForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class AmendmentForm(forms.Form):
    body = forms.CharField(
        label=_("The change you propose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    language = forms.ChoiceField(label=_("Written in"))

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(room_languages(assembly))  # type: ignore[attr-defined]


class VoteForm(forms.Form):
    method = forms.ChoiceField(label=_("How the body decides"), choices=VoteMethod.choices)
    secret = forms.BooleanField(
        label=_("Secret ballot (who voted is known, not how)"), required=False
    )
    dots_per_voter = forms.IntegerField(
        label=_("Dots per person (dot voting)"), min_value=1, max_value=20, initial=3
    )
    score_max = forms.IntegerField(
        label=_("Highest score (score voting)"), min_value=1, max_value=10, initial=5
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = room_languages(assembly)
        for code, name in language_choices(self.languages):
            self.fields[f"options_{code}"] = forms.CharField(
                label=_("Options in %(language)s, one a line (ranked, dot and score votes)")
                % {"language": name},
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        per_language = {
            code: [
                line.strip()
                for line in data.get(f"options_{code}", "").splitlines()
                if line.strip()
            ]
            for code in self.languages
        }
        filled = {code: lines for code, lines in per_language.items() if lines}
        options: list[dict[str, str]] = []
        if data.get("method") in OPTION_METHODS:
            if not filled:
                raise forms.ValidationError(_("Write the options, one a line."))
            sizes = {len(lines) for lines in filled.values()}
            if len(sizes) > 1:
                raise forms.ValidationError(
                    _("Each language needs the same number of options, in the same order.")
                )
            size = sizes.pop()
            if size < 2:
                raise forms.ValidationError(_("Give at least two options."))
            if size > MAX_OPTIONS:
                raise forms.ValidationError(
                    _("At most %(count)s options.") % {"count": MAX_OPTIONS}
                )
            options = [
                {code: lines[i][:200] for code, lines in filled.items()} for i in range(size)
            ]
        data["options"] = options
        return data


class OpenVoteForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("Remote voting closes (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Announce it, so that members on night shifts can vote in time."),
    )
    announce = forms.BooleanField(
        label=_("Text the members the question and how to answer"), required=False, initial=True
    )

    def clean_closes_at(self) -> Any:
        closes_at = self.cleaned_data.get("closes_at")
        if closes_at is not None and closes_at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return closes_at


class BallotForm(forms.Form):
    """A ballot on the web, shaped by the vote's method. ``proxy_members`` adds the member a
    facilitator records a proxy vote for."""

    def __init__(
        self,
        *args: Any,
        vote: Vote,
        options: list[VoteOption],
        language: str,
        proxy_members: list[Person] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.vote, self.options = vote, options
        self.letters = [o.letter for o in options]
        if proxy_members is not None:
            self.fields["member"] = forms.TypedChoiceField(
                label=_("Member who asked for the proxy"),
                choices=[("", "—"), *[(p.id, p.full_name) for p in proxy_members]],
                coerce=int,
            )
        answers = voting.answers_for(vote.method)
        if answers:
            self.fields["answer"] = forms.ChoiceField(
                label=_("Your answer"),
                choices=[(a, Answer(a).label) for a in answers],
                widget=forms.RadioSelect,
            )
            if vote.method == VoteMethod.CONSENSUS:
                self.fields["reason"] = forms.CharField(
                    label=_("Reason for a block"),
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            return
        for option in options:
            label = f"{option.letter}. {option.label_in(language)}"
            if vote.method in {VoteMethod.IRV, VoteMethod.RANKING}:
                self.fields[f"o_{option.letter}"] = forms.TypedChoiceField(
                    label=label,
                    choices=[
                        ("", _("Not ranked")),
                        *[(i, f"{i}") for i in range(1, len(options) + 1)],
                    ],
                    coerce=int,
                    required=False,
                    empty_value=None,
                )
            elif vote.method == VoteMethod.DOTS:
                self.fields[f"o_{option.letter}"] = forms.IntegerField(
                    label=label, min_value=0, max_value=vote.dots_per_voter, required=False
                )
            else:
                self.fields[f"o_{option.letter}"] = forms.TypedChoiceField(
                    label=label,
                    choices=[
                        ("", _("No score")),
                        *[(i, f"{i}") for i in range(vote.score_max + 1)],
                    ],
                    coerce=int,
                    required=False,
                    empty_value=None,
                )
        self.fields["abstain"] = forms.BooleanField(label=_("I abstain"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["choice"] = self._choice(data)
        except voting.BallotError as error:
            raise forms.ValidationError(str(error)) from error
        return data

    def _choice(self, data: dict[str, Any]) -> voting.Choice:
        if "answer" in self.fields:
            answer = data["answer"]
            reason = (data.get("reason") or "").strip()
            if answer == Answer.ABSTAIN:
                return voting.Choice(abstain=True)
            if answer == Answer.BLOCK and not reason:
                raise voting.BallotError(_("A block needs its reason."))
            return voting.Choice(answer=answer, reason=reason if answer == Answer.BLOCK else "")
        if data.get("abstain"):
            return voting.Choice(abstain=True)
        given = {
            letter: data[f"o_{letter}"]
            for letter in self.letters
            if data.get(f"o_{letter}") is not None
        }
        if self.vote.method in {VoteMethod.IRV, VoteMethod.RANKING}:
            if len(set(given.values())) != len(given):
                raise voting.BallotError(_("Give each rank to one option only."))
            ranking = [letter for letter, _rank in sorted(given.items(), key=lambda kv: kv[1])]
            if not ranking:
                raise voting.BallotError(_("Rank at least one option, or abstain."))
            return voting.choice_from_ranking(ranking, self.letters)
        choice = voting.choice_from_points(self.vote, self.letters, given)
        if choice.abstain:
            raise voting.BallotError(_("Give at least one option a dot or a score, or abstain."))
        return choice


class RoomCountForm(forms.Form):
    """The hands counted in the room: per answer, or the dots per option."""

    room_voters = forms.IntegerField(
        label=_("People who voted in the room"),
        min_value=0,
        required=False,
        help_text=_("For the quorum. Left empty: the number of hands counted."),
    )
    room_note = forms.CharField(
        label=_("Reasons for blocks from the room"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, vote: Vote, options: list[VoteOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys: list[str] = []
        answers = voting.answers_for(vote.method)
        if answers:
            for answer in answers:
                self.fields[f"n_{answer}"] = forms.IntegerField(
                    label=_("Hands for %(answer)s") % {"answer": Answer(answer).label},
                    min_value=0,
                    required=False,
                )
                self.keys.append(answer)
        else:
            for option in options:
                self.fields[f"n_{option.letter}"] = forms.IntegerField(
                    label=_("Dots for %(option)s") % {"option": option.letter},
                    min_value=0,
                    required=False,
                )
                self.keys.append(option.letter)
        if vote.method != VoteMethod.CONSENSUS:
            del self.fields["room_note"]
        self.order_fields([f"n_{k}" for k in self.keys])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["counts"] = {k: data.get(f"n_{k}") or 0 for k in self.keys}
        if data["counts"].get(Answer.BLOCK) and not (data.get("room_note") or "").strip():
            self.add_error("room_note", _("Write down the reason for the block."))
        return data


class RoomBallotsForm(forms.Form):
    """The room's paper ballots for ranked and score votes, typed in one a line."""

    ballots = forms.CharField(
        label=_("Paper ballots from the room, one a line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_('As members text them: "B A C" for a ranking, "A5 B3" for scores.'),
    )

    def __init__(self, *args: Any, vote: Vote, options: list[VoteOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vote, self.letters = vote, [o.letter for o in options]

    def clean_ballots(self) -> list[voting.Choice]:
        read = []
        for number, line in enumerate(self.cleaned_data["ballots"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                read.append(voting.read_choice(self.vote, self.letters, line))
            except voting.BallotError as error:
                raise forms.ValidationError(
                    _("Line %(number)s: %(error)s") % {"number": number, "error": error}
                ) from error
        return read


class ActionForm(forms.Form):
    description = forms.CharField(label=_("What is to be done"), max_length=300)
    working_group = forms.ModelChoiceField(
        label=_("Working group"), queryset=Assembly.objects.none(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False
    )
    due_on = forms.DateField(
        label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        from vecinos.assembly.decisions import working_groups_of

        super().__init__(*args, **kwargs)
        self.fields["working_group"].queryset = working_groups_of(assembly)  # type: ignore[attr-defined]
        self.fields["person"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            assembly_memberships__assembly=assembly
        ).order_by("full_name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("working_group") and not data.get("person"):
            raise forms.ValidationError(_("Assign it to a working group or a person."))
        return data


def uses_paper_ballots(vote: Vote) -> bool:
    return vote.method in BALLOT_METHODS
