"""What the bot says, per language: data, so a language or a step is added here and nowhere else.

Placeholders in braces are filled by ``calls.conversation.speech``: ``{lender}``, ``{first_name}``,
``{callback_number}``, ``{contact_person}``, ``{loans}`` (the loans' amounts and due dates), ``{amount}``,
``{date}``, ``{total}``, ``{when}``. Every language listed in ``PROMPTS`` must hold every key of
``PROMPT_KEYS`` (a test checks it): a language without a full script is never called by the bot.

Nothing before ``ask`` names a debt, an amount or a loan: greeting, right-party check, the answer
for a third party and the machine message are safe for whoever (or whatever) picked up.
"""

PROMPT_KEYS = (
    "recording_notice",
    "greeting",
    "greeting_again",
    "greeting_keypad",
    "third_party",
    "wrong_number",
    "verify",
    "verify_again",
    "verify_failed",
    "fdcpa_disclosure",
    "loan_line_overdue",
    "loan_line_due",
    "loans_total",
    "ask",
    "ask_again",
    "ask_keypad",
    "ask_date",
    "amount_too_high",
    "confirm",
    "confirm_keypad",
    "promise_thanks",
    "promise_far",
    "paid_thanks",
    "dispute_noted",
    "callback_noted",
    "hardship_noted",
    "agent_transfer",
    "agent_callback",
    "stop_noted",
    "no_input_goodbye",
    "goodbye",
    "machine_message",
)

