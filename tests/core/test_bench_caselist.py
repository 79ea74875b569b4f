"""The bench's case-list figures run, and each reads what it claims to read (a small size)."""

from __future__ import annotations

import pytest

from yjinspect.bench.__main__ import bench_case_list_export, bench_case_list_xlsx


def test_the_export_and_workbook_figures_read_every_row(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Each asserts the file it times imports whole, through its mapping for the export.
    bench_case_list_export(300)
    bench_case_list_xlsx(300)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("case list: an export of 300 rows through its mapping: ")
    assert "(floor, csv module: " in out[0] and "under 3000 ms" in out[0]
    assert out[1].startswith("case list: a workbook of 300 rows (")
    assert "floor, expat on its sheet with no handlers" in out[1]
