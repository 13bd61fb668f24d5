from django.db import models


class Office(models.Model):
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=120)

    class Meta:
        managed = False
        db_table = "office"

    def __str__(self):
        return f"{self.name} ({self.code})"


class Officer(models.Model):
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)

    class Meta:
        managed = False
        db_table = "user"

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Application(models.Model):
    reference = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    exporter_name = models.CharField(max_length=200)
    exporter_eori = models.CharField(max_length=17)
    submitted_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField()
    answer_deadline = models.DateTimeField(null=True)
    office = models.ForeignKey(Office, models.DO_NOTHING, db_column="office_id")
    assigned_officer = models.ForeignKey(Officer, models.DO_NOTHING, db_column="assigned_officer_id", null=True)

    class Meta:
        managed = False
        db_table = "application"


class ToInstruct(Application):
    class Meta:
        proxy = True


class AllFiles(Application):
    class Meta:
        proxy = True
