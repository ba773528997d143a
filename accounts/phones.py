"""Phone numbers in, E.164 out."""

import phonenumbers
from django.conf import settings


class InvalidPhone(ValueError):
    pass


def to_e164(raw: str) -> str:
    """Read a number written any common way ("(555) 555-0100", "+1 555 555 0100")
    and return it as E.164. Numbers without a country code are read in
    DEFAULT_PHONE_REGION (US unless configured)."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 40:
        raise InvalidPhone("Enter a phone number, for example +1 555 555 0100.")
    try:
        number = phonenumbers.parse(raw, settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("This is not a phone number we can read; write it like +1 555 555 0100.") from None
    # Possible (the right length for its country), not "valid": fictional
    # 555-01xx numbers must work for demos and training. A number that cannot
    # receive texts is reported by Twilio (21211) and shown as unreachable.
    possible = phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE
    if not possible or number.extension:
        raise InvalidPhone("This phone number is not valid; check the digits and the country code.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
