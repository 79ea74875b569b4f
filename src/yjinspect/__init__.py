"""yjinspect: inspections and internal case audits of youth justice services."""

__version__ = "0.1.0"
