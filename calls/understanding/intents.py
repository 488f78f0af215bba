"""What the caller meant, from canonical tokens: one of ``INTENTS`` and how sure the rules are.

Each intent has phrase rules written against canonical romanised words (see ``normalise``), so one rule
covers English, Hinglish and Devanagari. When several intents fire, the most actionable wins, in this order:
wrong number, stop calling, dispute, agent, promise / already paid (a promise with a pay verb in the future
beats a bare "already"; with both, the one said last), a call-back request, cannot pay, then a bare date or
amount (a promise), then yes / no. Negation is read locally: a "not", "nahi", "na" or "mat" just before the
verb turns a promise into cannot_pay and removes an "already paid".
"""

import re
from dataclasses import dataclass

INTENTS = (
    "promise_to_pay",
    "already_paid",
    "dispute",
    "wrong_number",
    "callback",
    "cannot_pay",
    "agent",
    "stop_calling",
    "yes",
    "no",
    "unclear",
)

_NEGATORS = frozenset({"not", "nahi", "na", "never", "mat", "no"})
_IN = r"(?:mein|main|me|in|within|andar|ke andar)"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


_WRONG_NUMBER = _any(
    r"\b(wrong|galat) (number|no|person|aadmi|insaan|jagah|call|bande)\b",
    r"\bnumber (is |hai )?(galat|wrong)\b",
    r"\bno (one|body)( \w+){0,2} (by|named|called|with)\b",
    r"\bnobody (here )?(by|named|called)\b",
    r"\bkoi( \w+){0,2} (nahi|na) (rehta|rehti)\b",
    r"\byahan koi( \w+){0,2} (nahi|na) (hai|hain)\b",
    r"\bkoi( \w+)? yahan (nahi|na)\b",
    r"\b(uska|unka|uski|unki|his|her|their)( \w+)? number (nahi|na|not)\b",
    r"\bnumber( \w+){0,2} (uska|unka|uski|unki|his|her|their) (nahi|na|not)\b",
    r"\b(is|yeh|iss|us) naam (ka|ki|se|ke) koi\b",
    r"\bno such person\b",
    r"\b(do not|does not) know (any|anyone|anybody|him|her|this person|who|any such|such)\b",
    r"\b(nahi|na) jaanta\b",
    r"\bjaanta (nahi|na|bhi nahi)\b",
    r"\b(not|nahi) (his|her|their|uska|unka|uski|unki)( \w+)? number\b",
    r"\bnumber (badal|change|changed)\b",
    r"\b(this|yeh) number (is not|nahi|not)\b",
    r"\bwrong (guy|lady|man|woman)\b",
)
_STOP_CALLING = _any(
    r"\bstop (calling|call|calls|these|this|ringing|bothering|disturbing|harassing|it)\b",
    r"\b(do not|never|dont) (ever )?(call|phone|ring|contact|disturb|bother)\b(?! (me )?(now|right now|abhi|today)\b)",
    r"\b(call|phone|calls|ring)( \w+)? (mat|band)\b(?! (\w+ )?(abhi|now))",
    r"\bmat (karo|karna|karein)? ?(call|phone)\b",
    r"\bbaar baar\b",
    r"\bpareshan (mat|na|karna band|band)\b",
    r"\bharass",
    r"\b(remove|delete|hatao|hata do) (my|mera) number\b",
    r"\bmera number (remove|delete|hatao|hata)",
    r"\bno more calls\b",
    r"\b(calls?|phone)\b( \w+){0,6} band (karo|karein|kijiye|kar do)\b",
    r"\bnot (to )?call (me )?(again|anymore|ever)\b",
    r"\b(do not|dont) want (any )?(more )?calls\b",
    r"\bunsubscribe\b",
    r"\bdnd\b",
    r"\b(call|phone)( \w+){0,2} (again|dobara|phir)( \w+)? (mat|nahi|na)\b",
    r"\b(dobara|phir se|phir) (call|phone)( \w+)? (mat|na)\b",
    r"\bnever call\b",
    r"\b(police|complaint|consumer court|rbi)\b",
)
_DISPUTE = _any(
    r"\b(not|nahi) (my|mera|meri|mere)( \w+)? (loan|amount|account|emi)\b",
    r"\b(loan|amount|account|emi)( \w+){0,2} (is )?not (mine|my)\b",
    r"\bnot mine\b",
    r"\b(never|not|nahi|na)( \w+){0,2} (took|taken|take|liya|borrowed|borrow|applied|apply)\b",
    r"\b(wrong|galat|incorrect|extra|zyada|jyada|excess|wrongly|hidden)( \w+){0,2} (amount|charges?|charged|bill|"
    r"penalty|interest|emi|byaaj|fine|balance|fees?)\b",
    r"\b(amount|charges?|bill|penalty|interest|emi|byaaj|balance|fees?)( \w+){0,4} (wrong|galat|incorrect|zyada|jyada|"
    r"too much|too high|more|not correct|sahi nahi)\b",
    r"\b(do not|not|nothing) owe\b",
    r"\bowe (you )?nothing\b",
    r"\bfraud\b",
    r"\bdispute\b",
    r"\bovercharg",
    r"\b(mera|meri|mere) nahi (hai|hain|tha)\b",
    r"\b(kaun sa|kaunsa|which) loan\b",
    r"\b(have|had|has) no loan\b",
    r"\b(koi|any|no) loan\b",
    r"\bloan( \w+){0,2} (kisi aur|someone else|somebody else)\b",
    r"\bnot (correct|right) (amount|figure)\b",
    r"\bscam\b",
)
_AGENT = _any(
    r"\b(agent|human|representative|supervisor|operator|executive|customer care|customer service|"
    r"customer support|helpline|team leader|senior)\b",
    r"\b(real|live|actual|asli) (person|insaan|aadmi)\b",
    r"\b(insaan|aadmi|manager|officer|adhikari|person|someone|somebody|staff|ladki|ladka|sir|madam)\b( \w+){0,4} "
    r"(baat|talk|speak|connect|transfer|baat karao)\b",
    r"\b(baat|talk|speak|connect|transfer)\w*( \w+){0,4} (insaan|aadmi|manager|officer|adhikari|person|someone|"
    r"somebody|executive)\b",
    r"\b(robot|machine|computer|bot|recording)\b",
    r"\bbaat karao\b",
    r"\btransfer (the |my |this )?call\b",
    r"\bconnect (me|karo|karao|karein)\b",
    r"\bkisi se baat\b",
)
_CALLBACK = _any(
    r"\b(call|phone|ring|baat)( \w+){0,4} (later|baad|back|tomorrow|kal|parso|evening|shaam|subah|morning|"
    r"afternoon|dopahar|raat|night|after|free|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d+ baje|"
    r"\d+ pm|\d+ am|\d+:\d+|next|agle|week|hafte)\b",
    r"\b(later|baad|tomorrow|kal|parso|evening|shaam|subah|morning|afternoon|dopahar|raat|night|baje|pm|am|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)( \w+){0,4} (call|phone|ring)\b",
    r"\bcall ?back\b",
    r"\bbusy\b",
    r"\b(in a|in|mein) meeting\b",
    r"\bmeeting (mein|me|main)\b",
    r"\bdriving\b",
    r"\bnot (a )?(good|right) time\b",
    r"\b(abhi|now|right now) (baat )?(nahi|not|can not)( \w+)? (kar|talk|speak|baat)\b",
    r"\b(can not|could not) (talk|speak)\b",
    r"\bbaat nahi kar (sakta|paunga)\b",
    r"\bthodi der (baad|mein|me)\b",
    r"\b(baad|later) (mein|me|main)? ?(baat|call|phone)\b",
    r"\bfree (hoke|hokar|ho kar|hone)\b",
    r"\bsome other time\b",
    r"\b(baad (mein|me|main)|later)\b",
)
_CALL_REQUEST = _any(
    r"\b(call|phone|ring)( \w+){0,4} (later|baad|back|tomorrow|kal|parso|evening|shaam|subah|morning|afternoon|"
    r"dopahar|raat|night|after|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d+ baje|\d+ pm|next|"
    r"agle|on|at|\d+)\b",
    r"\bcall ?back\b",
    r"\bbusy\b",
    r"\b(baat|talk|speak)( \w+){0,2} (nahi|not) (kar|talk|speak)\b",
    r"\b(can not|could not) (talk|speak)\b",
)
_HARDSHIP = _any(
    r"\b(can not|could not|unable to|not able to|not in a position to|will not be able to|can not even)( \w+){0,2} "
    r"(pay|afford|clear|manage|arrange|give|do|make)\b",
    r"\bno (money|income|job|salary|funds|paisa|paise|work|kaam|naukri|cash)\b",
    r"\b(do not|dont|does not) have( any)?( \w+)? (money|funds|cash|job|income|work|salary)\b",
    r"\blost (my |our |his |her )?(job|business|work|income)\b",
    r"\b(job|naukri|kaam|business|dhandha|dukaan|dukan)( \w+){0,2} (chali|gaya|chhut|chhoot|chhoot gayi|nahi|band|"
    r"lost|gone|loss|khatam|thap)\b",
    r"\b(paise|paisa|money|funds|cash|salary)( \w+){0,2} (nahi|not|khatam|no)\b",
    r"\b(nahi|no|koi) (paise|paisa)\b",
    r"\b(hospital|bimar|sick|ill|medical|emergency|accident|operation|surgery|death|died|expired|treatment|ilaj|"
    r"admit|admitted|passed away|funeral)\b",
    r"\b(unemployed|berozgar|jobless|bankrupt|loss|nuksaan|nuksan|ghata)\b",
    r"\b(mushkil|difficult|tight|crisis|tangi|dikkat|pareshani|problem|struggling|hardship|financial)\b",
    r"\b(nahi|na) (de|kar|bhar|chuka|pay)( \w+)? (paunga|sakta|dunga|karunga|jayega|hoga)\b",
    r"\bkahan se (dunga|laun|launga|karunga|bharunga|de|paise|paisa|lau|doon)\b",
    r"\bkaise (dunga|karunga|bharunga|chukaunga|de|kar)\b",
    r"\b(will not|wo not|would not|not going to|refuse to|never) pay\b",
    r"\bsalary (nahi|not|did not|has not) (aayi|come|received|mili|credited)\b",
    r"\bpay (nahi|na) (kar|ho)\b",
)
_YES_STRONG = _any(
    r"\bspeaking\b",
    r"\bbol (raha|rehta) hoon\b",
    r"\b(main|mai) (hi|hee) (hoon|bol)\b",
    r"\b(it is|this is) (me|he|she|him|her)\b",
    r"\bthat is me\b",
    r"\b(main|mai) (hi )?(\w+ )?(bol raha|baat kar raha)\b",
)
_YES = _any(
    r"\b(yes|yeah|yep|yup|ya|haan|ji|ok|okay|sure|right|correct|bilkul|sahi|theek|absolutely|definitely|"
    r"exactly|confirm|confirmed|fine|alright|done|haanji|certainly|agreed|perfect|true)\b",
    r"\bof course\b",
)
_NO_STRONG = _any(
    r"\bnot (available|here|at home|home|in|around|present|reachable)\b",
    r"\b(ghar|office|yahan|bahar|gaon|station)( \w+){0,2} (nahi|na|gaye|gayi|gaya|hai nahi)\b",
    r"\b(woh|vo|he|she|they)( \w+){0,2} (nahi|not|out)( \w+)?( hai| hain| is| are)?\b",
    r"\bout of (station|town|city|india|country)\b",
    r"\b(bahar|gaon|village)( \w+)? (gaye|gayi|gaya|gaye hain|hai)\b",
    r"\b(abhi|now) (nahi|not) (hai|hain|here|there)\b",
    r"\b(sahi|correct|right|theek) (nahi|not)\b",
    r"\bnot (correct|right|okay|ok|true|fine)\b",
    r"\bgalat hai\b",
    r"\bji nahi\b",
)
_UNCLEAR = _any(
    r"\b(kaun|who|what|kya|which|kaunsi|kis|kahan|where|why|kyun|hello|repeat|pardon|awaaz|samajh|sunai|hear)\b",
)
_STRONG_YES_WORDS = frozenset({"yes", "haan", "yeah", "bilkul", "correct", "sahi", "right", "yep", "yup", "sure"})
_NO = _any(r"\b(no|nope|nah|nahi|na|never|incorrect|wrong|galat|negative|nai)\b")

