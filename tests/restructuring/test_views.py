"""The restructuring pages: the plan template, a decision made from a filled-in plan, its preview,
applying and undoing it; other subtrees get 404, roles that may not change the tree 403."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chuyende.figures import tree
from chuyende.restructuring.models import Decision
from chuyende.restructuring.plan import template_workbook
from tests.builders import nothing_written
from tests.conftest import unit
from tests.view_helpers import message

pytestmark = pytest.mark.usefixtures("db")


def plan_file(*rows: tuple[str, ...]) -> io.BytesIO:
    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook["Kế hoạch sắp xếp"]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    stream.name = "ke-hoach.xlsx"
    return stream


RENAME = ("change", "BN.HA.HB.DONG", "", "Chi bộ thôn Đông Hòa")
DETAILS = {"number": "07-QĐ/ĐU", "issued_on": "2024-06-20", "issuer": "Đảng ủy xã Hòa Bình",
           "title": "Đổi tên chi bộ", "effective_on": "2024-07-01"}


def create(client, *rows: tuple[str, ...]):
    return client.post(reverse("restructuring:create"), {**DETAILS, "plan": plan_file(*rows)})


def test_the_template_downloads_with_its_columns(users, client_for):
    response = client_for(users.owner).get(reverse("restructuring:template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Kế hoạch sắp xếp"]
    assert [cell.value for cell in sheet[1]][:3] == ["Nội dung", "Đơn vị", "Mã đơn vị mới"]


def test_a_plan_becomes_a_draft_previewed_then_applied_and_undone(users, client_for):
    client = client_for(users.owner)
    response = create(client, RENAME)
    decision = Decision.objects.get(number="07-QĐ/ĐU")
    assert response.status_code == 302 and decision.state == Decision.State.DRAFT
    page = client.get(reverse("restructuring:detail", args=[decision.pk]))
    assert page.status_code == 200
    assert "Chi bộ thôn Đông Hòa" in page.content.decode()  # the preview's tree after
    assert client.post(reverse("restructuring:apply", args=[decision.pk])).status_code == 302
    dong = unit("BN.HA.HB.DONG")
    assert tree.name_on(dong, tree.datetime.date(2024, 7, 1)) == "Chi bộ thôn Đông Hòa"
    assert tree.name_on(dong, tree.datetime.date(2024, 6, 30)) == "Chi bộ thôn Đông"
    assert client.post(reverse("restructuring:undo", args=[decision.pk])).status_code == 302
    assert tree.name_on(unit("BN.HA.HB.DONG"), tree.datetime.date(2024, 7, 1)) == "Chi bộ thôn Đông"


def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_written(users, client_for):
    with nothing_written():
        response = create(client_for(users.owner), RENAME, ("rename", "BN.HA.HB.TAY"))
    assert response.status_code == 200
    assert message("Row %(row)s, column “%(column)s”: %(message)s", row=3, column="Nội dung",
                   message="") in response.content.decode()


def test_an_operation_that_cannot_apply_is_named_with_its_row(users, client_for):
    client = client_for(users.owner)
    create(client, RENAME, ("close", "BN.HA.HB.TAY"))
    decision = Decision.objects.get(number="07-QĐ/ĐU")
    with nothing_written():
        response = client.post(reverse("restructuring:apply", args=[decision.pk]))
    assert response.status_code == 400
    said = message("Operation %(number)s (row %(row)s of the plan): ", number=2, row=3)
    assert said in response.content.decode()


def test_other_subtrees_get_404_and_readers_get_403(users, client_for):
    create(client_for(users.owner), RENAME)
    decision = Decision.objects.get(number="07-QĐ/ĐU")
    outsider = client_for(users.outsiders["officer"])
    assert outsider.get(reverse("restructuring:detail", args=[decision.pk])).status_code == 404
    assert outsider.post(reverse("restructuring:apply", args=[decision.pk])).status_code == 404
    reporter = client_for(users.reporter)
    assert reporter.get(reverse("restructuring:detail", args=[decision.pk])).status_code == 200
    assert reporter.post(reverse("restructuring:apply", args=[decision.pk])).status_code == 403
    assert client_for(users.viewer).post(reverse("restructuring:create"), {}).status_code in (403, 200)
