import unicodedata

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from staff.models import MANAGER_ROLES, Department, Organisation, Role, RoleAssignment, StaffMember, Unit
from staff.platform.formtools import validate_sane_date


class DateInput(forms.DateInput):
    input_type = "date"


ENDED_MESSAGE = _("Your employment has ended, so you can no longer sign in. Ask your organisation admin.")


class SignInForm(AuthenticationForm):
    """The login page's form: a leaver's right password is answered with what happened, not "wrong password"
    (staff.platform.signin_limits.EmploymentEndedBackend marks the request)."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "employment_ended", False):
                raise ValidationError(ENDED_MESSAGE, code="employment_ended") from None
            if getattr(self.request, "sso_only", None) is not None:
                raise ValidationError(
                    _(
                        "%(organisation)s signs in with its own account, not with a password here. Use "
                        "'Sign in with your organisation's account' below."
                    ),
                    code="sso_only",
                    params={"organisation": self.request.sso_only.name},
                ) from None
            raise


class StaffMemberForm(forms.ModelForm):
    username = forms.SlugField(
        label=_("Username"),
        required=False,
        max_length=150,
        help_text=_(
            "Leave empty for a record without login. With a username, tick 'Send an invitation by e-mail': the "
            "person gets a one-time link to choose their password. You can also invite them later from their page."
        ),
    )
    send_invitation = forms.BooleanField(
        label=_("Send an invitation by e-mail"),
        required=False,
        help_text=_(
            "Needs a username and an e-mail address. The link works once, for the number of days set under "
            "Structure and settings."
        ),
    )

    class Meta:
        model = StaffMember
        fields = [
            "first_name",
            "last_name",
            "email",
            "unit",
            "title",
            "employment_start",
            "employment_end",
            "profession_start",
            "fte",
            "employment_type",
            "consultant_monthly_cost",
            "leaving_reason",
            "manager",
        ]
        widgets = {
            "employment_start": DateInput(),
            "employment_end": DateInput(),
            "profession_start": DateInput(),
        }

    social_worker = forms.BooleanField(
        label=_("New social worker"),
        required=False,
        initial=True,
        help_text=_(
            "Gives the person the social worker role in the unit, places them on ladder level 1 from the "
            "employment start, creates their introduction plan from the template and asks for a mentor. Each of "
            "these can be undone on the person's ladder page."
        ),
    )
    fte_valid_from = forms.DateField(
        label=_("New FTE valid from"),
        required=False,
        widget=DateInput(),
        validators=[validate_sane_date],
        help_text=_(
            "When the FTE changes: the first day of the new FTE. Empty means today. Months before it keep the "
            "FTE they had; a paid month that changes is corrected in the next month's supplement report."
        ),
    )

    def __init__(self, *args, organisation, with_username=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation)
        self.fields["manager"].queryset = (
            StaffMember.objects.filter(organisation=organisation, roles__role__in=sorted(MANAGER_ROLES))
            .exclude(pk=self.instance.pk)
            .distinct()
            .order_by("last_name", "first_name")
        )
        if not with_username:  # editing: the login and the start as a new social worker belong to creation
            del self.fields["username"]
            del self.fields["social_worker"]
            del self.fields["send_invitation"]
        else:
            self.order_fields(_after(list(self.fields), "username", "send_invitation"))
        if self.instance.pk is None:
            del self.fields["fte_valid_from"]  # a new person's FTE holds from the employment start
        else:
            self.order_fields(_after(list(self.fields), "fte", "fte_valid_from"))

    def clean(self):
        data = super().clean()
        if data.get("send_invitation"):
            if not data.get("username") and "username" not in self.errors:
                self.add_error("username", _("An invitation is to a login: give the person a username."))
            if not data.get("email") and "email" not in self.errors:
                self.add_error("email", _("An invitation is sent by e-mail: give the person's e-mail address."))
        return data


class LoginCreateForm(forms.Form):
    """Give an existing staff record a login; the invitation goes to the record's e-mail address."""

    username = forms.SlugField(
        label=_("Username"),
        max_length=150,
        help_text=_("The person signs in with it. The invitation goes to the e-mail address of the record."),
    )


def _after(names: list[str], anchor: str, name: str) -> list[str]:
    names.remove(name)
    names.insert(names.index(anchor) + 1, name)
    return names


class RoleAssignmentForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation)
        self.fields["department"].queryset = Department.objects.filter(organisation=organisation)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name"]


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["department", "name", "kind"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organisation=organisation)


class GroupForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation)


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(Organisation.SETTINGS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty keeps the value the organisation has (a form saved without the field changes nothing).
        self.fields["invitation_valid_days"].required = False

    def clean_invitation_valid_days(self):
        value = self.cleaned_data["invitation_valid_days"]
        return self.instance.invitation_valid_days if value is None else value


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, but an account that has never had a usable password (created by the admin, invited) can choose
    one too: every active login with the address gets the link. Inactive logins get nothing. The answer page
    is the same whether or not the address belongs to anyone."""

    def get_users(self, email):
        model = get_user_model()
        field = model.get_email_field_name()
        users = model._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
        wanted = _folded(email)
        return (u for u in users if _folded(getattr(u, field)) == wanted)  # as Django's: no near-miss matches


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


__all__ = [
    "StaffMemberForm",
    "LoginCreateForm",
    "PasswordResetForm",
    "RoleAssignmentForm",
    "DepartmentForm",
    "UnitForm",
    "GroupForm",
    "OrganisationSettingsForm",
    "RoleAssignment",
]