_PAY_OBJECTS = (
    r"(pay|payment|paise|paisa|money|amount|emi|installment|kist|dues|due|loan|bhugtan|rupaye|\d+|it|baaki|rest|"
    r"balance)"
)
_FUTURE_EN = re.compile(
    r"\b(will|shall|going to|can|could|plan to|promise to|try to|would|should|let me|ready to|want to|need to)"
    r"( \w+){0,3} (pay|clear|settle|transfer|deposit|send|arrange|manage|make (the |a |my )?payment|do (the |a |my )?"
    r"payment|do it|give|repay)\b"
)
_PAY_WHEN_EN = re.compile(
    r"\bpay(ing)?( \w+){0,3} (by|on|before|tomorrow|next|within|today|tonight|this|after|in|till|until|end|"
    r"when|once|\d+|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow)\b"
)
_FUTURE_HI = ("dunga", "karunga", "bhejunga", "jayega", "hoga", "paunga", "lunga")
_NOT_PAYMENT = frozenset(
    {
        "call",
        "phone",
        "baat",
        "message",
        "receipt",
        "screenshot",
        "details",
        "proof",
        "photo",
        "whatsapp",
        "sms",
        "mail",
        "email",
        "reply",
        "check",
        "pata",
        "confirm",
        "ring",
        "inform",
        "bata",
        "kya",
        "time",
        "kaise",
        "meeting",
    }
)
_PAST_EN = re.compile(
    r"\b(paid|cleared|transferred|deposited|settled|sent|made the payment|made payment|done the payment|"
    r"have done|already done|payment done|payment is done|payment was done|payment made|payment complete|completed)\b"
)
_PAST_HI = re.compile(
    r"\b(kar|de|bhej|jama|bhar|transfer|chuka|clear|pay|deposit|online)( \w+)? "
    r"(diya|di|gaya|chuka|bheja|bhara|kiya)\b|\b(payment|paise|paisa|emi|amount|loan|bhugtan|kist|installment)"
    r"( \w+){0,3} (ho|kat) (gaya|chuka)\b|\b(maine|humne)( \w+){0,6} (diya|bheja|bhara|chuka)\b"
    r"|\b(bheja|bhara|chuka) (hai|tha|hoon|diya)\b|\b(jama|payment|pay|bhugtan)"
    r"( \w+)? kiya\b"
)


