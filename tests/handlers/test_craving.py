"""The craving log: intensity, triggers, where and with whom, a coping step, the outcome, a follow-up."""

from datetime import timedelta

from data.models import Craving, Slip


def test_log_a_craving_end_to_end(client, clock):
    reply = client.send("craving")
    assert "0 (barely there) to 10" in reply
    assert [o["label"] for o in client.last[-1].options] == [str(n) for n in range(11)]
    client.send("7")  # a typed number on a scale is the value, not the 7th button
    client.tap("Lonely")
    assert "Got it: Lonely" in client.last[-1].text
    client.tap("Tired")
    client.tap("Done")
    client.send("at home")
    client.tap("alone")
    reply = client.tap("Check HALT")
    assert "Hungry, Angry, Lonely or Tired" in reply
    reply = client.tap("It passed")
    assert "Well done" in reply
    (row,) = client.rows(Craving)
    assert row.intensity == 7
    assert row.triggers == ["trig:lonely", "trig:tired"]
    assert (row.where, row.with_whom, row.plan, row.outcome) == ("at home", "I'm alone", "Check HALT", "passed")
    assert row.followup_due_at == row.logged_at + timedelta(minutes=20)
    assert row.logged_at == clock()


def test_craving_is_on_record_after_the_first_answer(client):
    client.send("/craving")
    client.send("seven")  # number words are understood
    client.send("/cancel")
    (row,) = client.rows(Craving)
    assert row.intensity == 7 and row.outcome is None
    assert row.followup_due_at is not None


def test_several_triggers_typed_at_once_and_own_words(client):
    client.send("/craving")
    client.send("4")
    client.send("hungry, lonley and angry")  # a typo still counts
    assert "Anything else?" in client.last[-1].text  # as after one trigger
    client.send("done")
    assert "Where are you" in client.last[-1].text
    assert client.rows(Craving)[0].triggers == ["trig:hungry", "trig:lonely", "trig:angry"]
    client.send("/craving")
    client.send("5")
    client.send("my ex texted me")
    assert client.rows(Craving)[1].triggers == ["note:my ex texted me"]
    assert "Anything else?" in client.last[-1].text


def test_intensity_out_of_range_or_nonsense_reasks(client):
    client.send("/craving")
    for bad in ("11", "-1", "lots", "", "😣", "siete", "x" * 5000):
        reply = client.send(bad)
        assert reply == "Please send a number from 0 to 10.", bad  # one line and the buttons, not the block
        assert client.labels == [str(n) for n in range(11)]
    assert client.rows(Craving) == []
    client.send("十")  # Chinese numerals work too
    assert client.rows(Craving)[0].intensity == 10


def test_strong_craving_and_reaching_out_lists_people_with_contact_details(client):
    client.send("/network")
    client.send("Mum")
    client.send("9123 4567")
    client.tap("Yes")
    client.tap("Finish")
    client.send("/craving")
    assert "strong one" in client.send("9")
    client.tap("Done")
    client.tap("Skip")
    client.tap("Skip")
    reply = client.tap("Reach out to someone")
    assert "Mum: 9123 4567" in reply


def test_still_strong_offers_other_ideas_and_used_goes_to_slip_without_shame(client):
    client.send("/craving")
    client.send("6")
    client.tap("Done")
    client.tap("Skip")
    client.tap("Skip")
    client.tap("Ride the wave")
    client.tap("Still strong")
    assert "Ride the wave" not in client.labels  # offers something not yet tried
    client.tap("Move your body")
    reply = client.tap("I used")
    assert "When did it happen?" in reply
    client.tap("Today")
    assert client.rows(Craving)[0].outcome == "used"
    assert len(client.rows(Slip)) == 1
