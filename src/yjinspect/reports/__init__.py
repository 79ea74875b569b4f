"""The inspection report: content (pure Python), SVG charts and PDF rendering."""
