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
    """The one measure of load, as every page shows it: the weighted load against capacity, with the case count."""

    staff_id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.IntegerField(allow_null=True, help_text="Ladder level on the day; null: not placed (level 1).")
    capacity = serializers.FloatField(
        help_text="Weighted cases the worker may carry this month: the level's capacity x FTE x (1 - absence)."
    )
    main_cases = serializers.IntegerField(help_text="Open cases as main handler.")
    co_cases = serializers.IntegerField(help_text="Open cases as co-handler.")
    cases = serializers.IntegerField(help_text="Open cases held (main_cases + co_cases): the case count shown.")
    load = serializers.FloatField(
        help_text="Weighted load: main-handled cases at their complexity weight plus the co-handling share of the"
        " co-handled cases' weight. The one measure of load, compared with capacity."
    )
    weighted_load = serializers.FloatField(help_text="Deprecated: the same value as load.")
    percent = serializers.FloatField(
        allow_null=True,
        help_text="load / capacity in per cent as the pages show it: whole per cent, one decimal near 100 rounded"
        " away from 100 (100.04 is 100.1, 99.96 is 99.9); null without capacity.",
    )
    over_capacity = serializers.BooleanField(help_text="load > capacity, compared exactly (never the rounded share).")
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
