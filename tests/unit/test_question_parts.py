"""A message that asks two things is split into its questions, and the second gets its own answer
(bot/rasa_ext/question_parts.py)."""

import pytest
import yaml

from bot.core.paths import ROOT
from bot.rasa_ext.question_parts import (
    MAX_PARTS,
    SUPPORTED_CONFIDENCE,
    by_questions,
    named_subject,
    question_parts,
)


@pytest.mark.parametrize(
    "text, parts",
    [
        (
            "Is PIP free, and how long does it take to get approved?",
            ["Is PIP free", "how long does it take to get approved?"],
        ),
        ("Combien ça coûte et combien de temps ça prend?", ["Combien ça coûte", "combien de temps ça prend?"]),
        (
            "We moved our warehouse. Do we have to tell CBSA? Where do we send the update?",
            ["Do we have to tell CBSA?", "Where do we send the update?"],
        ),
        (
            "caller asks if drivers pay for a FAST card, and separately whether PIP itself costs money",
            ["caller asks if drivers pay for a FAST card", "whether PIP itself costs money"],
        ),
        ("Ok so what is PIP? And who can join?", ["what is PIP?", "who can join?"]),
        (
            "Le PEP donne-t-il accès aux voies EXPRES, et nos chauffeurs ont-ils besoin d'une carte?",
            ["Le PEP donne-t-il accès aux voies EXPRES", "nos chauffeurs ont-ils besoin d'une carte?"],
        ),
        ("Un transitaire peut-il adhérer, et est-ce payant?", ["Un transitaire peut-il adhérer", "est-ce payant?"]),
        (
            "Can brokers join PIP, and if we can, how do we apply?",
            ["Can brokers join PIP", "if we can, how do we apply?"],
        ),
        (
            "C'est quoi EXPRES au juste pis c'est-tu géré par l'ASFC?",
            ["C'est quoi EXPRES au juste", "c'est-tu géré par l'ASFC?"],
        ),
        # spoken French asks in place, after "pis" or "et"
        ("Ça coûte combien pis ça prend combien de temps?", ["Ça coûte combien", "ça prend combien de temps?"]),
        (
            "On a combien de temps pour faire appel, et on écrit à quelle adresse?",
            ["On a combien de temps pour faire appel", "on écrit à quelle adresse?"],
        ),
        (
            "faut-il etre inscrit au portail avant de demander le pep, et la demande se fait ou",
            ["faut-il etre inscrit au portail avant de demander le pep", "la demande se fait ou"],
        ),
        # shorthand and asides between the questions
        (
            "is there an annual fee once approved + how often do they get revalidated",
            ["is there an annual fee once approved", "how often do they get revalidated"],
        ),
        (
            "Is there a phone line, and while I've got you, how much is it?",
            ["Is there a phone line", "how much is it?"],
        ),
        (
            "1) what does the driver need, and 2) how long is the card good for?",
            ["1) what does the driver need", "how long is the card good for?"],
        ),
        # a condition with "and" inside stays whole, with its question
        (
            "Is PIP free, and once we're in and have drivers, what do we do?",
            ["Is PIP free", "once we're in and have drivers, what do we do?"],
        ),
        (
            "can we get into PIP and once we're in how often do we log in",
            ["can we get into PIP", "once we're in how often do we log in"],
        ),
        ("Is PIP free? also roughly how long does approval take", ["Is PIP free?", "how long does approval take"]),
        # the second question cut short, or named before it is asked
        ("what does PIP give a carrier, and the fee?", ["what does PIP give a carrier", "the fee?"]),
        ("quels documents faut envoyer, pis le delai?", ["quels documents faut envoyer", "le delai?"]),
        ("is PIP required by law... and the cost?", ["is PIP required by law", "the cost?"]),
        (
            "which goods qualify for FAST, and the driver card, how long's it good for",
            ["which goods qualify for FAST", "the driver card, how long's it good for"],
        ),
        (
            "Does Mexico recognize PIP? also drivers from Mexico, can they get FAST cards",
            ["Does Mexico recognize PIP?", "drivers from Mexico, can they get FAST cards"],
        ),
        (
            "notre demande est tu approuvee? pis ca prend combien de temps normalement",
            ["notre demande est tu approuvee?", "ca prend combien de temps normalement"],
        ),
        # an agent relays the caller's second question in a sentence that does not ask it
        (
            "Caller can't open the portal in Firefox. Which browser works? He also wants to know where his file is.",
            ["Which browser works?", "He also wants to know where his file is."],
        ),
        # ... or names two requests in one sentence
        (
            "Caller wants the status of his PIP application, has the ref number but not the BN, and also wants "
            "the program's email address.",
            [
                "Caller wants the status of his PIP application, has the ref number but not the BN",
                "wants the program's email address.",
            ],
        ),
        ("Ils veulent adhérer au PEP et demandent le délai.", ["Ils veulent adhérer au PEP", "demandent le délai."]),
        (
            "La cliente veut l'adresse du programme et demande aussi le délai de traitement.",
            ["La cliente veut l'adresse du programme", "demande aussi le délai de traitement."],
        ),
        (
            "Un client membre C-TPAT veut savoir si ça lui donne le PEP, et lequel des deux compte pour EXPRES.",
            ["Un client membre C-TPAT veut savoir si ça lui donne le PEP", "lequel des deux compte pour EXPRES."],
        ),
        (
            "Caller found a tampered seal. Does he have to report it? He also wants the BIS phone number.",
            ["Does he have to report it?", "He also wants the BIS phone number."],
        ),
        (
            "il veut savoir s'il doit le signaler comme membre PEP, pis le numéro du SIF",
            ["il veut savoir s'il doit le signaler comme membre PEP", "le numéro du SIF"],
        ),
        # Québec's "-tu" asks in place after "pis"
        (
            "C'est quoi les avantages pour un transporteur pis faut-tu payer pour s'inscrire?",
            ["C'est quoi les avantages pour un transporteur", "faut-tu payer pour s'inscrire?"],
        ),
        # a condition after "et," (kept with its question: it says what is asked about) and the wish
        # to know said in the first person
        (
            "Le client veut l'état de sa demande et, si elle est refusée, comment demander un examen.",
            ["Le client veut l'état de sa demande", "si elle est refusée, comment demander un examen."],
        ),
        (
            "Ça prend combien de temps? On a envoyé la nôtre en mars, j'aimerais savoir où elle est rendue.",
            ["Ça prend combien de temps?", "On a envoyé la nôtre en mars, j'aimerais savoir où elle est rendue."],
        ),
    ],
)
def test_each_question_of_a_message_is_found(text, parts):
    assert question_parts(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "What's the difference between PIP and C-TPAT?",  # "and" between two names
        "Does PIP get us into the FAST lane on the U.S. side too?",  # "U.S." ends no sentence
        "Le C-TPAT pis le PIP, c'est le même programme?",
        "Nos chauffeurs et nos répartiteurs doivent-ils suivre une formation?",
        "We are a small carrier in Laval. How do we apply?",  # the first sentence tells, it does not ask
        "and why?",
        "",
        "Le PEP et le C-TPAT coûtent combien?",  # one question about two programs
        "Le PEP ou le C-TPAT, lequel nous faut-il?",
        "Notre demande a été envoyée en mai. Combien de temps ça prend?",  # "demande", the noun, relays nothing
        "I've been asked to handle our PIP application. What goes in each section?",
        "We are a carrier in Laval, and we want to know how to apply.",
        "Importers, carriers and brokers, can they all join?",
        # a statement before the question is not a question
        "Our application was submitted in May, and the portal says pending, what does that mean?",
        "We applied in March... and the status still says received, is that normal?",
        "Our company, and its subsidiaries, can they apply together?",
        "Quand tu soumets la demande et tu paies les frais, ça prend combien de temps?",
        "My manager is asking me to look into PIP. How much does it cost?",
        "Tu sais, on est petits. Est-ce qu'on peut adhérer?",
        "On a appliqué quand on a déménagé. Combien de temps ça prend?",
        "We want to join PIP and also want to know about FAST lanes.",  # not an agent relaying
        "Le PEP ou le C-TPAT, lequel convient à un transporteur?",
        "Nous sommes transporteurs. J'aimerais savoir comment adhérer.",  # the first sentence tells
        "Nos chauffeurs et nos répartiteurs doivent-tu suivre une formation?",
        "Our dashboard shows no submit button. also, the page is slow.",  # "also" after a statement
        "He called and wants his status.",  # one request relayed
        "C'est le programme pour lequel on paie des frais et pour lequel on a signé.",  # relative pronouns
    ],
)
def test_one_question_stays_one(text):
    assert len(question_parts(text)) <= 1


