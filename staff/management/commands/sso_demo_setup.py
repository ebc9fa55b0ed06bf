"""`make sso-demo`: Demo kommun signs in through the local test identity providers (tests/idp/, docs/sso.md).

Sets up Demo kommun's OpenID Connect and SAML configurations pointing at the providers on loopback, verifies
the demo's e-mail domain, and writes the providers' configurations (their users are the demo's logins, each
with the password given) to the folder given. Run after seed_demo; running it again replaces the setup."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from staff.models import Organisation, StaffMember
from staff.sso import services
from staff.sso.models import EmailDomain, IdentityProvider

LOGINS = ("worker", "manager", "specialist", "admin")


class Command(BaseCommand):
    help = "Point Demo kommun's sign-in at the local test identity providers and write their configurations."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder for oidc.json and saml.json.")
        parser.add_argument("--site", default="http://127.0.0.1:8000", help="Stabil's address in the browser.")
        parser.add_argument("--oidc-port", type=int, default=9001)
        parser.add_argument("--saml-port", type=int, default=9002)
        parser.add_argument("--password", default="stabil-idp", help="The demo people's password at the providers.")

    @transaction.atomic
    def handle(self, *args, out, site, oidc_port, saml_port, password, **options):
        organisation = Organisation.objects.filter(slug="demo").first()
        if organisation is None:
            raise CommandError("No Demo kommun: run `manage.py seed_demo` first.")
        site = site.rstrip("/")
        domain = "demo.example"
        EmailDomain.objects.filter(organisation=organisation, domain=domain).delete()
        EmailDomain.objects.create(
            organisation=organisation, domain=domain, verified_domain=domain, verified_at=timezone.now()
        )
        people = []
        for login in LOGINS:
            member = StaffMember.objects.filter(organisation=organisation, user__username=login).first()
            if member is None:
                continue
            if not member.email.endswith(f"@{domain}"):
                member.email = f"{login}@{domain}"
            member.employee_number = member.employee_number or f"D{member.pk:05d}"
            member.save(update_fields=["email", "employee_number"])
            people.append((login, member))
        secret = secrets.token_urlsafe(24)
        IdentityProvider.objects.filter(organisation=organisation).delete()
        services.identity_provider_save(
            idp=IdentityProvider(
                organisation=organisation,
                protocol=IdentityProvider.Protocol.OIDC,
                display_name="Demo-IdP (OpenID Connect)",
                enabled=True,
                metadata_url=f"http://127.0.0.1:{oidc_port}/o/.well-known/openid-configuration",
                client_id="stabil-demo",
                employee_number_claim="employee_number",
            ),
            client_secret=secret,
        )
        services.identity_provider_save(
            idp=IdentityProvider(
                organisation=organisation,
                protocol=IdentityProvider.Protocol.SAML,
                display_name="Demo-IdP (SAML, som SITHS)",
                enabled=True,
                metadata_url=f"http://127.0.0.1:{saml_port}/metadata",
                entity_id=f"http://127.0.0.1:{saml_port}/metadata",
                employee_number_claim="employeeNumber",
            )
        )
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        harness_key = secrets.token_urlsafe(16)
        oidc = {
            "harness_key": harness_key,
            "clients": [
                {
                    "client_id": "stabil-demo",
                    "client_secret": secret,
                    "redirect_uris": [f"{site}/accounts/oidc/demo/login/callback/"],
                }
            ],
            "users": [
                {
                    "username": login,
                    "password": password,
                    "sub": f"demo-oidc-{member.pk}",
                    "email": member.email,
                    "name": f"{member.first_name} {member.last_name}",
                    "employee_number": member.employee_number,
                }
                for login, member in people
            ],
        }
        saml = {
            "harness_key": harness_key,
            "sps": [
                {"entity_id": f"{site}/accounts/saml/demo/metadata/", "acs_url": f"{site}/accounts/saml/demo/acs/"}
            ],
            "users": [
                {
                    "username": login,
                    "password": password,
                    "name_id": f"demo-saml-{member.pk}",
                    "email": member.email,
                    "display_name": f"{member.first_name} {member.last_name}",
                    "employee_number": member.employee_number,
                }
                for login, member in people
            ],
        }
        (folder / "oidc.json").write_text(json.dumps(oidc, indent=2))
        (folder / "saml.json").write_text(json.dumps(saml, indent=2))
        names = ", ".join(login for login, _m in people)
        self.stdout.write(
            f"Demo kommun signs in through the local providers: {site}/accounts/sso/demo/ "
            f"(people at the providers: {names}; password {password})."
        )
