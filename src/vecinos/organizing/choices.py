"""Choices for organizing, each with a translated label."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpokenLanguage(models.TextChoices):
    """Languages people in the neighborhood speak. Indigenous languages of Mexico and Guatemala are
    listed on their own: a Mixteco speaker may not be reached in Spanish."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    KOREAN = "ko", _("Korean")
    MIXTEC = "mix", _("Mixtec")
    ZAPOTEC = "zap", _("Zapotec")
    KICHE = "quc", _("K'iche'")
    TAGALOG = "tl", _("Tagalog")
    CHINESE = "zh", _("Chinese")
    VIETNAMESE = "vi", _("Vietnamese")
    ARMENIAN = "hy", _("Armenian")
    OTHER = "other", _("Another language")