def test_a_long_message_cannot_make_a_turn_parse_without_end():
    text = " ".join(f"What does item {number} cost, and how long does it take?" for number in range(200))
    assert len(question_parts(text)) == MAX_PARTS


def parse(topic, confidence, answer=None, answer_confidence=None):
    response = {"intent_response_key": answer or f"{topic}/overview"}
    if answer_confidence is not None:
        response["confidence"] = answer_confidence
    return {
        "text": "the message",
        "intent": {"name": topic, "confidence": confidence},
        "intent_ranking": [{"name": topic, "confidence": confidence}],
        "entities": [{"entity": "language", "value": "en"}],
        "response_selector": {topic: {"response": response}},
    }


TEXT = "Is PIP free, and how long does it take to get approved?"
PARTS = {
    "Is PIP free": parse("cost", 0.8),
    "how long does it take to get approved?": parse("processing_time", 0.9, "processing_time/review_length"),
}


def second_answer(whole, parts=PARTS):
    return by_questions(TEXT, whole, parts.__getitem__).get("second_answer")


def test_the_other_question_gets_its_topics_answer():
    assert second_answer(parse("cost", 0.7)) == "processing_time/review_length"


def test_no_second_answer_when_unsure_or_the_same_topic_or_not_a_knowledge_answer():
    question = "how long does it take to get approved?"
    assert second_answer(parse("cost", 0.7), {**PARTS, question: parse("processing_time", 0.4)}) is None
    assert second_answer(parse("cost", 0.7), {**PARTS, question: parse("cost", 0.9, "cost/fast_card_fee", 0.5)}) is None
    assert second_answer(parse("cost", 0.7), {**PARTS, question: parse("out_of_scope", 0.9)}) is None
    assert second_answer(parse("cost", 0.7), {**PARTS, question: parse("ask_human", 0.4)}) is None
    # the whole message answered by another kind of reply: one reply, as before
    assert second_answer(parse("ask_human", 0.9)) is None
    assert second_answer(parse("out_of_scope", 0.9)) is None


