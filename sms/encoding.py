"""Keeping texts in the GSM-7 alphabet where a plain character exists.

One curly quote or non-breaking space switches a whole SMS to UCS-2, which
cuts a segment from 160 to 70 characters and can triple the cost. Accented
letters used in Spanish (á, é, í, ó, ú, ñ, ¿, ¡) are left alone: several are
in GSM-7 and the others are worth the cost of being understood.
"""

PLAIN = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u200b": "",  # zero-width space
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "-",
    }
)


def plain_text(body: str) -> str:
    return body.translate(PLAIN)
