"""``--set KEY=VALUE`` parsing and checking against the analysis config."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewatch.config_overrides import analysis_config, parse_override
from dronewatch.sightings.clip_job import DEFAULT_ANALYZER, config_fingerprint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tracker.max_age_s=2.5", ("tracker.max_age_s", 2.5)),
        ("tracker.max_age_s=2", ("tracker.max_age_s", 2.0)),  # an int is fine for a float
        ("tracker.init_hits=5", ("tracker.init_hits", 5)),
        ("detector.thermal=true", ("detector.thermal", True)),
        ("detector.thermal=null", ("detector.thermal", None)),
        ("camera.model=affine", ("camera.model", "affine")),  # not JSON: a plain string
        ('tracker.kind="bytetrack"', ("tracker.kind", "bytetrack")),
        ("work_width=320", ("work_width", 320)),
    ],
)
def test_valid_overrides(text: str, expected: tuple[str, object]) -> None:
    key, value = parse_override(text)
    assert (key, value) == expected and type(value) is type(expected[1])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("detector.nope=1", "unknown setting 'detector.nope'; detector settings: "),
        ("nope.x=1", "sections: camera, detector, tracker, classifier, model"),
        ("tracker=1", "'tracker' is a section; tracker settings: kind, init_hits"),
        ("work_width.x=1", "unknown setting 'work_width.x'"),
        ("tracker.init_hits=2.5", "tracker.init_hits expects int, got 2.5 (float)"),
        ("tracker.init_hits=true", "tracker.init_hits expects int, got true (bool)"),
        ("detector.thermal=1", "detector.thermal expects bool or null, got 1 (int)"),
        ("tracker.kind=3", 'tracker.kind expects one of "own", "bytetrack", got 3'),
        # A word the setting does not know used to be taken silently as the default.
        ("tracker.kind=sort", 'tracker.kind expects one of "own", "bytetrack", got "sort"'),
        ("camera.model=projective", 'camera.model expects one of "homography", "affine"'),
        ("camera.model=true", 'camera.model expects one of "homography", "affine", got true'),
        ("tracker.max_age_s", "expected KEY=VALUE"),
    ],
)
def test_invalid_overrides_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_override(text)
    assert message in str(excinfo.value) and "\n" not in str(excinfo.value)


def test_unknown_key_lists_the_section_names() -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_override("detector.nope=1")
    assert "threshold_min" in str(excinfo.value) and "thermal" in str(excinfo.value)


def test_overrides_build_the_config() -> None:
    config = analysis_config((("tracker.init_hits", 7), ("tracker.init_hits", 9)))
    assert config.tracker.init_hits == 9  # the later one wins
    assert config.detector == analysis_config(()).detector


def test_fingerprint_tells_overrides_apart() -> None:
    plain = config_fingerprint(DEFAULT_ANALYZER, None)
    changed = config_fingerprint(DEFAULT_ANALYZER, None, (("tracker.max_age_s", 2.5),))
    other = config_fingerprint(DEFAULT_ANALYZER, None, (("tracker.max_age_s", 3.0),))
    assert len({plain, changed, other}) == 3
    # Setting a value to its default is the same analysis.
    assert config_fingerprint(DEFAULT_ANALYZER, None, (("tracker.max_age_s", 1.5),)) == plain


def test_fingerprint_tells_refiner_models_apart_by_content(tmp_path: Path) -> None:
    """A retrained model under the same name is another analysis: results made with
    the old one are not reused."""
    model = tmp_path / "refiner.onnx"
    model.write_bytes(b"first")
    overrides = (("detector.refiner_model_thermal", str(model)),)
    first = config_fingerprint(DEFAULT_ANALYZER, None, overrides)
    model.write_bytes(b"second")
    assert config_fingerprint(DEFAULT_ANALYZER, None, overrides) != first
    assert config_fingerprint(DEFAULT_ANALYZER, None) != first