def test_a_second_question_of_the_same_topic_gets_its_own_answer_when_surely_another():
    # a new-user trial: "which number do I dial, and what are their hours?" lost its second question
    question = "how long does it take to get approved?"
    first = parse("cost", 0.7, "cost/application_fee")
    assert (
        second_answer(first, {**PARTS, question: parse("cost", 0.9, "cost/fast_card_fee", 0.9)}) == "cost/fast_card_fee"
    )
    # not the first answer again, nor the topic's overview, nor an unsure topic or answer
    for same in (
        parse("cost", 0.9, "cost/application_fee", 0.9),
        parse("cost", 0.9, "cost/overview", 0.9),
        parse("cost", 0.45, "cost/fast_card_fee", 0.9),
        parse("cost", 0.9, "cost/fast_card_fee", 0.6),
    ):
        assert second_answer(first, {**PARTS, question: same}) is None
    # a question of another topic comes first, even when less sure
    three = "Is PIP free? What does a FAST card cost? And how long does it take to get approved?"
    parts = {
        "Is PIP free?": parse("cost", 0.8, "cost/application_fee", 0.9),
        "What does a FAST card cost?": parse("cost", 0.9, "cost/fast_card_fee", 0.9),
        "how long does it take to get approved?": parse("processing_time", 0.6, "processing_time/how_long", 0.9),
    }
    assert by_questions(three, first, parts.__getitem__)["second_answer"] == "processing_time/how_long"


def test_asking_for_a_person_after_a_question_gets_the_answer_then_the_ways_to_reach_people():
    # "How long do we have to appeal, and can I talk to an actual person about it?" got the answer alone
    question = "how long does it take to get approved?"
    assert second_answer(parse("cost", 0.7), {**PARTS, question: parse("ask_human", 0.8)}) == "human_handoff"


