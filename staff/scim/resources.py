"""SCIM resources as JSON: people and groups in and out, the `filter` parameter and PATCH operations the way
Entra ID sends them (capitalised ops, "True"/"False" strings, path-less replace with a dict, value filters)."""

from __future__ import annotations

import dataclasses
import re

from django.urls import reverse
from django.utils.translation import gettext as _

from staff.models import StaffMember
from staff.scim.models import ScimGroup
from staff.scim.services import UserData

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    """An answer of the SCIM error shape (RFC 7644 3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, str(detail), scim_type

    def body(self) -> dict:
        body = {"schemas": [ERROR], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def invalid_path(path: str) -> ScimError:
    return ScimError(400, _("Unknown or unsupported attribute path: %(path)s") % {"path": path[:100]}, "invalidPath")


# --- out ------------------------------------------------------------------------------------------------------


def location(request, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(name, args=[pk]))


def user_json(request, member: StaffMember) -> dict:
    user = member.user
    body = {
        "schemas": [CORE_USER, ENTERPRISE_USER],
        "id": str(member.pk),
        "userName": user.username,
        "name": {
            "givenName": member.first_name,
            "familyName": member.last_name,
            "formatted": member.full_name,
        },
        "displayName": member.full_name,
        "active": user.is_active,
        "emails": [{"value": member.email, "type": "work", "primary": True}] if member.email else [],
        ENTERPRISE_USER: {"employeeNumber": member.employee_number},
        "meta": {"resourceType": "User", "location": location(request, "scim:user", member.pk)},
    }
    if member.external_id:
        body["externalId"] = member.external_id
    if member.title:
        body["title"] = member.title
    return body


def group_json(request, group: ScimGroup, *, members: bool = True) -> dict:
    body = {
        "schemas": [CORE_GROUP],
        "id": str(group.pk),
        "displayName": group.display_name,
        "meta": {"resourceType": "Group", "location": location(request, "scim:group", group.pk)},
    }
    if group.external_id:
        body["externalId"] = group.external_id
    if members:
        body["members"] = [
            {"value": str(m.staff_id), "display": m.staff.full_name, "$ref": location(request, "scim:user", m.staff_id)}
            for m in group.members.all()
        ]
    return body


def list_json(resources: list[dict], *, total: int, start: int) -> dict:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


# --- the filter parameter -------------------------------------------------------------------------------------

FILTER = re.compile(r'^\s*([A-Za-z][\w.:-]*)\s+(eq)\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_filter(text: str | None, attributes: dict[str, str]) -> tuple[str, str] | None:
    """`userName eq "x"` -> (the model lookup of the attribute, "x"); None when no filter was given.

    Only `eq` on the attributes in `attributes` (lower-cased SCIM name -> lookup) is supported: anything else
    is a 400 invalidFilter, never a silently ignored filter (which would answer everyone)."""
    if text is None or not text.strip():
        return None
    match = FILTER.match(text)
    if match is None:
        raise ScimError(400, _('Unsupported filter: use attribute eq "value".'), "invalidFilter")
    attribute, _op, value = match.groups()
    if "\x00" in value:  # PostgreSQL text cannot hold it: a filter no one can match, said as such
        raise ScimError(400, _('Unsupported filter: use attribute eq "value".'), "invalidFilter")
    lookup = attributes.get(attribute.lower())
    if lookup is None:
        raise ScimError(
            400, _("Filtering on %(attribute)s is not supported.") % {"attribute": attribute[:100]}, "invalidFilter"
        )
    return lookup, re.sub(r"\\(.)", r"\1", value)


# --- in: whole resources ------------------------------------------------------------------------------------


def _string(value, name: str, *, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid_value(_("%(name)s must be a string.") % {"name": name})
    if len(value) > limit:
        raise invalid_value(_("%(name)s is longer than %(limit)s characters.") % {"name": name, "limit": limit})
    return value


def boolean(value, name: str = "active") -> bool:
    """A SCIM boolean; Entra ID sends "True" and "False" as strings in PATCH."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise invalid_value(_("%(name)s must be true or false.") % {"name": name})


def _primary_email(emails) -> str:
    if emails is None:
        return ""
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise invalid_value(_("emails must be a list of objects."))
    if not emails:
        return ""
    chosen = next((e for e in emails if e.get("primary") in (True, "true", "True")), None)
    chosen = chosen or next((e for e in emails if e.get("type") == "work"), None) or emails[0]
    return _string(chosen.get("value"), "emails.value", limit=254)


def body_dict(body) -> dict:
    if not isinstance(body, dict):
        raise ScimError(400, _("The request body must be a JSON object."), "invalidSyntax")
    return body


def user_from_json(body, *, current: UserData | None = None) -> UserData:
    """A whole User (POST, PUT). Attributes Stabil does not keep (phone numbers, addresses...) are ignored.

    A PUT without `active` keeps the person's sign-in as it is (`current`): leaving an attribute out must
    not switch a deactivated person back on."""
    body = body_dict(body)
    name = body.get("name") or {}
    if not isinstance(name, dict):
        raise invalid_value(_("name must be an object."))
    enterprise = body.get(ENTERPRISE_USER) or {}
    if not isinstance(enterprise, dict):
        raise invalid_value(_("The enterprise extension must be an object."))
    return UserData(
        user_name=_string(body.get("userName"), "userName", limit=150).strip(),
        given_name=_string(name.get("givenName"), "name.givenName", limit=100),
        family_name=_string(name.get("familyName"), "name.familyName", limit=100),
        email=_primary_email(body.get("emails")),
        active=boolean(body["active"]) if "active" in body else (current.active if current else True),
        external_id=_string(body.get("externalId"), "externalId", limit=200),
        employee_number=_string(enterprise.get("employeeNumber"), "employeeNumber", limit=50),
        title=_string(body.get("title"), "title", limit=120),
    )


