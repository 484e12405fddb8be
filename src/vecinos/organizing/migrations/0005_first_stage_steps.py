"""Everyone already known starts on the ladder as a contact, dated when they were added."""

from django.db import migrations


def first_steps(apps, schema_editor):  # type: ignore[no-untyped-def]
    Person = apps.get_model("organizing", "Person")
    StageStep = apps.get_model("organizing", "StageStep")
    batch = []
    for person_id, created_at in Person.objects.values_list("id", "created_at").iterator():
        batch.append(StageStep(person_id=person_id, stage="contact", at=created_at))
        if len(batch) >= 1000:
            StageStep.objects.bulk_create(batch)
            batch = []
    StageStep.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("organizing", "0004_stages_and_circles")]

    operations = [migrations.RunPython(first_steps, migrations.RunPython.noop)]