def test_a_backed_second_question_needs_what_a_question_sent_alone_needs():
    # SUPPORTED_CONFIDENCE is config.yml's decline threshold: a part that would be declined alone stays unanswered
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    (fallback,) = [c for c in config["pipeline"] if c["name"] == "FallbackClassifier"]
    assert fallback["threshold"] == SUPPORTED_CONFIDENCE


def test_a_less_sure_second_question_is_answered_when_the_whole_message_ranks_its_topic_too():
    question = "how long does it take to get approved?"
    unsure = {**PARTS, question: parse("processing_time", 0.45, "processing_time/review_length")}
    alone = parse("cost", 0.7)
    assert second_answer(alone, unsure) is None
    backed = {**alone, "intent_ranking": [*alone["intent_ranking"], {"name": "processing_time", "confidence": 0.25}]}
    assert second_answer(backed, unsure) == "processing_time/review_length"
    # declined were it sent alone
    too_unsure = {**PARTS, question: parse("processing_time", 0.3)}
    assert second_answer(backed, too_unsure) is None
    # the whole message hardly ranks it
    weakly = {**alone, "intent_ranking": [*alone["intent_ranking"], {"name": "processing_time", "confidence": 0.1}]}
    assert second_answer(weakly, unsure) is None
    # the whole message's own ranking, also when it was not understood and its first question stands in
    not_understood = {**parse("nlu_fallback", 0.35), "intent_ranking": backed["intent_ranking"][1:]}
    unsure_both = {"Is PIP free": parse("cost", 0.8), question: parse("processing_time", 0.45)}
    assert (
        by_questions(TEXT, not_understood, unsure_both.__getitem__).get("second_answer") == "processing_time/overview"
    )


CARD_AND_FEE = "How do my drivers apply for a FAST card? Is it free?"
# the domain's follow-ups (bot/core/followups.py): the card's fee after the card's application
RESPONSES = {
    "utter_fast_driver_card/how_to_apply": [
        {"custom": {"followups": {"cost": "cost/fast_card_fee", "duration": "fast_driver_card/processing_time"}}}
    ],
}


def card_and_fee(whole, is_it_free):
    parts = {"How do my drivers apply for a FAST card?": whole, "Is it free?": is_it_free}
    return by_questions(CARD_AND_FEE, whole, parts.__getitem__, RESPONSES).get("second_answer")


def test_a_question_about_the_first_is_answered_about_it():
    card = parse("fast_driver_card", 0.8, "fast_driver_card/how_to_apply")
    free = {**parse("ask_if_that_costs", 0.4), "response_selector": {}}
    free["intent_ranking"].append({"name": "cost", "confidence": 0.25})  # "is it free?" is cost's too
    assert card_and_fee(card, free) == "cost/fast_card_fee"
    # without a follow-up named in the domain: the general answer of its kind
    assert card_and_fee(parse("benefits", 0.8, "benefits/carrier_benefits"), free) == "cost/overview"
    # unsure, of the first's own topic, or "what does that mean?": nothing more
    free_unsure = {**parse("ask_if_that_costs", 0.3), "response_selector": {}}
    assert card_and_fee(card, free_unsure) is None
    assert card_and_fee(parse("cost", 0.8, "cost/overview"), free) is None
    assert card_and_fee(card, {**parse("ask_what_that_means", 0.9), "response_selector": {}}) is None
    # a follow-up the domain names within the first answer's own topic: the card's processing time
    how_long = {**parse("ask_how_long_that_takes", 0.7), "response_selector": {}}
    assert card_and_fee(card, how_long) == "fast_driver_card/processing_time"


STATUS_AND_TIME = "Where is our application at, and how long does it usually take?"
STATUS_PARTS = {
    "Where is our application at": parse("check_status", 0.9),
    "how long does it usually take?": parse("processing_time", 0.8, "processing_time/how_long"),
}


