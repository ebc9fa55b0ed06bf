"""Output shapes of the competence API (read-only; the selectors compute everything)."""

from rest_framework import serializers


class SupplementRowSerializer(serializers.Serializer):
    staff_id = serializers.IntegerField(source="staff.pk")
    name = serializers.CharField(source="staff.full_name")
    unit = serializers.CharField(source="unit_name")
    level = serializers.IntegerField(source="level.number")
    level_name = serializers.CharField(source="level.name")
    days = serializers.IntegerField()
    fte = serializers.DecimalField(max_digits=3, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="SEK")


class CorrectionSerializer(serializers.Serializer):
    staff_id = serializers.IntegerField(source="staff.pk")
    name = serializers.CharField(source="staff.full_name")
    unit = serializers.CharField(source="unit_name")
    corrects = serializers.DateField(format="%Y-%m", help_text="The frozen month corrected (YYYY-MM).")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="SEK: the difference, paid now")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="fte, terms, rates, placement")
    reason = serializers.CharField(help_text="The reasons in words")


class FrozenSerializer(serializers.Serializer):
    how = serializers.CharField(help_text="exported or approved")
    at = serializers.DateTimeField(source="frozen_at")


class UnitTotalSerializer(serializers.Serializer):
    unit = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class ConsultantCostSerializer(serializers.Serializer):
    months = serializers.DecimalField(source="consultant_months", max_digits=8, decimal_places=2)
    cost = serializers.DecimalField(source="consultant_total", max_digits=14, decimal_places=2)


class SupplementReportSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    rows = SupplementRowSerializer(many=True)
    corrections = CorrectionSerializer(many=True, help_text="Changes of earlier frozen months paid in this month")
    frozen = FrozenSerializer(allow_null=True, help_text="Set once the month was exported or approved")
    unit_totals = UnitTotalSerializer(many=True, source="unit_total_rows")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    consultants = ConsultantCostSerializer(source="*")
