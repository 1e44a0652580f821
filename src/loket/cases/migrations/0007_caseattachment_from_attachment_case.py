# Every file linked to a case keeps its case: one CaseAttachment per Attachment.case.

from django.db import migrations

BATCH = 1000


def copy_links(apps, schema_editor):
    Attachment = apps.get_model("loket_forms", "Attachment")
    CaseAttachment = apps.get_model("cases", "CaseAttachment")
    links = Attachment.objects.filter(case_id__isnull=False).order_by("pk").values_list("pk", "case_id")
    batch = []
    for attachment_id, case_id in links.iterator(chunk_size=BATCH):
        batch.append(CaseAttachment(case_id=case_id, attachment_id=attachment_id))
        if len(batch) == BATCH:
            CaseAttachment.objects.bulk_create(batch)
            batch = []
    CaseAttachment.objects.bulk_create(batch)


def copy_links_back(apps, schema_editor):
    Attachment = apps.get_model("loket_forms", "Attachment")
    CaseAttachment = apps.get_model("cases", "CaseAttachment")
    for link in CaseAttachment.objects.order_by("pk").iterator():
        Attachment.objects.filter(pk=link.attachment_id).update(case_id=link.case_id)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_caseattachment'),
    ]

    operations = [
        migrations.RunPython(copy_links, copy_links_back),
    ]