# --- in: PATCH ----------------------------------------------------------------------------------------------

OPS = {"add", "replace", "remove"}

# Lower-cased attribute path -> (UserData field, SCIM name, length limit). The enterprise extension's attributes
# may come with their schema URN in front: "urn:...:enterprise:2.0:User:employeeNumber".
USER_PATHS = {
    "username": ("user_name", "userName", 150),
    "name.givenname": ("given_name", "name.givenName", 100),
    "name.familyname": ("family_name", "name.familyName", 100),
    "externalid": ("external_id", "externalId", 200),
    "title": ("title", "title", 120),
    "employeenumber": ("employee_number", "employeeNumber", 50),
    "emails": ("email", "emails", 254),
    'emails[type eq "work"].value': ("email", "emails.value", 254),
    "emails[primary eq true].value": ("email", "emails.value", 254),
    "emails.value": ("email", "emails.value", 254),
    "active": ("active", "active", 0),
}
# Attributes Entra ID's default mapping sends that Stabil keeps nowhere: accepted and left alone.
USER_IGNORED = re.compile(
    r"^(displayname|nickname|name\.formatted|name\.middlename|name\.honorificprefix|name\.honorificsuffix|"
    r"preferredlanguage|locale|timezone|usertype|profileurl|phonenumbers.*|addresses.*|ims.*|photos.*|"
    r"roles.*|entitlements.*|x509certificates.*|"
    r"department|manager(\.value)?|organization|division|costcenter)$"
)


def _user_path(path: str) -> str:
    path = path.strip()
    if path.lower().startswith(ENTERPRISE_USER.lower() + ":"):
        path = path[len(ENTERPRISE_USER) + 1 :]
    elif path.lower().startswith(CORE_USER.lower() + ":"):
        path = path[len(CORE_USER) + 1 :]
    return re.sub(r"\s+", " ", path).lower()


def _set_user(data: UserData, path: str, value, op: str) -> None:
    key = _user_path(path)
    if USER_IGNORED.match(key):
        return
    if key not in USER_PATHS:
        raise invalid_path(path)
    field, name, limit = USER_PATHS[key]
    if op == "remove":
        if field == "active":
            raise invalid_value(_("active cannot be removed: replace it with false."))
        setattr(data, field, "")
        return
    if field == "active":
        data.active = boolean(value)
    elif key == "emails":
        data.email = _primary_email(value if isinstance(value, list) else [value])
    else:
        text = _string(value, name, limit=limit)
        setattr(data, field, text.strip() if field == "user_name" else text)


def _set_user_dict(data: UserData, value: dict, op: str, prefix: str = "") -> None:
    """A path-less operation: {"name.givenName": "A", "active": "False", "name": {...}, "urn:...:User": {...}}."""
    for key, item in value.items():
        if not isinstance(key, str):
            raise invalid_value(_("Attribute names must be strings."))
        if key.lower() in {ENTERPRISE_USER.lower(), "name"} and isinstance(item, dict):
            _set_user_dict(data, item, op, prefix="" if key.lower() == ENTERPRISE_USER.lower() else "name.")
        elif key.lower() == "schemas" or key.lower() == "id":
            continue
        else:
            _set_user(data, prefix + key, item, op)


def operations(body) -> list[tuple[str, str | None, object]]:
    """The (op, path, value) of a PatchOp body, ops lower-cased."""
    body = body_dict(body)
    ops = body.get("Operations", body.get("operations"))
    if not isinstance(ops, list) or not ops:
        raise ScimError(400, _("A PATCH request needs a non-empty list of Operations."), "invalidSyntax")
    result = []
    for op in ops:
        if not isinstance(op, dict) or not isinstance(op.get("op"), str) or op["op"].lower() not in OPS:
            raise ScimError(400, _('Each operation needs an op: "add", "replace" or "remove".'), "invalidSyntax")
        path = op.get("path")
        if path is not None and (not isinstance(path, str) or not path.strip()):
            raise ScimError(400, _("path must be a non-empty string."), "invalidPath")
        result.append((op["op"].lower(), path, op.get("value")))
    return result


def user_patched(current: UserData, body) -> UserData:
    """`current` with the PATCH operations of `body` applied (nothing is saved here)."""
    data = dataclasses.replace(current)
    for op, path, value in operations(body):
        if path is None:
            if op == "remove" or not isinstance(value, dict):
                raise ScimError(400, _("An operation without a path needs an object as its value."), "invalidValue")
            _set_user_dict(data, value, op)
        else:
            _set_user(data, path, value, op)
    return data


MEMBER_FILTER = re.compile(r'^members\s*\[\s*value\s+eq\s+"([^"]*)"\s*\]$', re.IGNORECASE)


def member_ids(value) -> list[str]:
    """The ids of `[{"value": "12"}, ...]` (Entra ID sends one object at a time, other clients a list)."""
    items = value if isinstance(value, list) else [value]
    ids = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str | int):
            raise invalid_value(_('members must be a list of objects like {"value": "<id>"}.'))
        ids.append(str(item["value"]))
    return ids
