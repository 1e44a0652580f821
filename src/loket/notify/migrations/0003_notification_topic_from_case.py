# Each notice about a case gets the topic and link that cases.notices now writes: topic
# "case:<reference>", link to the applicant's page of the case in the notice's language.

from django.db import migrations
from django.urls import NoReverseMatch, reverse
from django.utils import translation

BATCH = 1000


def case_link(reference, language):
    try:
        with translation.override(language or "fr"):
            return reverse("web:case", args=[reference])
    except NoReverseMatch:  # the page was renamed since: the inbox shows the subject alone
        return ""


def fill_topic_and_link(apps, schema_editor):
    Notification = apps.get_model("notify", "Notification")
    notices = Notification.objects.filter(case__isnull=False).select_related("case").order_by("pk")
    batch = []
    for notice in notices.iterator(chunk_size=BATCH):
        notice.topic = f"case:{notice.case.reference}"
        notice.link = case_link(notice.case.reference, notice.language)
        batch.append(notice)
        if len(batch) == BATCH:
            Notification.objects.bulk_update(batch, ["topic", "link"])
            batch = []
    Notification.objects.bulk_update(batch, ["topic", "link"])


def fill_case_from_topic(apps, schema_editor):
    Notification = apps.get_model("notify", "Notification")
    Case = apps.get_model("cases", "Case")
    for notice in Notification.objects.filter(topic__startswith="case:").order_by("pk").iterator():
        notice.case = Case.objects.filter(reference=notice.topic.removeprefix("case:")).first()
        notice.save(update_fields=["case"])


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0002_notification_topic_link'),
        ('cases', '0005_case_channel'),
    ]

    operations = [
        migrations.RunPython(fill_topic_and_link, fill_case_from_topic),
    ]
