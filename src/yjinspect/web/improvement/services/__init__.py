"""Domain logic of improvement plans, outside the views: `plans` (creation, saving with a
version check, progress figures), `exports` (board XLSX and PDF), `history` (the timeline)."""
