"""Reference data the product ships: the standard dispositions and the English and Hindi scripts.

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
]

SCRIPTS = {
    "en": {
        "greeting": "Hello {name}. This is a reminder that {amount} rupees on your loan is due on {due_date}.",
        "menu": "Press 1 if you will pay by the due date. Press 2 if you have already paid. "
        "Press 3 to speak to an agent.",
        "promise_thanks": "Thank you. We have noted your promise to pay {amount} rupees by {due_date}.",
        "paid_thanks": "Thank you. We will check your payment and update your account.",
        "agent_transfer": "Thank you. An agent will call you back shortly.",
        "no_input": "Sorry, we did not receive your choice.",
        "goodbye": "Thank you for your time. Goodbye.",
    },
    "hi": {
        "greeting": "नमस्ते {name}। आपके लोन की {amount} रुपये की किस्त {due_date} को देय है।",
        "menu": "यदि आप देय तिथि तक भुगतान करेंगे तो 1 दबाएँ। यदि आप पहले ही भुगतान कर चुके हैं तो 2 दबाएँ। "
        "एजेंट से बात करने के लिए 3 दबाएँ।",
        "promise_thanks": "धन्यवाद। हमने {due_date} तक {amount} रुपये के भुगतान का आपका वादा दर्ज कर लिया है।",
        "paid_thanks": "धन्यवाद। हम आपके भुगतान की जाँच करके आपका खाता अपडेट करेंगे।",
        "agent_transfer": "धन्यवाद। हमारा एजेंट जल्द ही आपको कॉल करेगा।",
        "no_input": "क्षमा करें, हमें आपका विकल्प नहीं मिला।",
        "goodbye": "आपके समय के लिए धन्यवाद। नमस्ते।",
    },
}


def reference_data_ensure(*, disposition_model=None, script_model=None) -> None:
    """Create what is missing; ``*_model`` lets the migration pass its historical models."""
    if disposition_model is None or script_model is None:
        from calls.models import Disposition, VoiceScript

        disposition_model, script_model = Disposition, VoiceScript
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
    for language, texts in SCRIPTS.items():
        script_model.objects.get_or_create(language=language, defaults=texts)
