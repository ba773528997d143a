"""A Message kind for the notice a supporter gets of a member's free text (inbox/notices.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sms', '0003_staff_reply_kind'),
    ]

    operations = [
        migrations.AlterField(
            model_name='message',
            name='kind',
            field=models.CharField(choices=[('prompt', 'Check-in question'), ('reply', 'Reply'), ('notification', 'Alert to staff'), ('system', 'System'), ('text', 'Text from a person'), ('staff_reply', 'Text from staff to a member'), ('staff_notice', "Notice to staff of a member's text")], max_length=12),
        ),
    ]
