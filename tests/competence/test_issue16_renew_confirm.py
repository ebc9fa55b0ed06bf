"""Issue 16: renewing an appointment asks first; only the confirmed POST renews."""

from __future__ import annotations

from django.urls import reverse

from competence.models import Appointment
from tests.confirmation import confirmation_page


def test_renewing_an_appointment_asks_first(world, ladder):
    client = world.client("alice")
    appointment = Appointment.objects.get(staff=world.carol)
    url = reverse("competence:appointment_renew", args=[appointment.pk])
    confirmation_page(client, url, "Vill du verkligen förlänga", "Carol Testsson")
    assert not Appointment.objects.filter(renewal_of=appointment).exists()
    assert client.get(url).status_code == 405
    assert world.client("dave").post(url, {"confirm": "1"}).status_code == 403
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert Appointment.objects.filter(renewal_of=appointment).count() == 1
