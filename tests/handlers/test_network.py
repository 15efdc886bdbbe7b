"""Building the support network: the twelve kinds, who and how to reach them, partners, gaps and edits."""

from data.models import SupportContact


def test_walk_the_twelve_kinds_and_get_a_summary_with_next_steps(client):
    client.send("network")
    assert "(1/12) Family and friends" in client.last[-1].text
    client.send("Mum")
    assert "How can you reach Mum?" in client.last[-1].text
    client.send("WhatsApp 9123 4567")
    assert "accountability partner" in client.last[-1].text
    client.tap("Yes")
    client.send("Tuesday NA group")  # 12-step groups: not a person, so no partner question
    client.send("Wan Chai church hall, 7pm")
    assert "(3/12) Therapy" in client.last[-1].text
    for _ in range(9):
        client.tap("Skip")
    reply = client.tap("Skip")  # the twelfth
    assert "covers 2 of 12 kinds" in reply
    assert "Family and friends: Mum (accountability partner)" in reply
    assert "Sponsor or mentor:" in reply  # a gap, with its next step
    assert "ask someone with time in recovery" in reply
    rows = client.rows(SupportContact)
    assert [(r.category, r.name, r.reach, r.is_partner) for r in rows] == [
        ("family_friends", "Mum", "WhatsApp 9123 4567", True),
        ("twelve_step", "Tuesday NA group", "Wan Chai church hall, 7pm", False),
    ]
    assert client.state().flow is None


def test_finish_early_keeps_what_was_added(client):
    client.send("/network")
    client.send("Sam")
    client.tap("Skip")
    client.tap("No")
    reply = client.tap("Finish")
    assert "covers 1 of 12" in reply
    assert [r.name for r in client.rows(SupportContact)] == ["Sam"]


def test_network_command_shows_and_edits_an_existing_network(client):
    client.send("/network")
    client.send("Sam")
    client.send("phone 5555 0000")
    client.tap("No")
    client.tap("Finish")
    reply = client.send("/network")
    assert "Family and friends: Sam" in reply
    client.tap("Change someone")
    client.tap("Sam")
    client.tap("Make accountability partner")
    assert client.rows(SupportContact)[0].is_partner is True
    client.tap("Change someone")
    client.tap("Sam")
    assert "Removed Sam" in client.tap("Remove")
    assert client.rows(SupportContact) == []


def test_fill_the_gaps_walks_only_missing_kinds(client):
    client.send("/network")
    client.send("Sam")
    client.tap("Skip")
    client.tap("No")
    client.tap("Finish")
    client.send("/network")
    client.tap("Fill the gaps")
    assert "(1/11) 12-step" in client.last[-1].text


def test_bad_input_in_the_walk_reasks_without_losing_contacts(client):
    client.send("/network")
    client.send("Mum")
    client.tap("Skip")
    client.tap("No")
    assert "Please type a name" in client.send("🙏🙏")
    assert "(2/12)" not in client.last[-1].text and client.labels == ["Where could I start?", "Skip", "Finish for now"]
    assert (client.state().flow, client.state().step) == ("network", "kind")
    assert "under 80 characters" in client.send("n" * 5000)
    assert [r.name for r in client.rows(SupportContact)] == ["Mum"]
