"""Inspection frameworks as versioned data (YAML files in this folder)."""

from .loader import (
    FrameworkError,
    FrameworkVersionConflict,
    check_version_unchanged,
    fingerprint,
    get_framework,
    load_framework_file,
    parse_framework,
    shipped_framework_paths,
    shipped_frameworks,
)
from .schema import Framework, KeyQuestion, Rating, Standard, key_question_id

__all__ = [
    "Framework",
    "FrameworkError",
    "FrameworkVersionConflict",
    "KeyQuestion",
    "Rating",
    "Standard",
    "check_version_unchanged",
    "fingerprint",
    "get_framework",
    "key_question_id",
    "load_framework_file",
    "parse_framework",
    "shipped_framework_paths",
    "shipped_frameworks",
]
