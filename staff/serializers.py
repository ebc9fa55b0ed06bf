"""Response shapes of staff figures that other apps' APIs render (the span of control)."""

from rest_framework import serializers


class ManagerSpanSerializer(serializers.Serializer):
    staff_id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=["unit_manager", "assistant_manager"])
    direct_reports = serializers.IntegerField(
        min_value=0,
        help_text="Social workers and specialists this manager case-reviews, in every unit: those recorded with"
        " this manager, and those with none recorded in a unit where this is the only unit manager.",
    )
    exceeded = serializers.BooleanField(help_text="direct_reports above the organisation's limit (at it is within)")


class SpanOfControlSerializer(serializers.Serializer):
    case_workers = serializers.IntegerField(min_value=0, help_text="social workers and specialists of the unit")
    managers = serializers.IntegerField(min_value=0, help_text="managers listed in per_manager")
    limit = serializers.IntegerField(help_text="the organisation's span of control limit per manager")
    per_manager = ManagerSpanSerializer(many=True)
    without_manager = serializers.IntegerField(
        min_value=0, help_text="case workers with no manager recorded and no single unit manager to default to"
    )
    exceeded = serializers.BooleanField(help_text="a manager is over the limit, or someone has no manager")