def test_a_question_asked_with_the_status_is_answered_before_the_look_up_starts():
    read = by_questions(STATUS_AND_TIME, parse("check_status", 0.7), STATUS_PARTS.__getitem__)
    assert read["intent"]["name"] == "processing_time"
    assert read["response_selector"]["processing_time"]["response"]["intent_response_key"] == "processing_time/how_long"
    assert read["then_look_up"] is True
    # the other way round: the knowledge question won the whole message
    read = by_questions(STATUS_AND_TIME, parse("processing_time", 0.6), STATUS_PARTS.__getitem__)
    assert read["intent"]["name"] == "processing_time" and read["then_look_up"] is True
    # a look-up alone, or a question not understood beside it: the look-up, as before
    unsure = {**STATUS_PARTS, "how long does it usually take?": parse("processing_time", 0.4)}
    whole = parse("check_status", 0.7)
    assert by_questions(STATUS_AND_TIME, whole, unsure.__getitem__) == whole
    assert "then_look_up" not in by_questions(TEXT, parse("cost", 0.7), PARTS.__getitem__)


def test_a_message_not_understood_as_a_whole_is_answered_question_by_question():
    whole = parse("nlu_fallback", 0.35)
    read = by_questions(TEXT, whole, PARTS.__getitem__)
    assert read["intent"]["name"] == "processing_time"  # the most confident question first
    assert (
        read["response_selector"]["processing_time"]["response"]["intent_response_key"]
        == "processing_time/review_length"
    )
    assert read["second_answer"] == "cost/overview"
    assert read["text"] == "the message" and read["entities"] == whole["entities"]  # the message's own
    unsure = {question: parse(p["intent"]["name"], 0.45) for question, p in PARTS.items()}
    assert by_questions(TEXT, whole, unsure.__getitem__) == whole  # still not understood


def test_two_questions_read_whole_as_a_follow_up_are_answered_question_by_question():
    """ "Ça coûte combien pis ça prend combien de temps?" reads whole as "is that free?" (a follow-up
    about the last answer): read question by question, it asks about the fee and the wait."""
    text = "Ça coûte combien pis ça prend combien de temps?"
    parts = {
        "Ça coûte combien": parse("cost", 0.7, "cost/application_fee"),
        "ça prend combien de temps?": parse("processing_time", 0.8, "processing_time/how_long"),
    }
    read = by_questions(text, parse("ask_if_that_costs", 0.6), parts.__getitem__)
    assert read["intent"]["name"] == "processing_time"
    assert read["second_answer"] == "cost/application_fee"
    # a follow-up whose questions name no topic surely stays the follow-up
    unsure = {question: parse("ask_if_that_costs", 0.8) for question in parts}
    whole = parse("ask_if_that_costs", 0.6)
    assert by_questions(text, whole, unsure.__getitem__) == whole


def ranked(topic, confidence, answer, *others):
    """A parse whose ranking holds other intents after its own: (name, confidence) pairs."""
    found = parse(topic, confidence, answer)
    found["intent_ranking"] += [{"name": name, "confidence": share} for name, share in others]
    return found


def test_a_cost_question_that_is_also_a_follow_up_asks_about_the_first_question():
    """ "est-ce que c'est payant?" after "Can a rail carrier join?" is cost's (0.45) and "is that free?"'s
    (0.36): together, sure enough; and it asks what joining costs, not what the site visit costs."""
    text = "Un transporteur ferroviaire peut-il adhérer au PEP, et est-ce que c'est payant?"
    domain = {
        "utter_eligibility/carriers_and_couriers": [{"custom": {"followups": {"cost": "cost/application_fee"}}}],
    }
    parts = {
        "Un transporteur ferroviaire peut-il adhérer au PEP": parse(
            "eligibility", 0.8, "eligibility/carriers_and_couriers"
        ),
        "est-ce que c'est payant?": ranked("cost", 0.45, "cost/site_validation_fee", ("ask_if_that_costs", 0.36)),
    }
    whole = parse("eligibility", 0.7, "eligibility/carriers_and_couriers")
    assert by_questions(text, whole, parts.__getitem__, domain)["second_answer"] == "cost/application_fee"
    # one that names the program asks about the program's own fee, as a question of its own
    named = "Un transporteur ferroviaire peut-il adhérer, et est-ce que le PEP est payant?"
    parts_named = {
        "Un transporteur ferroviaire peut-il adhérer": parts["Un transporteur ferroviaire peut-il adhérer au PEP"],
        "est-ce que le PEP est payant?": ranked("cost", 0.6, "cost/overview", ("ask_if_that_costs", 0.3)),
    }
    assert by_questions(named, whole, parts_named.__getitem__, domain)["second_answer"] == "cost/overview"


