"""One unresolved alert per member, whatever the topic (alerts.routing); info
alerts (unreachable: never texted, not risk) keep one per member and topic.

Members may have several unresolved alerts today, one per topic. They are
kept exactly as they are: no alert is merged, resolved or changed, so nobody's
acknowledgement, escalation timer or log moves under them. The new rule then
applies going forward:

- With no such member (a new deployment, or every extra alert resolved), the
  index is the model's, exactly.
- Otherwise the index leaves out the alerts that exist now (`id` up to the
  highest one at migration time, written into the index). Those are resolved
  one by one by staff as usual; meanwhile routing adds a member's new findings
  to their most severe (then oldest) unresolved alert rather than making
  another, and every alert made from now on is held to one per member. A later
  migration may replace the index with the model's exact one once no member
  has more than one.

The table is locked against writes while this looks and builds (PostgreSQL),
so an alert made by a process still running the old code cannot slip in
between the look and the index. Values are written out here, not read from
the models, so the migration means the same thing whenever it runs.
"""

from django.db import migrations, models
from django.db.models import Count, Max, Q

NAME = "one_unresolved_alert_per_member"
RISK_UNRESOLVED = ~Q(status="resolved") & ~Q(severity="info")


def one_per_member(condition: Q) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["member"], condition=condition, name=NAME)


def add_one_per_member(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    db = schema_editor.connection.alias
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"LOCK TABLE {schema_editor.quote_name(Alert._meta.db_table)} IN SHARE MODE")
    several = (
        Alert.objects.using(db)
        .filter(RISK_UNRESOLVED)
        .values("member")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    condition = RISK_UNRESOLVED
    if several:
        existing_up_to = Alert.objects.using(db).aggregate(last=Max("id"))["last"]
        condition = RISK_UNRESOLVED & Q(id__gt=existing_up_to)
    schema_editor.add_constraint(Alert, one_per_member(condition))


def remove_one_per_member(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    schema_editor.remove_constraint(Alert, one_per_member(RISK_UNRESOLVED))


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_contact_request_rule")]

    operations = [
        migrations.RemoveConstraint(model_name="alert", name="one_unresolved_alert_per_member_and_topic"),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(
                fields=["member", "topic"],
                condition=~Q(status="resolved") & Q(severity="info"),
                name="one_unresolved_info_alert_per_member_and_topic",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddConstraint(model_name="alert", constraint=one_per_member(RISK_UNRESOLVED))],
            database_operations=[migrations.RunPython(add_one_per_member, remove_one_per_member)],
        ),
    ]