@dataclass(frozen=True)
class IntentGuess:
    intent: str
    confidence: float
    past: bool  # the payment talked about is in the past (dates read backwards)


def _negated(words: list[str], index: int, window: int = 3) -> bool:
    return any(word in _NEGATORS for word in words[max(0, index - window) : index])


def _char_to_word_index(text: str, position: int) -> int:
    return text.count(" ", 0, position)


def _first_unnegated(pattern: re.Pattern[str], text: str, words: list[str], window: int = 3) -> int | None:
    """Word index of the first match not preceded by a negator; None when every match is negated."""
    for match in pattern.finditer(text):
        index = _char_to_word_index(text, match.start())
        end_index = _char_to_word_index(text, match.end() - 1)
        inside = words[index : end_index + 1]
        # "nahi nahi, maine kar diya": a no before the subject answers the bot; it does not negate the verb.
        subject_first = words[index] in ("maine", "humne", "payment")
        if (subject_first or not _negated(words, index, window=1)) and not _NEGATORS & set(inside):
            return index
    return None


_VERB_STEMS = frozenset({"de", "kar", "bhej", "bhar", "jama", "chuka", "pay", "ho", "transfer", "clear", "kr"})


def _hindi_verb_negated(words: list[str], index: int) -> bool:
    """ "nahi dunga", "nahi de dunga", "dunga nahi" are negated; "kal nahi, parso dunga" is not."""
    before = words[max(0, index - 3) : index]
    if before and before[-1] in _NEGATORS or index + 1 < len(words) and words[index + 1] in _NEGATORS:
        return True
    stems = [word for word in before[1:] if word in _VERB_STEMS]
    return (
        len(before) >= 2
        and before[-2] in _NEGATORS
        and before[-1] in _VERB_STEMS
        or (len(before) == 3 and before[0] in _NEGATORS and len(stems) == 2)
    )