def test_two_topics_ranked_alike_are_answered_in_the_order_asked():
    """ "Can a rail carrier join PIP, and does it cost anything?" ranks cost and eligibility alike as a whole:
    the answer to the first question comes first, then what joining costs."""
    text = "Can a rail carrier join PIP, and does it cost anything?"
    domain = {
        "utter_eligibility/carriers_and_couriers": [{"custom": {"followups": {"cost": "cost/application_fee"}}}],
    }
    parts = {
        "Can a rail carrier join PIP": parse("eligibility", 0.72, "eligibility/carriers_and_couriers"),
        "does it cost anything?": ranked("cost", 0.6, "cost/overview", ("ask_if_that_costs", 0.3)),
    }
    tied = ranked("cost", 0.418, "cost/overview", ("eligibility", 0.418))
    answered = by_questions(text, tied, parts.__getitem__, domain)
    assert answered["intent"]["name"] == "eligibility"
    assert answered["response_selector"]["eligibility"]["response"]["intent_response_key"] == (
        "eligibility/carriers_and_couriers"
    )
    assert answered["second_answer"] == "cost/application_fee"
    # the whole message's own answer stays for the second question when that question alone is not understood
    card = "Combien coûte la carte EXPRES, et elle est bonne pour combien d'années?"
    card_parts = {
        "Combien coûte la carte EXPRES": parse("cost", 0.59, "cost/fast_card_fee"),
        "elle est bonne pour combien d'années?": parse("nlu_fallback", 0.35),
    }
    card_whole = ranked("fast_driver_card", 0.494, "fast_driver_card/validity_and_renewal", ("cost", 0.459))
    card_answered = by_questions(card, card_whole, card_parts.__getitem__)
    assert card_answered["intent"]["name"] == "cost"
    assert card_answered["second_answer"] == "fast_driver_card/validity_and_renewal"
    # a whole message clearly about the second question keeps it first
    clear = ranked("cost", 0.6, "cost/overview", ("eligibility", 0.3))
    assert by_questions(text, clear, parts.__getitem__, domain)["intent"]["name"] == "cost"


def test_one_question_is_parsed_once():
    parsed = []
    by_questions("How long does it take to get approved?", parse("processing_time", 0.9), parsed.append)
    assert parsed == []


def test_hostile_spacing_cannot_stall_the_parser():
    """A run of spaces before a word that is not "and" once made the split cubic: 2,000 spaces
    held Rasa's only parsing thread for about 90 s. Run apart, so a regression fails, not hangs."""
    import subprocess
    import sys

    hostile = [
        "is PIP free" + " " * 1990 + "x?",
        "is PIP free" + "\t \n" * 600 + "x?",
        "a , " * 500,
        "and " * 500 + "what?",
        "what-il " * 250,
        # a long word after ", and the" once took exponential time (15 s for 60 letters)
        "Is PIP free, and the " + "a" * 60 + ";",
        "Is PIP free, and " + "a" * 600 + ";",
        "Is it approved, and the file PIP-2025-00201/200000001/CARRIER_ONTARIO_LTD; thanks",
        "." * 4000,
        "'" * 4000,
        "pis " * 700 + "combien",
        (", and the x y z") * 200,
    ]
    # each message within 0.5 s, where the slowest takes about 1 ms
    script = (
        "import sys, json, time; from bot.rasa_ext.question_parts import question_parts\n"
        "for t in json.loads(sys.stdin.read()):\n"
        "    started = time.perf_counter(); question_parts(t)\n"
        "    assert time.perf_counter() - started < 0.5, t[:40]\n"
    )
    import json

    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(hostile), text=True, timeout=20)
    assert done.returncode == 0


def test_the_same_question_twice_is_parsed_once():
    assert question_parts("Is PIP free? Is PIP free? Is PIP free?") == ["Is PIP free?"]


