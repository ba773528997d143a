"""The records a 42 CFR Part 2 program shows an auditor (docs/privacy.md):
each member's consent to be texted, every disclosure of member data that
leaves the product, and every view of a member's answers, conversation or
notes by staff. All three are written once and never changed or deleted.

This app sits below checkins (it names members by string reference and
imports nothing above accounts), so checkins can ask it whether a member may
be texted."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now

from config.written_once import WrittenOnce

# 42 CFR §2.32(a)(1), the notice that accompanies each disclosure made with
# the patient's consent (2024 final rule). Organizations may replace it
# (Organization.disclosure_notice); check the wording with counsel.
PART2_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
    "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
    "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, "
    "State, or local authority, against the patient, unless authorized by the consent of the patient, except as "
    "provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In "
    "addition, the Federal rules prohibit you from making any other use or disclosure of this record unless at "
    "least one of the following applies: (i) Further use or disclosure is expressly permitted by the written "
    "consent of the individual whose information is being disclosed in this record or as otherwise permitted by "
    "42 CFR part 2. (ii) You are a covered entity or business associate and have received the record for "
    "treatment, payment, or health care operations, or (iii) You have received the record from a covered entity "
    "or business associate as permitted by 45 CFR part 164, subparts A and E. A general authorization for the "
    "release of medical or other information is NOT sufficient to meet the required elements of written consent "
    "to further use or redisclose the record (see 42 CFR 2.31)."
)


class ConsentText(models.Model):
    """The exact words a member agrees to, versioned. A consent record copies
    the words it was given with, so a later edit changes no past record."""

    version = models.CharField(max_length=40)
    language = models.CharField(max_length=2, default="en")
    body = models.TextField()
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["version", "language"], name="consent_text_once")]

    def __str__(self) -> str:
        return f"Consent text {self.version} ({self.language})"


class ConsentRecord(WrittenOnce):
    class Kind(models.TextChoices):
        GRANTED = "granted", "Granted"
        REVOKED = "revoked", "Revoked"

    class Method(models.TextChoices):
        VERBAL = "verbal", "Verbal, recorded by staff"
        WRITTEN = "written", "Written (signed form)"
        TEXT_REPLY = "text_reply", "By text reply"
        STAFF = "staff", "As given by staff"
        CARRIER = "carrier", "Carrier opt-out"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("checkins.Member", on_delete=models.CASCADE, related_name="consent_records")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    method = models.CharField(max_length=12, choices=Method.choices)
    staff = models.ForeignKey("accounts.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text_version = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True, help_text="The exact words agreed to (for a grant).")
    reason = models.TextField(blank=True, help_text="Why staff recorded a revocation.")
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "-at"], name="consent_member_idx")]

    def __str__(self) -> str:
        return f"Consent {self.kind} for member {self.member_id} ({self.method})"

    @property
    def is_granted(self) -> bool:
        return self.kind == self.Kind.GRANTED


class Disclosure(WrittenOnce):
    """Member data that left the product: an export, an API listing, a
    printout, a member's own copy. Who, when, which members, which data, why
    and to whom, and the notice that went with it."""

    class Channel(models.TextChoices):
        EXPORT = "export", "File export"
        API = "api", "API"
        PRINT = "print", "Printout"
        MEMBER_COPY = "member_copy", "Copy for the member"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey("accounts.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    data = models.CharField(max_length=200, help_text="Which data: answers, messages, contact notes …")
    purpose = models.CharField(max_length=500)
    recipient = models.CharField(max_length=200)
    members = models.ManyToManyField("checkins.Member", related_name="disclosures", blank=True)
    member_count = models.PositiveIntegerField(default=0)
    notice = models.TextField(blank=True, help_text="The notice that accompanied the disclosure.")
    detail = models.CharField(max_length=300, blank=True, help_text="The page, file or call.")
    at = models.DateTimeField(default=utc_now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Disclosure {self.pk}: {self.data} to {self.recipient}"


class AccessEntry(WrittenOnce):
    """A staff member viewed a member's answers, conversation or notes. No content."""

    organization_id = models.PositiveBigIntegerField()
    staff = models.ForeignKey("accounts.Staff", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("checkins.Member", on_delete=models.CASCADE, related_name="access_entries")
    where = models.CharField(max_length=120)
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "access entries"
        indexes = [
            models.Index(fields=["member", "-at"], name="access_member_idx"),
            models.Index(fields=["staff", "-at"], name="access_staff_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} viewed member {self.member_id} ({self.where})"


def retention_days() -> int:
    """MESSAGE_RETENTION_DAYS: message bodies older than this are redacted; 0 keeps them."""
    return int(getattr(settings, "MESSAGE_RETENTION_DAYS", 0) or 0)