def _promise_position(text: str, words: list[str]) -> tuple[int | None, bool]:
    """(word index of a positive future payment, whether a negated one was said)."""
    negated = False
    found: int | None = None
    for pattern in (_FUTURE_EN, _PAY_WHEN_EN):
        for match in pattern.finditer(text):
            start = _char_to_word_index(text, match.start())
            end = _char_to_word_index(text, match.end() - 1)
            segment = words[start : end + 1]
            if any(word in _NEGATORS for word in segment) or _negated(words, start, 2):
                negated = True
                continue
            found = start if found is None else min(found, start)
    for index, word in enumerate(words):
        if word not in _FUTURE_HI and not (word == "sakta" and index and words[index - 1] in ("de", "kar", "bhar")):
            continue
        before = words[max(0, index - 3) : index]
        if any(token in _NOT_PAYMENT for token in before):
            continue
        if word in ("jayega", "hoga") and not re.search(_PAY_OBJECTS, " ".join(words[max(0, index - 5) : index])):
            continue
        if word in ("paunga", "lunga") and not (set(before) & {"de", "kar", "bhar", "jama", "arrange", "chuka"}):
            continue
        if _hindi_verb_negated(words, index):
            negated = True
            continue
        if {"kahan", "kaise"} & set(words[max(0, index - 4) : index]):
            negated = True
            continue
        found = index if found is None else min(found, index)
    return found, negated


