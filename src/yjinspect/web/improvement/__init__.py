"""Improvement plans: what a service and its management board do about an inspection's
recommendations after publication, and the board's dashboard."""
