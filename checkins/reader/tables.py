"""The reader's knowledge, loaded from the TOML files beside this module.

Each file holds one part of what the reader knows (crisis meanings, answer
words, opt-out requests, spelling), English and Spanish side by side, so a
clinician or a new maintainer can review it without reading code.
"""

import re
import tomllib
from functools import cache
from pathlib import Path

TABLES = Path(__file__).with_name("tables")


@cache
def table(name: str) -> dict:
    """tables/<name>.toml, parsed once per process."""
    with (TABLES / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


def compiled(source: str, macros: dict[str, str]) -> re.Pattern:
    """A table's pattern with its {macros} written out, compiled."""
    for name, value in macros.items():
        source = source.replace("{" + name + "}", value)
    return re.compile(source)
