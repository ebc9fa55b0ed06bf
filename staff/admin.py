from django.contrib import admin

from staff.models import Absence, Department, Group, GroupMembership, Organisation, RoleAssignment, StaffMember, Unit


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "span_of_control_limit"]


for model in (Department, Unit, Group, StaffMember, GroupMembership, Absence, RoleAssignment):
    admin.site.register(model)
