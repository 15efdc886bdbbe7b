"""A crisis alert shows when the client's message came, whenever it is sent or re-sent."""

from datetime import UTC, datetime, timedelta

from tests.scheduler.conftest import add_person, outbox_for, tick

MESSAGE = datetime(2026, 3, 2, 3, 59, tzinfo=UTC)  # 11:59 in Hong Kong


def test_the_resend_shows_the_time_of_the_message_not_of_the_resend(client, rt, clinician, sender):
    rt.clock.now = MESSAGE
    client.send("I want to kill myself")
    tick(rt, MESSAGE + timedelta(minutes=15), sender)  # 12:14
    first, again = outbox_for(rt, clinician.id)
    assert "message at 11:59" in first.text
    assert "STILL URGENT" in again.text and "message at 11:59" in again.text and "12:14" not in again.text


def test_an_alert_sent_days_later_shows_the_date(client, rt, sender):
    rt.clock.now = MESSAGE
    client.send("I want to kill myself")  # no clinician yet: the alert waits for one
    tick(rt, MESSAGE + timedelta(minutes=1), sender)
    clinician = add_person(rt, role="clinician", name="Dr Chan", address="clinician-1")
    tick(rt, MESSAGE + timedelta(days=2, hours=1), sender)
    (alert,) = outbox_for(rt, clinician.id)
    assert "URGENT: Ken" in alert.text and "message at 2026-03-02 11:59" in alert.text


def test_the_date_is_shown_when_the_message_was_not_today_in_the_clinicians_zone(client, rt, sender):
    hk = add_person(rt, role="clinician", name="Dr Chan", address="clinician-1")
    london = add_person(rt, role="clinician", name="Dr Smith", address="clinician-uk", timezone="Europe/London")
    at = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)  # 07:59 on 2 March in Hong Kong; 23:59 on 1 March in London
    rt.clock.now = at
    client.send("I want to kill myself")
    tick(rt, at + timedelta(minutes=15), sender)  # 08:14 in Hong Kong; 00:14 on 2 March in London
    assert "message at 07:59" in outbox_for(rt, hk.id)[-1].text
    assert "message at 23:59" in outbox_for(rt, london.id)[0].text
    assert "message at 2026-03-01 23:59" in outbox_for(rt, london.id)[-1].text
