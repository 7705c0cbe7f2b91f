"""The PDF report, printed by Qt (QTextDocument + QPdfWriter) without any widget.

Every test takes ``qapp`` so the QApplication of the GUI tests exists first: the PDF
printer would otherwise make a bare QGuiApplication, on which later widget tests fail.
(The command line has no app and gets that QGuiApplication, offscreen.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dronewatch.analysis.types import TargetClass
from dronewatch.exports import ExportFilter, StatusFilter, export_sightings
from dronewatch.store import Store
from tests.core.test_export_helpers import HOSTILE_NOTE, build_review_db
from tests.core.test_store import clip_info, write_sighting

PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(pdf: bytes) -> int:
    return len(PAGE.findall(pdf))


def test_pdf_report_of_a_few_sightings(qapp, tmp_path: Path) -> None:
    db = build_review_db(tmp_path / "r.db")
    out = tmp_path / "report.pdf"
    result = export_sightings(db, "pdf", out, ExportFilter(status=StatusFilter.ALL))
    data = out.read_bytes()
    assert result.paths == (out,) and data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert page_count(data) == 1
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


def test_long_reports_run_over_several_numbered_pages(qapp, tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    with Store(db) as store:
        clip = store.begin_clip(clip_info("long", 2000))
        for key in range(120):
            cls = TargetClass.PERSON if key % 3 else TargetClass.VEHICLE
            write_sighting(store, clip, key, key * 10, key * 10 + 8, cls)
        store.set_note(5, HOSTILE_NOTE + "\nsecond line", "ann")
    out = tmp_path / "long.pdf"
    export_sightings(db, "pdf", out)
    data = out.read_bytes()
    pages = page_count(data)
    assert pages >= 4
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Sightings report" in text
        assert '<script>alert("x")</script> &' in text and '"quotes"' in text  # as written
        # QTextDocument numbers the pages at their foot.
        last_page = text.split("\f")[pages - 1]
        assert last_page.strip().splitlines()[-1].strip() == str(pages)
    else:
        pytest.skip("pdftotext (poppler-utils) not installed: text not checked")


def test_pdf_prints_from_a_worker_thread_of_the_app(qapp, tmp_path: Path) -> None:
    """The GUI exports in its pool, while the event loop goes on."""
    import threading

    db = build_review_db(tmp_path / "r.db")
    out = tmp_path / "worker.pdf"
    errors: list[BaseException] = []
    progress: list[tuple[int, int]] = []

    def work() -> None:
        try:
            export_sightings(db, "pdf", out, progress=lambda d, t: progress.append((d, t)))
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    while thread.is_alive():
        qapp.processEvents()
        thread.join(0.01)
    assert errors == [] and out.read_bytes().startswith(b"%PDF-") and progress


def test_command_line_pdf_needs_no_display(tmp_path: Path) -> None:
    """A separate process with no app: the printer makes its own, offscreen, even with a
    DISPLAY that leads nowhere."""
    import os
    import sys

    db = build_review_db(tmp_path / "r.db")
    out = tmp_path / "cli.pdf"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env["DISPLAY"] = ":97"  # no X server there
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "dronewatch",
            "export",
            "--db",
            str(db),
            "-f",
            "pdf",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert out.read_bytes().startswith(b"%PDF-") and "exported to" in run.stderr
