"""Comparison across services, over time and across inspection programmes."""
