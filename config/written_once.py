"""Rows written once and never changed or deleted: the escalation log, contact
notes, the audit log, schedule changes and the Part 2 records. A mistake is
put right by a new row, so what staff saw and did stays as it was.

Only `save()` and `delete()` on one instance are refused here; bulk updates
and deletes through a queryset are not used on these tables (and a member's
or organization's removal still cascades to them)."""

from django.db import models


class AppendOnlyError(ValueError):
    """A written-once row was about to be changed or deleted."""


class WrittenOnce(models.Model):
    """Saved once, never updated or deleted."""

    # Added to the refusal: how to put a mistake right, where there is a way.
    refusal_hint = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{self._refused()} cannot be changed{self.refusal_hint}.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._refused()} cannot be deleted{self.refusal_hint}.")

    def _refused(self) -> str:
        return str(self._meta.verbose_name_plural).capitalize()