@pytest.mark.parametrize(
    ("text", "whole", "question"),
    [
        ("hello! how long does PIP take?", parse("greet", 0.41), "how long does PIP take?"),
        ("Bonjour, est-ce que le PEP est gratuit?", parse("nlu_fallback", 0.35), "est-ce que le PEP est gratuit?"),
        ("thanks, and who do I email?", parse("thank", 0.47), "who do I email?"),
        ("ok merci, combien de temps encore?", parse("thank", 0.62), "combien de temps encore?"),
        ("d’accord super merci, et ça coûte combien?", parse("thank", 0.6), "ça coûte combien?"),
    ],
)
def test_a_question_after_a_greeting_or_thanks_is_answered(text, whole, question):
    answered = parse("cost", 0.8, "cost/overview")
    read = by_questions(text, whole, {question: answered}.__getitem__)
    assert read["intent"]["name"] == "cost"
    assert read["response_selector"]["cost"]["response"]["intent_response_key"] == "cost/overview"
    assert read["entities"] == whole["entities"]  # the message's own language


@pytest.mark.parametrize(
    "text",
    [
        "ok thanks",
        "perfect, thanks a lot, that's all I needed",
        "super merci, on va attendre des nouvelles de notre demande",
    ],
)
def test_thanks_after_ok_that_asks_nothing_stays_thanks(text):
    """A closing remark after "ok merci" is not a question to answer, even one that reads as a status request."""
    thanks = parse("thank", 0.7)
    status = parse("check_status", 0.66)
    assert by_questions(text, thanks, lambda part: status) == thanks


def test_a_greeting_alone_or_with_words_not_understood_stays_a_greeting():
    greeting = parse("greet", 0.9)
    assert by_questions("hello!", greeting, {}.__getitem__) == greeting
    unsure = {"I need some help": parse("nlu_fallback", 0.35), "how long does PIP take?": parse("nlu_fallback", 0.35)}
    assert by_questions("Hi there, I need some help", greeting, unsure.__getitem__) == greeting
    assert by_questions("hello! how long does PIP take?", greeting, unsure.__getitem__) == greeting
    # thanks with words that ask nothing stays thanks
    thanks = parse("thank", 0.6)
    said = {"that's exactly what I needed.": parse("how_can_help", 0.7)}
    assert by_questions("Thanks, that's exactly what I needed.", thanks, said.__getitem__) == thanks
    # a question that only looks like a greeting's words is not cut
    highway = parse("eligibility", 0.9)
    assert by_questions("Highway carriers can join?", highway, {}.__getitem__) == highway


@pytest.mark.parametrize(
    ("text", "whole", "subject"),
    [
        ("et pour les scellés?", parse("inform_business_type", 0.52), "les scellés"),
        ("and for seals?", parse("inform_business_type", 0.47), "seals"),
        ("what about the seals?", parse("inform_business_type", 0.46), "the seals"),
        ("et l'Union européenne?", parse("inform_business_type", 0.64), "l'Union européenne"),
        ("and from outside Canada?", parse("nlu_fallback", 0.35), "from outside Canada"),
    ],
)
def test_a_follow_up_that_names_only_its_subject_is_answered_about_it(text, whole, subject):
    seals = parse("security_requirements", 0.62, "security_requirements/seals")
    read = by_questions(text, whole, {subject: seals}.__getitem__)
    assert read["intent"]["name"] == "security_requirements"
    assert read["response_selector"]["security_requirements"]["response"]["intent_response_key"] == (
        "security_requirements/seals"
    )
    assert read["entities"] == whole["entities"]  # the message's own language
    # its subject not understood, or not a knowledge topic: as the whole message was read
    for unsure in (parse("security_requirements", 0.4), parse("out_of_scope", 0.9), parse("nlu_fallback", 0.35)):
        assert by_questions(text, whole, {subject: unsure}.__getitem__) == whole


