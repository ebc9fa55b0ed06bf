"""Response shapes of the caseload API: they render the selectors' data and describe it in the OpenAPI schema."""

from rest_framework import serializers


class ExtensionSerializer(serializers.Serializer):
    new_deadline = serializers.DateField()


class InvestigationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start_date = serializers.DateField()
    target_date = serializers.DateField()
    legal_deadline = serializers.DateField()
    extension = ExtensionSerializer(allow_null=True)
    day = serializers.IntegerField(help_text="Days since the investigation started.")
    days_to_target = serializers.IntegerField()
    days_to_legal = serializers.IntegerField(help_text="Days left to the legal deadline (or its extension).")
    status = serializers.CharField(help_text="ok, warning, second_warning, past_target or past_legal.")
    chained = serializers.BooleanField(help_text="Opened within 30 days of closing one without a new report.")


class CaseRowSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    weight = serializers.IntegerField()
    acute = serializers.BooleanField()
    role = serializers.CharField(help_text="main or co.")
    investigation = InvestigationSerializer(allow_null=True)


class WorkerLoadSerializer(serializers.Serializer):
    staff_id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)
    capacity = serializers.FloatField()
    main_cases = serializers.IntegerField()
    co_cases = serializers.IntegerField()
    load = serializers.FloatField()
    weighted_load = serializers.FloatField()
    percent = serializers.IntegerField(allow_null=True)
    closed_this_month = serializers.IntegerField()


class MyCaseloadSerializer(serializers.Serializer):
    date = serializers.DateField()
    load = WorkerLoadSerializer()
    closed_target = serializers.IntegerField()
    cases = CaseRowSerializer(many=True)


class AtRiskSerializer(InvestigationSerializer):
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CoverageSerializer(serializers.Serializer):
    open_cases = serializers.IntegerField()
    with_co_handler = serializers.IntegerField()
    percent = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True, help_text="one decimal, rounded down"
    )
    target_percent = serializers.IntegerField()
    meets_target = serializers.BooleanField(help_text="the exact share compared with the target")


class SpanSerializer(serializers.Serializer):
    case_workers = serializers.IntegerField()
    managers = serializers.IntegerField()
    limit = serializers.IntegerField()


class UnitOverviewSerializer(serializers.Serializer):
    date = serializers.DateField()
    unit = UnitRefSerializer()
    workers = WorkerLoadSerializer(many=True)
    at_risk = AtRiskSerializer(many=True)
    at_risk_total = serializers.IntegerField()
    co_handler_coverage = CoverageSerializer()
    span_of_control = SpanSerializer()
    awaiting_allocation = serializers.IntegerField()
