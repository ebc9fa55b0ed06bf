"""The discovery endpoints' documents (RFC 7643 5-7, RFC 7644 4): what this service provider supports."""

from __future__ import annotations

from django.urls import reverse

from staff.scim.resources import CORE_GROUP, CORE_USER, ENTERPRISE_USER

SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def _url(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def service_provider_config(request, *, max_results: int) -> dict:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": max_results},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "SCIM token",
                "description": "The organisation's SCIM token, made by its organisation admin in Stabil.",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": _url(request, "scim:service_provider_config")},
    }


def _attribute(name: str, type_: str = "string", *, required=False, multi=False, unique="none", sub=None, **extra):
    attribute = {
        "name": name,
        "type": type_,
        "multiValued": multi,
        "required": required,
        "caseExact": False,
        "mutability": extra.pop("mutability", "readWrite"),
        "returned": "default",
        "uniqueness": unique,
    }
    if sub:
        attribute["subAttributes"] = sub
    attribute.update(extra)
    return attribute


def _schema(request, schema_id: str, name: str, description: str, attributes: list[dict]) -> dict:
    return {
        "schemas": [SCHEMA],
        "id": schema_id,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": _url(request, "scim:schema", schema_id)},
    }


def schemas(request) -> list[dict]:
    user = [
        _attribute("userName", required=True, unique="server"),
        _attribute(
            "name",
            "complex",
            required=True,
            sub=[_attribute("givenName", required=True), _attribute("familyName", required=True)],
        ),
        _attribute("displayName", mutability="readOnly"),
        _attribute("title"),
        _attribute("active", "boolean"),
        _attribute(
            "emails",
            "complex",
            multi=True,
            sub=[_attribute("value"), _attribute("type"), _attribute("primary", "boolean")],
        ),
    ]
    enterprise = [_attribute("employeeNumber")]
    member = _attribute("value", "string", mutability="immutable")
    group = [
        _attribute("displayName", required=True, unique="server"),
        _attribute("members", "complex", multi=True, sub=[member, _attribute("display", mutability="readOnly")]),
    ]
    return [
        _schema(request, CORE_USER, "User", "A person: a staff record and its login", user),
        _schema(request, ENTERPRISE_USER, "EnterpriseUser", "The employee number", enterprise),
        _schema(
            request, CORE_GROUP, "Group", "A directory group; roles come through the organisation's mapping", group
        ),
    ]


def resource_types(request) -> list[dict]:
    def resource_type(name: str, endpoint: str, schema: str, extensions=()):
        body = {
            "schemas": [RESOURCE_TYPE],
            "id": name,
            "name": name,
            "endpoint": endpoint,
            "schema": schema,
            "meta": {"resourceType": "ResourceType", "location": _url(request, "scim:resource_type", name)},
        }
        if extensions:
            body["schemaExtensions"] = [{"schema": ext, "required": False} for ext in extensions]
        return body

    return [
        resource_type("User", "/Users", CORE_USER, [ENTERPRISE_USER]),
        resource_type("Group", "/Groups", CORE_GROUP),
    ]
