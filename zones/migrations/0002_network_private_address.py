from django.conf import settings
from django.db import migrations, models


def give_existing_networks_addresses(apps, schema_editor):
    Network = apps.get_model("zones", "Network")
    free = iter(settings.DNS_PRIVATE_ADDRESSES)
    for network in Network.objects.order_by("pk"):
        network.private_address = next(free)
        network.save(update_fields=["private_address"])


class Migration(migrations.Migration):
    dependencies = [
        ("zones", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="network",
            name="private_address",
            field=models.GenericIPAddressField(blank=True, null=True, unique=True),
        ),
        migrations.RunPython(give_existing_networks_addresses, migrations.RunPython.noop),
    ]
