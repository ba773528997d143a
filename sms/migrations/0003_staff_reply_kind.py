"""A Message kind for a text staff send to a member (POST /members/{id}/messages)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sms', '0002_provider_check'),
    ]

    operations = [
        migrations.AlterField(
            model_name='message',
            name='kind',
            field=models.CharField(choices=[('prompt', 'Check-in question'), ('reply', 'Reply'), ('notification', 'Alert to staff'), ('system', 'System'), ('text', 'Text from a person'), ('staff_reply', 'Text from staff to a member')], max_length=12),
        ),
    ]
