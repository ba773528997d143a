"""API tokens expire: tokens issued before this get API_TOKEN_TTL_DAYS from
their creation (so very old ones stop working at once)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def expire_from_creation(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ttl = timedelta(days=settings.API_TOKEN_TTL_DAYS)
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + ttl)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(name="apitoken", options={"ordering": ["-created_at", "-id"]}),
        migrations.AddField(model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(expire_from_creation, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField()),
    ]