PROMPTS: dict[str, dict[str, str]] = {
    "en": {
        "recording_notice": "This call is recorded.",
        "greeting": "Hello, this is {lender}. May I speak with {first_name}?",
        "greeting_again": "Sorry, I did not catch that. Am I speaking with {first_name}?",
        "greeting_keypad": "If you are {first_name}, press 1. If not, press 2.",
        "third_party": "Thank you. Please ask {first_name} to call {lender} at {callback_number}. Goodbye.",
        "wrong_number": "Sorry for the trouble. We will not call this number again. Goodbye.",
        "verify": "To make sure I am speaking with the right person, please say or key in the last four "
        "digits of your loan number.",
        "verify_again": "Sorry, please say or key in the last four digits of your loan number.",
        "verify_failed": "Sorry, I could not confirm that. Please call {lender} at {callback_number}. Goodbye.",
        "fdcpa_disclosure": "This is {lender}, a debt collector. This is an attempt to collect a debt, and any "
        "information obtained will be used for that purpose.",
        "loan_line_overdue": "your loan ending {loan_end} has {amount} outstanding, which was due on {date}",
        "loan_line_due": "your loan ending {loan_end} has {amount} outstanding, due on {date}",
        "loans_total": "In total, {total}.",
        "ask": "Thank you, {first_name}. {loans}. When can you pay?",
        "ask_again": "Sorry, I did not understand. On which date can you pay, and how much?",
        "ask_keypad": "Press 1 to pay the amount due within a week. Press 2 if you have already paid. "
        "Press 3 to speak with an agent. Press 4 if you cannot pay.",
        "ask_date": "On which date will you pay {amount}?",
        "amount_too_high": "The amount outstanding is {total}. How much will you pay, and when?",
        "confirm": "So {amount} on {date}. Is that right?",
        "confirm_keypad": "Press 1 if that is right, or 2 if it is not.",
        "promise_thanks": "Thank you. We have noted your promise to pay {amount} on {date}.",
        "promise_far": "Thank you. An agent will call you to agree on a date for {amount}.",
        "paid_thanks": "Thank you. We will check your payment and will not call about this loan until we have.",
        "dispute_noted": "We have noted that you dispute this. An agent will look into it and contact you.",
        "callback_noted": "Sure. We will call you back {when}.",
        "hardship_noted": "We understand. An agent will call you to talk about what is possible.",
        "agent_transfer": "Please hold while I connect you to an agent.",
        "agent_callback": "An agent will call you back during working hours.",
        "stop_noted": "Understood. This automated service will not call you again.",
        "no_input_goodbye": "Sorry, I could not hear you. We will call again later. Goodbye.",
        "goodbye": "Thank you for your time. Goodbye.",
        "machine_message": "This is a message for {first_name} from {contact_person} at {lender}. "
        "Please call us back at {callback_number}. Thank you.",
    },
    "hi": {
        "recording_notice": "यह कॉल रिकॉर्ड की जा रही है।",
        "greeting": "नमस्ते, मैं {lender} से बोल रही हूँ। क्या मेरी बात {first_name} जी से हो रही है?",
        "greeting_again": "माफ़ कीजिए, मैं समझ नहीं पाई। क्या आप {first_name} जी बोल रहे हैं?",
        "greeting_keypad": "अगर आप {first_name} जी हैं तो 1 दबाएँ, नहीं तो 2 दबाएँ।",
        "third_party": "धन्यवाद। कृपया {first_name} जी से कहें कि वे {lender} को {callback_number} पर कॉल करें। नमस्ते।",
        "wrong_number": "परेशानी के लिए माफ़ी। हम इस नंबर पर दोबारा कॉल नहीं करेंगे। नमस्ते।",
        "verify": "सही व्यक्ति से बात हो रही है, यह पक्का करने के लिए कृपया अपने लोन नंबर के आख़िरी चार अंक बोलें या दबाएँ।",
        "verify_again": "माफ़ कीजिए, कृपया अपने लोन नंबर के आख़िरी चार अंक बोलें या दबाएँ।",
        "verify_failed": "माफ़ कीजिए, मैं पुष्टि नहीं कर पाई। कृपया {lender} को {callback_number} पर कॉल करें। नमस्ते।",
        "fdcpa_disclosure": "यह {lender} है, एक ऋण वसूली संस्था। यह एक ऋण वसूली का प्रयास है, और मिली हुई कोई भी "
        "जानकारी इसी काम के लिए इस्तेमाल होगी।",
        "loan_line_overdue": "आपके लोन (आख़िरी अंक {loan_end}) पर {amount} बकाया है, जिसकी देय तिथि {date} थी",
        "loan_line_due": "आपके लोन (आख़िरी अंक {loan_end}) पर {amount} बकाया है, जिसकी देय तिथि {date} है",
        "loans_total": "कुल मिलाकर {total}।",
        "ask": "धन्यवाद {first_name} जी। {loans}। आप भुगतान कब कर पाएँगे?",
        "ask_again": "माफ़ कीजिए, मैं समझ नहीं पाई। आप किस तारीख़ को और कितना भुगतान करेंगे?",
        "ask_keypad": "एक हफ़्ते में देय राशि चुकाने के लिए 1 दबाएँ। अगर भुगतान कर चुके हैं तो 2 दबाएँ। "
        "एजेंट से बात करने के लिए 3 दबाएँ। अगर भुगतान नहीं कर सकते तो 4 दबाएँ।",
        "ask_date": "आप {amount} किस तारीख़ को चुकाएँगे?",
        "amount_too_high": "बकाया राशि {total} है। आप कितना और कब चुकाएँगे?",
        "confirm": "तो {date} को {amount}। क्या यह सही है?",
        "confirm_keypad": "सही है तो 1 दबाएँ, नहीं तो 2 दबाएँ।",
        "promise_thanks": "धन्यवाद। हमने {date} को {amount} के भुगतान का आपका वादा दर्ज कर लिया है।",
        "promise_far": "धन्यवाद। {amount} की तारीख़ तय करने के लिए हमारा एजेंट आपको कॉल करेगा।",
        "paid_thanks": "धन्यवाद। हम आपका भुगतान जाँचेंगे, और तब तक इस लोन के बारे में कॉल नहीं करेंगे।",
        "dispute_noted": "हमने आपकी आपत्ति दर्ज कर ली है। हमारा एजेंट इसकी जाँच करके आपसे संपर्क करेगा।",
        "callback_noted": "ज़रूर। हम आपको {when} कॉल करेंगे।",
        "hardship_noted": "हम समझते हैं। हमारा एजेंट आपसे बात करके कोई रास्ता निकालेगा।",
        "agent_transfer": "कृपया रुकिए, मैं आपको एजेंट से जोड़ रही हूँ।",
        "agent_callback": "हमारा एजेंट कामकाज के समय में आपको कॉल करेगा।",
        "stop_noted": "ठीक है। यह स्वचालित सेवा आपको दोबारा कॉल नहीं करेगी।",
        "no_input_goodbye": "माफ़ कीजिए, आपकी आवाज़ नहीं आ रही। हम बाद में फिर कॉल करेंगे। नमस्ते।",
        "goodbye": "आपके समय के लिए धन्यवाद। नमस्ते।",
        "machine_message": "यह {first_name} जी के लिए {lender} से {contact_person} का संदेश है। "
        "कृपया हमें {callback_number} पर वापस कॉल करें। धन्यवाद।",
    },
}

# Words the recogniser should expect at each step (Twilio's ``hints``), per language.
HINTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "greeting": ("yes", "speaking", "wrong number", "not here", "call later"),
        "ask": ("tomorrow", "next week", "already paid", "agent", "cannot pay", "thousand", "lakh"),
        "confirm": ("yes", "no", "correct"),
    },
    "hi": {
        "greeting": ("haan", "ji haan", "bol raha hoon", "galat number", "ghar pe nahi"),
        "ask": ("kal", "parso", "tarikh", "hazaar", "lakh", "payment kar diya", "agent"),
        "confirm": ("haan", "nahi", "sahi hai"),
    },
}

# The languages the bot speaks: the others are left out of campaigns (and counted), never read in English.
CONVERSATION_LANGUAGES = tuple(PROMPTS)
