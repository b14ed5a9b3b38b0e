"""core.bulk: column checks as full_clean makes them, many-row inserts and lookups on both databases."""

import pytest
from django.db import IntegrityError, connection, transaction

from chuyende.core import bulk
from chuyende.members.models import Member
from chuyende.organisation.models import Level


def test_a_column_is_checked_as_the_field_cleans_each_value():
    changed, refused = bulk.FieldColumn(Member, "birth_year").check([1980, "1975", 1980, "năm", -3])
    assert changed == {"1975": 1975}
    assert set(refused) == {"năm", -3}
    assert all(error.messages for errors in refused.values() for error in errors)


def test_plain_text_is_refused_as_the_field_refuses_it():
    changed, refused = bulk.FieldColumn(Member, "full_name").check(["Lê Văn An", "", "A" * 255, "A" * 256])
    assert changed == {}
    assert set(refused) == {"", "A" * 256}


def test_choices_are_checked():
    _changed, refused = bulk.FieldColumn(Member, "sex").check(["male", "female", "x"])
    assert set(refused) == {"x"}


@pytest.mark.django_db
def test_rows_are_inserted_and_found_again_across_several_statements(monkeypatch):
    monkeypatch.setattr(bulk, "IN_LIST_SIZE", 4)  # two values a row: two rows a statement
    rows = [(depth, f"Cấp {depth}") for depth in range(10, 17)]
    returning = ("depth", "id") if bulk.inserts_return_rows() else ()
    inserted = bulk.insert_rows(Level, ("depth", "name"), rows, returning=returning)
    stored = dict(Level.objects.filter(depth__gte=10).values_list("depth", "id"))
    assert dict(Level.objects.filter(depth__gte=10).values_list("depth", "name")) == dict(rows)
    if returning:
        assert dict(inserted) == stored
    else:
        assert inserted == [] and connection.vendor == "postgresql"
    found = bulk.rows_matching(Level, "depth", [10, 12, 16, 99], "depth", "id")
    assert sorted(found) == sorted((depth, stored[depth]) for depth in (10, 12, 16))


@pytest.mark.django_db
def test_a_unique_value_taken_raises_integrity_error_and_writes_nothing():
    Level.objects.create(depth=20, name="Đã có")
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(Level, ("depth", "name"), [(21, "Mới"), (20, "Trùng")])
    assert list(Level.objects.filter(depth__gte=20).values_list("depth", flat=True)) == [20]
