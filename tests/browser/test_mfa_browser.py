"""A manager whose organisation requires two-step sign-in sets it up in the browser."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import Organisation
from tests.browser.conftest import assert_accessible, login


def test_manager_sets_up_two_step_sign_in(page, live_server, demo):
    Organisation.objects.filter(name="Demo kommun").update(mfa_required=True)
    login(page, live_server, "manager")
    page.wait_for_url("**/accounts/mfa/setup/**")
    assert page.locator(".qr svg").is_visible()
    assert_accessible(page)
    device = TOTPDevice.objects.get(user__username="manager", confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.get_by_label("Kod").fill(code)
    page.get_by_role("button", name="Bekräfta").click()
    assert page.get_by_role("heading", name="Dina återställningskoder").is_visible()
    assert page.locator("ul[aria-label='Återställningskoder'] li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="Fortsätt").click()
    assert "/accounts/mfa/" not in page.url


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_password_alone_is_refused_management_then_the_app_is_replaced(page, live_server, demo):
    """Signed in with the password only, the manager's two-step page sends them to the code first (no new
    recovery codes, no switching off, no new app); after the code, they replace the app."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="manager")
    old = TOTPDevice.objects.create(user=user, name="Stabil", confirmed=True)
    login(page, live_server, "manager")
    page.wait_for_url("**/accounts/mfa/verify/**")
    page.goto(f"{live_server.url}/accounts/mfa/setup/")
    page.wait_for_url("**/accounts/mfa/verify/**")
    assert page.locator(".qr svg").count() == 0
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    page.goto(f"{live_server.url}/accounts/mfa/")
    page.wait_for_url("**/accounts/mfa/verify/**")
    assert page.get_by_role("status").get_by_text("för att hantera tvåstegsinloggningen").is_visible()
    assert page.get_by_role("button", name="Nya återställningskoder").count() == 0
    assert_accessible(page)
    page.get_by_label("Kod").fill(_code(old))
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/accounts/mfa/")
    assert page.get_by_role("button", name="Nya återställningskoder").is_visible()
    page.get_by_role("link", name="Byt autentiseringsapp").click()
    page.wait_for_url("**/accounts/mfa/setup/**")
    assert_accessible(page)
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Kod").fill(_code(new))
    page.get_by_role("button", name="Bekräfta").click()
    assert page.get_by_role("heading", name="Dina återställningskoder").is_visible()
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    page.get_by_role("link", name="Fortsätt").click()
    page.wait_for_url("**/accounts/mfa/")
