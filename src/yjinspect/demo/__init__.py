"""Fictitious demonstration data: a made-up youth justice service's case list and answers."""

from .generator import (
    DEFAULT_RATE,
    applicable_key_questions,
    generate_answers,
    generate_case_list,
    write_csv,
)

__all__ = [
    "DEFAULT_RATE",
    "applicable_key_questions",
    "generate_answers",
    "generate_case_list",
    "write_csv",
]
