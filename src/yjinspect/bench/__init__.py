"""Speed and memory figures, printed by `make bench`. Tests assert behaviour, not timings."""
