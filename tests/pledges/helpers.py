"""Row counts of the pledge tables (with every other domain table) to prove nothing was written."""

from django.apps import apps

from tests.builders import WRITTEN_MODELS

PLEDGE_MODELS = ("pledges.Pledge", "pledges.PledgeReturn")


def row_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in (*WRITTEN_MODELS, *PLEDGE_MODELS)}


class nothing_written:
    """Asserts that the block leaves every domain table, the pledges and the audit log as it found them."""

    def __enter__(self) -> "nothing_written":
        self.before = row_counts()
        return self

    def __exit__(self, *exc: object) -> None:
        assert row_counts() == self.before


def pledge_values() -> list[tuple[object, ...]]:
    """Every pledge as saved, to prove an update was not written either."""
    from chuyende.pledges.models import Pledge

    return list(Pledge.objects.order_by("pk").values_list(
        "pk", "member_id", "registered_on", "text", "rating", "rated_on", "rating_note"
    ))