def test_a_follow_up_naming_a_kind_of_business_or_asking_a_question_is_not_read_as_a_subject():
    brokers = parse("inform_business_type", 0.76)
    assert by_questions("what about brokers?", brokers, {}.__getitem__) == brokers  # "and for brokers?" asks that
    assert by_questions("et pour un entrepôt?", brokers, {}.__getitem__) == brokers
    # no opening: a message the NLU did not understand, not a follow-up
    unsure = parse("nlu_fallback", 0.3)
    assert by_questions("seals", unsure, {}.__getitem__) == unsure
    # a knowledge answer stays what the whole message chose
    fee = parse("cost", 0.6)
    assert by_questions("and the fee?", fee, {}.__getitem__) == fee


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("quant aux scellés?", "scellés"),
        ("OK. And for seals?", "seals"),
        ("and for the U.S.?", "the U.S."),  # an abbreviation keeps its dot
        ("en ce qui concerne les caméras?", "les caméras"),
        ("as for the fee?", "the fee"),
        # no subject: the people talking, a word that asks nothing alone, a question of its own
        ("what about us?", None),
        ("et nous?", None),
        ("so what?", None),
        ("pour vrai?", None),
        ("for how long?", None),
        ("pour combien de temps?", None),
        ("et alors?", None),
        # a kind of business ("and for brokers?" asks that), two questions, no opening
        ("and the other one?", None),
        ("et pour eux autres?", None),
        ("ok mais celui-là?", None),
        ("Puis-je parler à une vraie personne?", None),  # "Puis-je" asks; it does not follow up
        ("ok I hit submit. now what?", None),
        ("et pour les courtiers?", None),
        ("what about seals, and how much?", None),
        ("seals", None),
    ],
)
def test_the_subject_a_short_follow_up_names(text, subject):
    assert named_subject(text) == subject


WRITTEN_FOR = {
    "utter_eligibility/overview": [{"custom": {}}],
    "utter_eligibility/carriers_and_couriers": [{"custom": {"for_business_types": ["carrier", "courier"]}}],
    "utter_eligibility/us_importer": [{"custom": {"for_business_types": ["us_importer"]}}],
    "utter_eligibility/us_carrier": [{"custom": {"for_business_types": ["us_carrier"]}}],
}


def answer_for(text, answer):
    read = by_questions(text, parse("eligibility", 0.7, answer), {}.__getitem__, WRITTEN_FOR)
    return read["response_selector"]["eligibility"]["response"]["intent_response_key"]


def test_an_answer_written_for_other_kinds_of_business_gives_way_to_the_one_for_the_kind_named():
    # an importer is not given the carriers' answer: the topic's overview covers importers
    assert answer_for("I run a small import business. Can I join?", "eligibility/carriers_and_couriers") == (
        "eligibility/overview"
    )
    # the answer written for the kind named, when the topic has one
    assert answer_for("we're a US importer, can we join?", "eligibility/carriers_and_couriers") == (
        "eligibility/us_importer"
    )
    # kept: written for a kind the message names, or for every kind, or no kind named
    assert answer_for("we're a trucking company, can we join?", "eligibility/carriers_and_couriers") == (
        "eligibility/carriers_and_couriers"
    )
    assert answer_for("I import shoes. Can couriers join?", "eligibility/carriers_and_couriers") == (
        "eligibility/carriers_and_couriers"
    )
    assert answer_for("we're an importer, can we join?", "eligibility/overview") == "eligibility/overview"
    # a kind named in general terms fits the answer for a narrower one: a trucking company in Ohio
    assert answer_for("a trucking company based in Ohio, can we join?", "eligibility/us_carrier") == (
        "eligibility/us_carrier"
    )


def test_a_second_question_that_names_nothing_asks_about_the_first():
    text = "How much is the FAST card and how long does it take to get one?"
    card = parse("fast_driver_card", 0.8, "fast_driver_card/how_to_apply")
    parts = {
        "How much is the FAST card": card,
        "how long does it take to get one?": parse("processing_time", 0.8, "processing_time/how_long"),
    }
    assert by_questions(text, card, parts.__getitem__, RESPONSES)["second_answer"] == "fast_driver_card/processing_time"
    # named: PIP's own time
    text = "How much is the FAST card and how long does PIP take?"
    parts = {
        "How much is the FAST card": card,
        "how long does PIP take?": parse("processing_time", 0.8, "processing_time/how_long"),
    }
    assert by_questions(text, card, parts.__getitem__, RESPONSES)["second_answer"] == "processing_time/how_long"
