import pytest

from calls.models import CallStatus
from calls.services.status import TRANSITIONS, IllegalTransition, call_transition
from calls.tests.factories import CallFactory

pytestmark = pytest.mark.django_db

S = CallStatus


def test_a_call_moves_along_the_map_and_each_move_is_recorded():
    call = CallFactory()
    for status in (S.QUEUED, S.DIALING, S.RINGING, S.IN_PROGRESS, S.COMPLETED):
        call_transition(call=call, to=status)

    call.refresh_from_db()
    assert call.status == S.COMPLETED
    assert call.queued_at and call.started_at and call.answered_at and call.ended_at
    assert list(call.events.values_list("status", flat=True)) == [
        "queued",
        "dialing",
        "ringing",
        "in_progress",
        "completed",
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.SCHEDULED, S.COMPLETED),
        (S.SCHEDULED, S.RINGING),
        (S.COMPLETED, S.RINGING),
        (S.IN_PROGRESS, S.BUSY),
        (S.CANCELED, S.QUEUED),
        (S.QUEUED, S.RINGING),
        (S.LOST, S.COMPLETED),
        (S.SCHEDULED, S.LOST),
        (S.BUSY, S.COMPLETED),
    ],
)
def test_illegal_moves_raise_and_change_nothing(start, to):
    call = CallFactory(status=start)

    with pytest.raises(IllegalTransition):
        call_transition(call=call, to=to)

    call.refresh_from_db()
    assert call.status == start
    assert not call.events.exists()


def test_terminal_statuses_go_nowhere():
    for status in (S.COMPLETED, S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED, S.LOST):
        assert TRANSITIONS[status] == frozenset()
