from typing import Any

from rest_framework import serializers

from chuyende.api.base import StrictSerializer, enum_field
from chuyende.api.serializers_core import unit_field
from chuyende.restructuring.models import Decision, Operation


class OperationSerializer(StrictSerializer):
    kind = enum_field(Operation.Kind.choices, "OperationKindEnum")
    details = serializers.DictField(help_text=(
        "The operation's fields, units and members by code: open {code, name, parent, kind, tracking}; "
        "close {unit, successors}; change {unit, parent, name, kind, tracking}; merge {units, into {code, "
        "name, parent, kind, tracking}}; split {unit, into [{code, name, parent, kind, tracking, members, "
        "children}]}; levels {names {depth: name}}; move_members {members, to}."))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionCreateSerializer(StrictSerializer):
    unit = unit_field(required=False, help_text="The unit whose subtree the decision restructures "
                                                "(default: the caller's).")
    number = serializers.CharField(max_length=100)
    issued_on = serializers.DateField()
    issuer = serializers.CharField(max_length=255)
    title = serializers.CharField(max_length=500)
    effective_on = serializers.DateField()
    operations = OperationSerializer(many=True)


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    state = enum_field(Decision.State.choices, "DecisionStateEnum", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    operations = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "unit", "unit_code", "number", "issued_on", "issuer", "title", "effective_on",
                  "state", "applied_at", "operations"]
        read_only_fields = fields

    def get_operations(self, decision: Decision) -> list[dict[str, Any]]:
        return [{"kind": op.kind, "details": op.data, "note": op.note} for op in decision.operations.all()]


class PreviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Documentation of the preview's JSON (built from `restructuring.services.Preview`)."""

    units = serializers.ListField(child=serializers.DictField(), help_text="Units before and after.")
    members_moved = serializers.ListField(child=serializers.CharField())
    figures = serializers.ListField(child=serializers.DictField(), help_text="Figures that would change.")
    errors = serializers.DictField(  # type: ignore[assignment]
        help_text="Why the decision cannot be applied, by operation (operations[i]).")
