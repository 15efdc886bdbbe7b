"""A turn's replies on a channel that joins them: fewer, whole messages, buttons kept under their question."""

from datetime import UTC, datetime

from handlers.delivery import joined
from handlers.types import Attachment, Option, Outbound

QUESTION = Outbound(text="How strong is it?", options=(Option("1", "n:1"), Option("2", "n:2")), numbered=False)


def test_a_note_and_the_next_question_become_one_message_with_the_question_buttons():
    (one,) = joined([Outbound(text="Noted at 6."), QUESTION])
    assert one.text == "Noted at 6.\n\nHow strong is it?"
    assert one.options == QUESTION.options and one.numbered is False


def test_buttons_stay_under_their_own_question():
    first = Outbound(text="Pick one", options=(Option("A", "a"),))
    assert joined([first, QUESTION]) == [first, QUESTION]


def test_files_later_messages_and_messages_for_someone_else_stay_apart():
    export = Outbound(text="Your data", attachment=Attachment("x.json", "{}", "application/json"))
    later = Outbound(text="Reminder", not_before=datetime(2026, 1, 1, tzinfo=UTC))
    other = Outbound(text="For your partner", person_id=7)
    note = Outbound(text="Here you go.")
    assert joined([note, export]) == [note, export]
    assert joined([export, note]) == [export, note]
    assert joined([note, later]) == [note, later]
    assert joined([note, other]) == [note, other]


def test_together_too_long_for_one_message_they_stay_apart():
    long = Outbound(text="x" * 4090)
    assert joined([long, QUESTION]) == [long, QUESTION]
    assert len(joined([long, QUESTION], limit=4200)) == 1


def test_an_urgent_part_keeps_the_joined_message_urgent():
    (one,) = joined([Outbound(text="Help is here.", priority="urgent"), Outbound(text="Are you safe?")])
    assert one.priority == "urgent"


def test_three_plain_notes_and_a_question_are_one_message_in_order():
    (one,) = joined([Outbound(text="a"), Outbound(text="b"), Outbound(text="c"), QUESTION])
    assert one.text == "a\n\nb\n\nc\n\nHow strong is it?"
