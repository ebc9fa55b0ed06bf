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
