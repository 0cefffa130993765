from django.db import migrations, models

from zones.rules import canonical_sort_key


def fill_sort_keys(apps, schema_editor):
    """Give existing zones and record sets the key of their names, a chunk of rows at a time."""
    for model_name in ("HostedZone", "RecordSet"):
        model = apps.get_model("zones", model_name)
        last = 0
        while True:
            rows = list(model.objects.filter(pk__gt=last).order_by("pk").only("pk", "name")[:5000])
            if not rows:
                break
            for row in rows:
                row.sort_key = canonical_sort_key(row.name)
            model.objects.bulk_update(rows, ["sort_key"])
            last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("zones", "0004_vpc_association_authorization"),
    ]

    operations = [
        migrations.AddField(
            model_name="hostedzone",
            name="sort_key",
            field=models.CharField(default="", editable=False, max_length=512),
        ),
        migrations.AddField(
            model_name="recordset",
            name="sort_key",
            field=models.CharField(default="", editable=False, max_length=512),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="hostedzone",
            index=models.Index(fields=["owner", "sort_key", "id"], name="zones_zone_owner_order"),
        ),
        migrations.AddIndex(
            model_name="recordset",
            index=models.Index(
                fields=["hosted_zone", "sort_key", "type", "set_identifier"], name="zones_rs_order"
            ),
        ),
    ]
