"""manage.py check_report FILE --json: the claims of a report file and their verdicts."""

import io
import json

import docx
import pytest
from django.core.management import CommandError, call_command

from tests.view_helpers import message


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("check_report", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_claim_with_its_verdict(tmp_path):
    path = tmp_path / "bao-cao.docx"
    document = docx.Document()
    document.add_paragraph(
        "Có 4.212/4.690 đảng viên học tập, đạt 97,12% (trừ 201 đảng viên miễn sinh hoạt "
        "và 152 đảng viên đi làm ăn xa)."
    )
    document.add_paragraph(
        "Tổ chức 9 hội nghị, gồm 3 hội nghị trực tiếp, 2 hội nghị trực tuyến và 3 hội nghị qua đĩa ghi hình."
    )
    document.save(path)
    printed = json.loads(run(str(path), "--json"))
    assert [
        {key: claim[key] for key in ("verdict", "stated", "computed", "where")} for claim in printed["claims"]
    ] == [
        {"verdict": "holds", "stated": "97,12%", "computed": "97,12%", "where": "đoạn 1"},
        {"verdict": "does_not_hold", "stated": "9", "computed": "8", "where": "đoạn 2"},
    ]
    assert printed["claims"][1]["text"].startswith("9 hội nghị, gồm 3 hội nghị trực tiếp")


def test_plain_output_ends_with_a_summary(tmp_path):
    path = tmp_path / "bao-cao.txt"
    path.write_text("Có 255/264 đảng viên học tập, đạt 96,50%.", encoding="utf-8")
    printed = run(str(path))
    assert "[does_not_hold] đoạn 1" in printed
    assert printed.strip().endswith(
        message("%(holds)s hold, %(wrong)s do not hold, %(unknown)s cannot be checked; read %(extent)s.")
        % {"holds": 0, "wrong": 1, "unknown": 0, "extent": message("%(count)s paragraphs") % {"count": 1}}
    )


def test_an_unreadable_file_is_an_error_saying_why(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(CommandError) as error:
        run(str(path))
    assert str(error.value) == message("The PDF file is damaged and cannot be read.")
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.docx"))
