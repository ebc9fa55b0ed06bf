"""Claims of the test identity provider: the configured `sub`, email, name and employee number."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.idp.oidc import harness

CLAIMS = ("sub", "email", "email_verified", "name", "preferred_username", "employee_number")


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "employee_number": "profile"}

    def get_discovery_claims(self, request):
        return list(CLAIMS)

    def get_additional_claims(self, request):
        """Used by DOT for the ID token and the userinfo response alike; `sub` here replaces DOT's user pk."""
        profile = harness.profile_of(request.user.get_username())
        return {
            "sub": profile["sub"],
            "email": profile["email"],
            "email_verified": True,
            "name": profile["name"],
            "preferred_username": request.user.get_username(),
            "employee_number": profile["employee_number"],
        }
