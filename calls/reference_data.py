"""Reference data the product ships: the standard dispositions (what the bot says is in ``calls.conversation``).

Written by a data migration; ``reference_data_ensure`` writes it again where it went missing (a
test database flushed between tests, a script deleted by mistake). Existing rows are left as edited.
"""

DISPOSITIONS = [
    # code, label, layer, is_contact, is_right_party_contact, is_final
    ("busy", "Busy", "telephony", False, False, False),
    ("no_answer", "No answer", "telephony", False, False, False),
    ("failed", "Failed", "telephony", False, False, False),
    ("machine", "Answered by a machine", "telephony", False, False, False),
    ("no_input", "Answered, no choice made", "conversation", True, False, False),
    ("promise_to_pay", "Promise to pay", "conversation", True, True, True),
    ("already_paid", "Already paid", "conversation", True, True, True),
    ("agent_requested", "Asked for an agent", "conversation", True, True, True),
    ("dispute", "Dispute", "conversation", True, True, True),
    ("refused", "Refused to pay", "conversation", True, True, False),
    ("wrong_number", "Wrong number", "conversation", True, False, True),
    ("callback_requested", "Callback requested", "conversation", True, True, True),
    ("do_not_call", "Do-not-call request", "conversation", True, True, True),
    ("stop_calling", "Asked the bot to stop calling", "conversation", True, True, True),
    # A conversation with the borrower and nothing more to record: under Reg F it still starts the
    # seven quiet days for the debt.
    ("conversation", "Spoke with the borrower", "conversation", True, True, False),
    # The bot's conversation: whoever answered was not the borrower, or could not be verified.
    ("not_available", "Someone else answered", "conversation", True, False, False),
    ("not_verified", "Could not verify who answered", "conversation", True, False, False),
    ("cannot_pay", "Cannot pay (hardship)", "conversation", True, True, True),
    ("promise_far", "Offered a date beyond the horizon", "conversation", True, True, True),
    ("transferred", "Transferred to an agent", "conversation", True, True, True),
]


def reference_data_ensure(*, disposition_model=None) -> None:
    """Create what is missing; ``disposition_model`` lets a migration pass its historical model."""
    if disposition_model is None:
        from calls.models import Disposition

        disposition_model = Disposition
    for code, label, layer, contact, right_party, final in DISPOSITIONS:
        disposition_model.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "layer": layer,
                "is_contact": contact,
                "is_right_party_contact": right_party,
                "is_final": final,
            },
        )
