"""Files users give and files the CLI writes: UTF-8 with or without a byte-order mark and UTF-16 with one are
read by every file-reading command alike; anything else is one line naming the file, exit 2. Output paths are
checked before any work and written atomically."""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_patterns.core.files import TextFileError, decode, read_text
from ecr_patterns.tools.cli import main
from ecr_patterns.tools.cli._output import check_output, write_atomically
from ecr_patterns.tools.cli._usage import UsageProblem

ROOT = Path(__file__).resolve().parent.parent
POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Alte unmarkierte Images löschen",  # non-ASCII: the encodings must carry it
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}
ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "UTF-8": lambda text: text.encode("utf-8"),
    "UTF-8 with a byte-order mark": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "UTF-16 LE with a byte-order mark (PowerShell 5's >)": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "UTF-16 BE with a byte-order mark": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}


@given(st.text().filter(lambda s: not s.startswith("\x00")))
def test_every_accepted_encoding_reads_back_the_same_text(text: str) -> None:
    """(A UTF-16 LE text starting with NUL begins with the UTF-32 LE byte-order mark, and is read as UTF-32.)"""
    for name, encode in ENCODINGS.items():
        assert decode(encode(text), name) == text


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("café".encode("latin-1"), "is not UTF-8 (byte 3 is 0xe9) nor UTF-16 with a byte-order mark"),
        (codecs.BOM_UTF32_LE + "x".encode("utf-32-le"), "is UTF-32"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "starts with a UTF-16 byte-order mark but is not UTF-16"),
    ],
    ids=["Latin-1", "UTF-32", "a broken UTF-16"],
)
def test_any_other_encoding_is_refused_naming_the_file(data: bytes, says: str) -> None:
    with pytest.raises(TextFileError, match=rf"^policy\.json {re.escape(says)}.*save it as UTF-8$"):
        decode(data, "policy.json")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TextFileError, match=r"cannot read .*missing\.json: No such file"):
        read_text(tmp_path / "missing.json")


def _commands(tmp_path: Path) -> dict[str, tuple[str, Callable[[Path], list[str]]]]:
    """Each file-reading command that runs offline: the file's text, and its arguments given the file."""
    images = json.dumps(
        {"imageDetails": [{"imageDigest": "sha256:" + "a" * 64, "imagePushedAt": "2026-01-01T00:00:00Z"}]}
    )
    policy, listed = tmp_path / "policy.json", tmp_path / "images.json"
    policy.write_text(json.dumps(POLICY), encoding="utf-8")
    listed.write_text(images, encoding="utf-8")
    catalog = (ROOT / "examples/catalog/catalog.yaml").read_text(encoding="utf-8")
    return {
        "lifecycle validate": (json.dumps(POLICY), lambda f: ["lifecycle", "validate", str(f)]),
        "lifecycle preview --policy": (
            json.dumps(POLICY),
            lambda f: ["lifecycle", "preview", "--policy", str(f), "--images", str(listed)],
        ),
        "lifecycle preview --images": (
            images,
            lambda f: ["lifecycle", "preview", "--policy", str(policy), "--images", str(f)],
        ),
        "catalog validate": (catalog, lambda f: ["catalog", "validate", str(f)]),
    }


COMMANDS = ["lifecycle validate", "lifecycle preview --policy", "lifecycle preview --images", "catalog validate"]


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("command", COMMANDS)
def test_every_file_reading_command_reads_each_accepted_encoding_as_utf_8(
    command: str, encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, args = _commands(tmp_path)[command]
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    plain.write_bytes(text.encode("utf-8"))
    marked.write_bytes(ENCODINGS[encoding](text))
    expected = (main(args(plain)), capsys.readouterr().out)
    got = (main(args(marked)), capsys.readouterr().out.replace(str(marked), str(plain)))
    assert got == expected
    assert expected[0] in (0, 1)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_file_reading_command_refuses_latin_1_in_one_line_with_exit_2(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, args = _commands(tmp_path)[command]
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(text.encode("utf-8") + " é".encode("latin-1"))
    code = main(args(bad))
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert str(bad) in err
    assert "is not UTF-8" in err


def test_the_bootstrap_template_reads_a_utf_16_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bootstrap.yaml"
    assert main(["bootstrap", "template", "--out", str(tmp_path / "a.yaml")]) == 0
    text = (tmp_path / "a.yaml").read_text(encoding="utf-8")
    source.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    capsys.readouterr()
    assert main(["bootstrap", "template", "--from", str(source), "--out", str(tmp_path / "b.yaml")]) == 0


@pytest.mark.parametrize(
    ("arguments", "flag"),
    [
        (["bootstrap", "template", "--out"], "--out"),
        (["audit", "--region", "eu-west-1", "--format", "json", "--output"], "--output"),
    ],
)
def test_an_output_path_in_a_missing_folder_fails_before_any_work(
    arguments: list[str], flag: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing may reach AWS: an endpoint that refuses connections would make an audit finding, not exit 2.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    code = main([*arguments, "/nonexistent-folder/report.out"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{flag} /nonexistent-folder/report.out: the folder /nonexistent-folder does not exist" in err


def test_a_folder_or_a_read_only_file_is_refused_as_an_output(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="is a folder"):
        check_output(tmp_path, "--output")
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    locked.chmod(0o444)
    if os.access(locked, os.W_OK):
        pytest.skip("root writes read-only files")
    with pytest.raises(UsageProblem, match="not writable"):
        check_output(locked, "--output")


def test_an_interrupted_write_leaves_the_old_file_and_no_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_an_atomic_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    write_atomically(target, "néw")
    assert target.read_text(encoding="utf-8") == "néw"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
