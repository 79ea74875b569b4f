"""A framework written out as YAML the loader reads back with the same fingerprint.

Used to turn a framework written in a workbook into a file beside the shipped ones, and to
export any framework (`yjinspect frameworks export ID --format yaml`). Only what differs from
the schema's defaults is written, as the fingerprint counts it, so the file says what the
framework chooses and nothing else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from .loader import fingerprint
from .schema import Framework


class _Dumper(yaml.SafeDumper):
    """Plain YAML: never an anchor or alias (the loader counts those against its limits)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _plain(value: Any) -> Any:
    """Model data as YAML scalars: a Decimal as the number that loads back as the same
    Decimal (80, 0.95), else as text ('80.0'), which the schema reads just as well."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= 0:
            return int(value)
        as_float = float(value)
        if not as_float.is_integer() and str(Decimal(repr(as_float))) == str(value):
            return as_float
        return str(value)
    return value


def write_yaml(fw: Framework) -> str:
    """`fw` as a framework file: `parse_framework` reads it back with the same fingerprint."""
    data = fw.model_dump(mode="python", exclude_defaults=True)
    data = {"schema_version": fw.schema_version, **data}
    body = yaml.dump(_plain(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    header = (
        f"# {fw.title}\n"
        f"# Written by yjinspect from {fw.ref}.\n"
        f"# Fingerprint {fingerprint(fw)}.\n"
        "# Change the version number along with any change to the content.\n"
    )
    return header + body