def _paid_position(text: str, words: list[str]) -> int | None:
    candidates = []
    for pattern in (_PAST_EN, _PAST_HI):
        position = _first_unnegated(pattern, text, words, window=3)
        if position is not None:
            candidates.append(position)
    if candidates and re.search(r"\b(not yet|abhi tak nahi|yet to|still not|nahi hua|nahi kiya)\b", text):
        return None
    already = re.search(r"\b(already|pehle hi|pehle se)\b", text)
    if not candidates and already and not re.search(r"\b(not|nahi|never)\b", text):
        candidates.append(_char_to_word_index(text, already.start()))
    return min(candidates) if candidates else None


def classify(words: list[str], *, has_date: bool, has_amount: bool) -> IntentGuess:
    """The intent of one utterance's canonical words."""
    # Words the lexicon does not know (names, mostly) in Devanagari become "x": rules count words, not letters.
    words = [word if word.isascii() else "x" for word in words]
    text = " ".join(words)
    if not text.strip():
        return IntentGuess("unclear", 1.0, False)
    if _WRONG_NUMBER.search(text):
        return IntentGuess("wrong_number", 0.9, False)
    if _STOP_CALLING.search(text):
        return IntentGuess("stop_calling", 0.9, False)
    promise_at, promise_negated = _promise_position(text, words)
    paid_at = _paid_position(text, words)
    if _DISPUTE.search(text) and not (
        paid_at is not None
        and promise_at is None
        and not re.search(r"\b(loan|amount|byaaj|interest|penalty|charges?)\b", text)
    ):
        return IntentGuess("dispute", 0.85, False)
    if _AGENT.search(text):
        return IntentGuess("agent", 0.85, False)
    if promise_at is not None and (
        paid_at is None or promise_at > paid_at or re.search(r"\b(baaki|rest|remaining|balance|bacha)\b", text)
    ):
        return IntentGuess("promise_to_pay", 0.9, False)
    if paid_at is not None:
        return IntentGuess("already_paid", 0.9, True)
    if _CALL_REQUEST.search(text):
        return IntentGuess("callback", 0.85, False)
    if promise_negated or _HARDSHIP.search(text):
        return IntentGuess("cannot_pay", 0.85, False)
    if _CALLBACK.search(text):
        return IntentGuess("callback", 0.8, False)
    if has_date and _UNCLEAR.search(text) and not has_amount:
        return IntentGuess("unclear", 0.4, False)
    if has_date or has_amount:
        if _NO_STRONG.search(text) and not has_amount:
            return IntentGuess("no", 0.6, False)
        return IntentGuess("promise_to_pay", 0.7, False)
    if _YES_STRONG.search(text):
        return IntentGuess("yes", 0.85, False)
    if _NO_STRONG.search(text):
        return IntentGuess("no", 0.85, False)
    if _UNCLEAR.search(text):
        return IntentGuess("unclear", 0.5, False)
    yes = _YES.search(text)
    no = _NO.search(text)
    if yes and no:
        # "nahi ji" is no; "nahi nahi, haan sahi hai" is yes: a plain yes word after the last no word wins.
        last_no = max(i for i, word in enumerate(words) if _NO.fullmatch(word))
        return IntentGuess("yes" if _STRONG_YES_WORDS & set(words[last_no + 1 :]) else "no", 0.6, False)
    if yes:
        return IntentGuess("yes", 0.8, False)
    if no:
        return IntentGuess("no", 0.8, False)
    return IntentGuess("unclear", 0.3, False)
