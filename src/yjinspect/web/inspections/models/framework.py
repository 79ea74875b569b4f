"""Framework versions stored with the inspections that use them."""

from __future__ import annotations

from typing import Any

from django.db import models

from yjinspect.frameworks import Framework, fingerprint, parse_framework
from yjinspect.frameworks.loader import FrameworkVersionConflict


class FrameworkVersion(models.Model):
    """A framework file's exact content, frozen once stored.

    Answers point at this row, not at a file on disk, so editing or upgrading the shipped YAML
    can never change what an existing inspection's answers mean.
    """

    framework_id = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    source = models.TextField(help_text="The framework YAML exactly as loaded")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework_id", "version"], name="one_row_per_version")
        ]
        ordering = ["framework_id", "-version"]

    def __str__(self) -> str:
        return f"{self.title} ({self.framework_id}@{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = FrameworkVersion.objects.filter(pk=self.pk).values_list("source", flat=True)
            if stored and stored[0] != self.source:
                raise FrameworkVersionConflict(
                    f"{self.framework_id}@{self.version} is stored; a change needs a new version"
                )
        super().save(*args, **kwargs)

    @property
    def framework(self) -> Framework:
        cached: Framework | None = getattr(self, "_framework", None)
        if cached is None:
            cached = _parsed(self.fingerprint, self.source)
            self._framework = cached
        return cached

    @classmethod
    def store(cls, source: str, name: str = "<framework>") -> FrameworkVersion:
        """Store a framework file, or return the stored row with the same content.

        Refuses different content under an id and version already stored.
        """
        fw = parse_framework(source, name)
        digest = fingerprint(fw)
        existing = cls.objects.filter(framework_id=fw.id, version=fw.version).first()
        if existing is not None:
            if existing.fingerprint != digest:
                raise FrameworkVersionConflict(
                    f"{fw.ref} is already stored with different content; "
                    "a changed framework must carry a new version number"
                )
            return existing
        return cls.objects.create(
            framework_id=fw.id,
            version=fw.version,
            title=fw.title,
            fingerprint=digest,
            source=source,
        )


_CACHE: dict[str, Framework] = {}


def _parsed(digest: str, source: str) -> Framework:
    """Parse each stored framework once per process: parsing costs ~20 ms, rating ~1 ms."""
    if digest not in _CACHE:
        _CACHE[digest] = parse_framework(source, f"stored framework {digest[:12]}")
    return _CACHE[digest]
