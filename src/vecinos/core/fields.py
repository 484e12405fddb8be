"""Model fields for sensitive values: encrypted at rest, searchable only through a keyed hash."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from vecinos.core import crypto

HASH_PURPOSES = ("phone", "email")


def hash_input(value: str, purpose: str) -> str:
    """The canonical form that is hashed: phone numbers are already E.164, e-mail is case-folded."""
    if purpose == "email":
        return value.strip().lower()
    return value.strip()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]  # stubs' generics vary
    """Text stored sealed with the field key. It cannot be filtered on; filter on its keyed hash."""

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted and cannot be searched with '{lookup_name}'; "
                "use its keyed hash field"
            )
        return super().get_lookup(lookup_name)


class KeyedHashField(models.CharField):  # type: ignore[type-arg]  # stubs' generics vary
    """Keyed hash of another field's value, recomputed on every save of that row.

    ``update()`` on a queryset bypasses it: change sensitive fields through the model's service.
    """

    def __init__(self, *args: Any, source: str, purpose: str, **kwargs: Any) -> None:
        if purpose not in HASH_PURPOSES:
            raise ValueError(f"purpose must be one of {HASH_PURPOSES}")
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        plain = getattr(model_instance, self.source)
        value = crypto.keyed_hash(hash_input(plain, self.purpose), self.purpose) if plain else ""
        setattr(model_instance, self.attname, value)
        return value
