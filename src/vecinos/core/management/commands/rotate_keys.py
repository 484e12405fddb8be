from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from vecinos import keyfiles
from vecinos.core import audit, crypto
from vecinos.core.fields import EncryptedTextField, KeyedHashField

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value, and recompute every keyed hash, with the newest key "
        "(the first in VECINOS_FIELD_KEY). Once it reports nothing left, older keys can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key", action="store_true", help="Print a fresh key to put first, and stop."
        )

    def handle(self, *args: Any, new_key: bool, **options: Any) -> None:
        if new_key:
            self.stdout.write(keyfiles.new_field_key())
            self.stderr.write(
                "Put this key first in VECINOS_FIELD_KEY (new,old), restart, then run "
                "`vecinos rotate-keys`."
            )
            return
        current = crypto.current_key_id()
        total = 0
        for model in apps.get_models():
            encrypted = [
                f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
            ]
            if not encrypted:
                continue
            hashed = [f.name for f in model._meta.concrete_fields if isinstance(f, KeyedHashField)]
            rotated = self.rotate_model(model, [f.name for f in encrypted], hashed, current)
            total += rotated
            self.stdout.write(f"{model._meta.label}: {rotated} re-encrypted")
        audit.record(None, audit.KEYS_ROTATED, rows=total, key_id=current)
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use key {current}."))

    def rotate_model(self, model: Any, fields: list[str], hashed: list[str], current: str) -> int:
        """Re-save rows where any encrypted column was sealed with an older key. Rows are read raw
        (cast to text) so the key id can be seen without decrypting."""
        raw = {f"raw_{name}": Cast(name, output_field=TextField()) for name in fields}
        stale = [
            row[0]
            for row in model._default_manager.annotate(**raw)
            .values_list("pk", *raw)
            .iterator(chunk_size=BATCH)
            if any(value and crypto.token_key_id(value) != current for value in row[1:])
        ]
        for start in range(0, len(stale), BATCH):
            with transaction.atomic():
                for obj in model._default_manager.filter(pk__in=stale[start : start + BATCH]):
                    obj.save(update_fields=[*fields, *hashed])
        return len(stale)
