"""Output shapes of the HR API (read-only: the report modules compute everything)."""

from rest_framework import serializers

from staff.serializers import SpanOfControlSerializer


def _dec(**kw):
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, **kw)


def _pct(**kw):
    return serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, allow_null=True, min_value=0, **kw
    )


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


class TertialSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="YYYY-Tn, e.g. 2026-T2")
    year = serializers.IntegerField()
    number = serializers.IntegerField(min_value=1, max_value=3)
    status = serializers.ChoiceField(choices=["open", "closed", "upcoming"])
    start = serializers.DateField()
    end = serializers.DateField()
    survey_status = serializers.CharField(allow_null=True, help_text="The survey round's status, null without one")


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    mean = serializers.DecimalField(max_digits=3, decimal_places=2, coerce_to_string=False, allow_null=True)
    distribution = serializers.ListField(child=serializers.IntegerField(min_value=0), help_text="answers 1..5")
    change_vs_previous = serializers.DecimalField(
        max_digits=3, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    change_vs_baseline = serializers.DecimalField(
        max_digits=3, decimal_places=2, coerce_to_string=False, allow_null=True
    )


class SurveySerializer(serializers.Serializer):
    suppressed = serializers.BooleanField()
    invited = serializers.IntegerField(allow_null=True)
    respondents = serializers.IntegerField(allow_null=True)
    response_rate = serializers.DecimalField(
        max_digits=4, decimal_places=0, coerce_to_string=False, allow_null=True, help_text="percent"
    )
    questions = QuestionSerializer(many=True)


class LevelCountSerializer(serializers.Serializer):
    level = serializers.IntegerField(allow_null=True, help_text="ladder level number; null = no level")
    name = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField(min_value=0)


class BlockSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    employees = serializers.IntegerField(
        help_text="staff of the unit(s) employed on the reference date, every role, consultants included"
    )
    case_workers = serializers.IntegerField(
        help_text="social workers and specialists of the unit(s) employed on the reference date (consultants"
        " among them): the employees that cases_per_employee divides by"
    )
    open_cases = serializers.IntegerField(
        help_text="cases open on the reference date: opened, not closed, not awaiting allocation"
    )
    cases_per_employee = _dec(
        allow_null=True,
        help_text="open_cases / case_workers, 2 decimals (null without case workers): the same definition as"
        " 'cases per employee' on the survey result pages, there counted on the round's close date",
    )
    weighted_cases_per_employee = _dec(allow_null=True, help_text="sum of the open cases' weights / case_workers")
    co_handler_coverage = _pct(help_text="percent of open cases with a co-handler")
    investigations_closed = serializers.IntegerField()
    share_closed_within_target = _pct(help_text="percent")
    share_closed_within_legal_limit = _pct(help_text="percent")
    closed_past_deadline = serializers.IntegerField(
        help_text="closed after the legal deadline (or the extension's new date) without an extension decision;"
        " each has a recorded overrun reason"
    )
    turnover = _pct(help_text="leavers / average_headcount, percent")
    leavers = serializers.IntegerField(
        help_text="staff whose last day of employment is from the tertial's first day to the reference date"
    )
    average_headcount = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        coerce_to_string=False,
        help_text="the mean of the headcount on each day from the tertial's first day to the reference date",
    )
    consultant_months = _dec(
        help_text="hired consultants' months in the tertial's months up to the reference date: days engaged /"
        " days of the month, per person and month (as the supplement report)"
    )
    level_distribution = LevelCountSerializer(many=True)
    supplement_cost = _dec(help_text="SEK")
    consultant_cost = _dec(help_text="SEK")
    survey = SurveySerializer(allow_null=True)


class UnitSerializer(BlockSerializer):
    department_id = serializers.IntegerField()


class DepartmentSerializer(BlockSerializer):
    units = UnitSerializer(many=True)


class TertialReportSerializer(serializers.Serializer):
    tertial = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=["open", "closed", "upcoming"])
    reference_date = serializers.DateField()
    survey_round_status = serializers.CharField(allow_null=True)
    minimum_respondents = serializers.IntegerField(allow_null=True)
    organisation = BlockSerializer(allow_null=True)
    departments = DepartmentSerializer(many=True)

    def get_tertial(self, report) -> str:
        return f"{report.tertial.year}-T{report.tertial.number}"


class TurnoverPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    counted_until = serializers.DateField(
        source="until",
        allow_null=True,
        help_text="the last day counted: the end, or today while the period runs; null before it begins",
    )
    leavers = serializers.IntegerField(help_text="staff whose last day of employment is in the days counted")
    average_headcount = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        help_text="the mean of the headcount on each day counted: the days each person was employed in them"
        " / the number of days (null before the period begins)",
    )
    rate = _pct(help_text="turnover: leavers / average_headcount, percent")
    under_two_years = _pct(
        help_text="percent of the headcount on the last day counted under junior_years in the profession"
    )
    consultant_months = _dec(
        help_text="hired consultants' months in the period's months up to the last day counted: days engaged /"
        " days of the month, per person and month"
    )


class TurnoverTertialSerializer(TurnoverPeriodSerializer):
    tertial = serializers.SerializerMethodField()

    def get_tertial(self, row) -> str:
        return f"{row.tertial.year}-T{row.tertial.number}"


class TurnoverSerializer(TurnoverPeriodSerializer):
    year = serializers.IntegerField()
    junior_years = serializers.IntegerField(help_text="the survey setting behind under_two_years (default 2)")
    tertials = TurnoverTertialSerializer(many=True)


class UnitSpanSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.name")
    department_id = serializers.IntegerField(source="unit.department_id")
    span_of_control = SpanOfControlSerializer(source="span")


class SpanOfControlReportSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="the day counted: today")
    limit = serializers.IntegerField(help_text="the organisation's span of control limit per manager (setting)")
    guidance = serializers.CharField(help_text="Vision's guidance, 8–10 per first-line manager, as text")
    managers_over_limit = serializers.IntegerField(min_value=0, help_text="distinct managers above the limit")
    units = UnitSpanSerializer(many=True)
