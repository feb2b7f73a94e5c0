"""Follow-ups about the previous reply: "what does that mean?", "how long does that take?",
"is that free?" (actions/followup.py). Which answer each gets is content in the domain."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import ActionAnswerFollowup
from bot.core.context_replies import followup_response

DOMAIN = {
    "responses": {
        "utter_fast_driver_card/how_to_apply": [
            {
                "text": "apply",
                "custom": {
                    "topic": "fast_driver_card",
                    "answer": "fast_driver_card/how_to_apply",
                    "followups": {"duration": "fast_driver_card/processing_time", "cost": "cost/fast_card_fee"},
                },
            }
        ],
        "utter_fast_driver_card/overview": [{"text": "cards", "custom": {"answer": "fast_driver_card/overview"}}],
        "utter_cost/overview": [{"text": "no fee", "custom": {"answer": "cost/overview"}}],
        "utter_suspension_and_appeals/cancellation_appeal": [
            {
                "text": "30 days",
                "custom": {
                    "answer": "suspension_and_appeals/cancellation_appeal",
                    "followups": {
                        "apply": "suspension_and_appeals/file_appeal",
                        "next": "suspension_and_appeals/file_appeal",
                    },
                },
            }
        ],
        "utter_suspension_and_appeals/after_denial": [
            {
                "text": "review",
                "custom": {"answer": "suspension_and_appeals/after_denial", "explains_status": ["denied"]},
            }
        ],
    }
}


@pytest.mark.parametrize(
    "context, kind, expected",
    [
        ({"answer": "fast_driver_card/how_to_apply"}, "duration", "utter_fast_driver_card/processing_time"),
        ({"answer": "fast_driver_card/how_to_apply"}, "cost", "utter_cost/fast_card_fee"),
        ({"answer": "fast_driver_card/how_to_apply"}, "meaning", "utter_fast_driver_card/overview"),
        ({"answer": "fast_driver_card/overview"}, "meaning", "utter_followup_unclear"),
        ({"answer": "cost/overview"}, "duration", "utter_processing_time/overview"),
        ({"status": "denied"}, "meaning", "utter_suspension_and_appeals/after_denial"),
        ({"status": "submitted"}, "meaning", "utter_followup_unclear"),
        ({"status": "submitted"}, "duration", "utter_processing_time/overview"),
        ({}, "cost", "utter_cost/overview"),
        ({}, "meaning", "utter_followup_unclear"),
        # "so what do I do now?": after a status, what it asks of the trader; after an answer, the step
        # it names, else how to apply; with nothing before it, a question back
        ({"status": "denied"}, "next", "utter_suspension_and_appeals/after_denial"),
        ({"answer": "suspension_and_appeals/cancellation_appeal"}, "next", "utter_suspension_and_appeals/file_appeal"),
        ({"answer": "suspension_and_appeals/cancellation_appeal"}, "apply", "utter_suspension_and_appeals/file_appeal"),
        ({"answer": "cost/overview"}, "next", "utter_followup_next_unclear"),
        ({}, "next", "utter_followup_next_unclear"),
    ],
)
def test_the_followup_is_answered_about_the_previous_reply(context, kind, expected):
    assert followup_response(DOMAIN["responses"], context, kind) == expected


async def test_the_action_reads_the_last_answer_or_status_from_the_conversation():
    events = [
        {"event": "bot", "text": "Denied", "data": {"custom": {"topic": "application_status", "status": "denied"}}},
        {"event": "user", "text": "what does that mean?"},
    ]
    tracker = Tracker("s", {}, {"intent": {"name": "ask_what_that_means"}}, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAnswerFollowup().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_suspension_and_appeals/after_denial"
    dispatcher = CollectingDispatcher()
    await ActionAnswerFollowup().run(dispatcher, tracker, {})  # as Rasa calls it: the real domain is read, not sent
    assert dispatcher.messages[0]["response"] == "utter_suspension_and_appeals/denial_review"


@pytest.mark.parametrize("answer", ["cost/fast_card_fee", "cost/fast_lane_costs"])
def test_after_the_fast_card_fee_a_followup_is_about_the_fast_card_not_pip(answer):
    from tests.unit.speech import domain_dict

    # The fee is filed under cost, yet "how long does that take?" asks about the card, not PIP's 3 to 12 months.
    assert (
        followup_response(domain_dict()["responses"], {"answer": answer}, "duration")
        == "utter_fast_driver_card/processing_time"
    )
    assert (
        followup_response(domain_dict()["responses"], {"answer": answer}, "meaning")
        == "utter_fast_driver_card/overview"
    )


async def test_what_does_that_mean_during_the_look_up_explains_what_it_asks_for():
    asked = [
        {
            "event": "bot",
            "text": "What is the application reference?",
            "data": {"custom": {"topic": "application_status"}},
        }
    ]
    tracker = Tracker(
        "s",
        {},
        {"intent": {"name": "ask_what_that_means"}},
        asked,
        False,
        None,
        {"name": "status_lookup_form"},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswerFollowup().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_status_lookup_explained"
    # "is that free?" during the look-up: about the last answer, or the general one
    tracker.latest_message = {"intent": {"name": "ask_if_that_costs"}}
    dispatcher = CollectingDispatcher()
    await ActionAnswerFollowup().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_cost/overview"


def said(topic_answer):
    return {"event": "bot", "text": "...", "data": {"custom": {"answer": topic_answer}}}


def asked(intent):
    return {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}}


async def test_during_the_look_up_a_followup_is_about_what_was_said_since_it_started():
    form_question = {
        "event": "bot",
        "text": "What is the reference?",
        "data": {"custom": {"topic": "application_status"}},
    }
    before = [asked("fast_driver_card"), said("fast_driver_card/how_to_apply"), asked("check_status"), form_question]
    followup = {"intent": {"name": "ask_how_long_that_takes"}}
    form = {"name": "status_lookup_form"}
    tracker = Tracker(
        "s", {}, followup, [*before, asked("ask_how_long_that_takes")], False, None, form, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswerFollowup().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_processing_time/overview"  # not the FAST card's
    # a question answered during the look-up is what "that" is
    during = [*before, asked("fast_driver_card"), said("fast_driver_card/how_to_apply"), form_question]
    tracker = Tracker(
        "s", {}, followup, [*during, asked("ask_how_long_that_takes")], False, None, form, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswerFollowup().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_fast_driver_card/processing_time"


async def test_a_turn_that_answered_two_questions_is_repeated_whole():
    from actions.followup import ActionRepeatAnswer

    events = [
        asked("cost"),
        said("cost/overview"),
        said("processing_time/overview"),
        asked("use_french"),
        {"event": "bot", "text": "Bien sûr", "data": {"custom": {"topic": "smalltalk"}}},
    ]
    tracker = Tracker("s", {}, {"intent": {"name": "use_french"}}, events, False, None, {}, "utter_language_switched")
    dispatcher = CollectingDispatcher()
    await ActionRepeatAnswer().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_cost/overview", "utter_processing_time/overview"]


@pytest.mark.parametrize(
    "answer, text, kind",
    [
        ("processing_time/how_long", "how long does it take to get one?", "duration"),
        ("processing_time/overview", "how long do they have?", "duration"),
        ("cost/overview", "et ça coûte combien pour l'avoir?", "cost"),
        ("application_process/online_only", "où est-ce qu'on le dépose?", "apply"),
        ("application_process/online_only", "je l'envoie où?", "apply"),
        ("processing_time/overview", "on a combien de temps?", "duration"),
        # a new-user trial: "ok, how much is the fee?" after the FAST card's answer got PIP's (no fee)
        ("cost/overview", "ok, how much is the fee?", "cost"),
        ("cost/application_fee", "pis les frais, c'est combien?", "cost"),
        ("cost/overview", "what's the fee for PIP?", None),
        # names the program, points at nothing, or got an answer of its own
        ("processing_time/how_long", "how long does it take to join PIP?", None),
        ("processing_time/how_long", "Combien de temps avant la décision?", None),
        ("cost/site_validation_fee", "how much does it cost to get one?", None),
        ("application_process/online_only", "où déposer la demande?", None),
        # nouns and questions that name their own subject do not point back
        ("processing_time/overview", "Combien de temps après la soumission de la demande?", None),
        ("processing_time/overview", "l'envoi de la demande prend combien de temps?", None),
        ("cost/overview", "Do we have to pay anything to join?", None),
        ("processing_time/overview", "how long do we have to wait for an answer?", None),
    ],
)
def test_a_time_or_cost_question_asks_about_what_was_just_said_only_when_it_points_back_at_it(answer, text, kind):
    from bot.core.followups import asks_about_nothing_named

    assert asks_about_nothing_named(answer, text) == kind


def test_how_long_after_more_information_requested_is_about_the_wait_for_the_answer_not_the_site_visit():
    """ "How long does that take?" right after the status "More information requested" (the
    domain's own content): it got the site validation's timing, which comes later if at all."""
    from bot.ops.evaluation import domain_responses

    responses = domain_responses()
    expected = "utter_processing_time/after_information_request"
    assert followup_response(responses, {"status": "info_requested"}, "duration") == expected
    assert followup_response(responses, {"answer": "review_process/request_for_information"}, "duration") == expected


@pytest.mark.parametrize(
    "text",
    [
        "how long do we have to send it?",
        "what's the deadline?",
        "by when do we need to answer?",
        "on a combien de temps pour l'envoyer?",
        "c'est quoi le délai?",
        "on a jusqu'à quand?",
    ],
)
def test_a_deadline_asked_after_more_information_requested_is_the_date_in_the_request_not_the_wait(text):
    """ "how long do we have to send it?" right after the status "More information requested" (a
    new-user trial: it got the wait once the information is sent, as if there were no hurry)."""
    from bot.core.context_replies import followup_reply, named_followup
    from bot.ops.evaluation import domain_responses

    responses = domain_responses()
    status_reply = {"event": "bot", "data": {"custom": {"topic": "application_status", "status": "info_requested"}}}
    events = [{"event": "user", "text": "100000003"}, status_reply, {"event": "user", "text": text}]
    expected = "review_process/information_request_deadline"
    assert followup_reply(responses, events, "ask_how_long_that_takes", False) == f"utter_{expected}"
    assert named_followup(responses, events, "processing_time", text, "processing_time/how_long") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # an answer that names no deadline: its time ("how long do we have?" after the appeal: 30 days)
        ("how long do we have?", "suspension_and_appeals/cancellation_appeal"),
        ("on a combien de temps?", "suspension_and_appeals/cancellation_appeal"),
        # how long something takes is not a deadline
        ("how long does it take after we send it?", "processing_time/after_information_request"),
    ],
)
def test_a_deadline_the_answer_does_not_name_is_the_time_it_names(text, expected):
    from bot.core.followups import followup_answer, kind_asked
    from bot.ops.evaluation import domain_responses

    responses = domain_responses()
    after = (
        "suspension_and_appeals/cancellation_appeal"
        if expected.startswith("suspension")
        else "review_process/request_for_information"
    )
    assert followup_answer(responses, after, kind_asked("duration", text)) == expected


def test_a_question_that_is_not_about_time_is_never_a_deadline():
    from bot.core.followups import kind_asked

    assert kind_asked("cost", "what's the deadline?") == "cost"
    assert kind_asked("duration", "how long does the review take?") == "duration"
    assert kind_asked("duration", "how long do we have to wait for an answer?") == "duration"
    assert kind_asked("duration", "on a combien de temps à attendre?") == "duration"
    assert kind_asked("duration", "combien de temps prend le traitement?") == "duration"


@pytest.mark.parametrize(
    "context, kind, expected",
    [
        # "combien de temps on a pour corriger?" after the action plan (a new-user trial: not understood)
        ({"answer": "suspension_and_appeals/action_plan"}, "duration", "utter_suspension_and_appeals/action_plan"),
        # "do I have to pay for this visit?" after a scheduled site validation (it got the FAST card fee)
        ({"status": "site_validation_scheduled"}, "cost", "utter_cost/site_validation_fee"),
        ({"answer": "review_process/site_validation_checks"}, "cost", "utter_cost/site_validation_fee"),
    ],
)
def test_a_followup_after_an_action_plan_or_a_site_visit_is_about_it(context, kind, expected):
    from bot.ops.evaluation import domain_responses

    assert followup_response(domain_responses(), context, kind) == expected


def test_a_time_question_that_points_back_after_a_status_asks_about_that_status():
    """ "pis ça prend combien de temps?" reads as processing time, not as the follow-up intent: right after
    the status "More information requested" it asks about the wait once the information is sent."""
    from bot.core.context_replies import named_followup
    from bot.ops.evaluation import domain_responses

    status_reply = {"event": "bot", "data": {"custom": {"topic": "application_status", "status": "info_requested"}}}
    events = [
        {"event": "user", "text": "100000003"},
        status_reply,
        {"event": "user", "text": "pis ça prend combien de temps?"},
    ]
    asked = named_followup(
        domain_responses(), events, "processing_time", "pis ça prend combien de temps?", "processing_time/overview"
    )
    assert asked == "processing_time/after_information_request"
    # a question that names the program asks about the program's own time
    named = "combien de temps prend le PEP?"
    assert named_followup(domain_responses(), events, "processing_time", named, "processing_time/overview") is None


@pytest.mark.parametrize(
    "context, expected",
    [
        # the step the answer names, or its topic's overview names
        ({"answer": "suspension_and_appeals/cancellation_appeal"}, "suspension_and_appeals/file_appeal"),
        ({"answer": "eligibility/us_carrier"}, "application_process/overview"),
        ({"answer": "benefits/fewer_exams"}, "application_process/overview"),
        ({"answer": "eligibility/broker_shipping_agent"}, "application_process/broker_shipping_agent"),
        # not eligible yet: the condition again, not how to apply (a new-user trial)
        ({"answer": "eligibility/trade_history"}, "eligibility/trade_history"),
        ({"answer": "portal_access/urn"}, "portal_access/overview"),
        # a driver's lost card or a member's review: applying to PIP is not the next step
        ({"answer": "fast_driver_card/lost_or_damaged"}, "followup_next_unclear"),
        ({"answer": "review_process/site_validation_checks"}, "followup_next_unclear"),
        # after a status, what that status asks of the trader
        ({"status": "info_requested"}, "review_process/request_for_information"),
        ({"status": "cancelled"}, "suspension_and_appeals/cancellation_appeal"),
    ],
)
def test_what_to_do_now_in_the_real_domain(context, expected):
    from bot.ops.evaluation import domain_responses

    assert followup_response(domain_responses(), context, "next") == f"utter_{expected}"


@pytest.mark.parametrize(
    "last_answer, text, expected",
    [
        # a new-user trial: "c'est valide combien de temps?" after the card's answer got PIP's processing time
        ("fast_driver_card/overview", "c'est valide combien de temps?", "fast_driver_card/validity_and_renewal"),
        (
            "fast_driver_card/where_to_apply",
            "how long is it valid once I get it?",
            "fast_driver_card/validity_and_renewal",
        ),
        # after an answer about PIP: membership's own validity, until the revalidation, not the wait to join
        ("benefits/fewer_exams", "and how long is that valid?", "membership_obligations/revalidation_timing"),
    ],
)
def test_how_long_something_stays_valid_is_never_how_long_it_takes(last_answer, text, expected):
    from bot.core.context_replies import named_followup
    from bot.ops.evaluation import domain_responses

    events = [
        {"event": "user", "text": "first question"},
        {"event": "bot", "data": {"custom": {"topic": last_answer.split("/")[0], "answer": last_answer}}},
        {"event": "user", "text": text},
    ]
    assert named_followup(domain_responses(), events, "processing_time", text, "processing_time/overview") == expected


def test_how_do_we_get_reinstated_after_a_suspension_is_what_to_do_to_get_it_back():
    """A new-user trial: "how do we get it back?" after the suspension answers got nothing."""
    from bot.ops.evaluation import domain_responses

    for answer in ("suspension_and_appeals/suspension_reasons", "suspension_and_appeals/after_suspension"):
        expected = "utter_suspension_and_appeals/after_suspension"
        assert followup_response(domain_responses(), {"answer": answer}, "next") == expected
    assert followup_response(domain_responses(), {"status": "suspended"}, "next").startswith("utter_suspension")


def _after(reply_custom: dict, text: str) -> list:
    return [
        {"event": "user", "text": "first question"},
        {"event": "bot", "data": {"custom": reply_custom}},
        {"event": "user", "text": text},
    ]


@pytest.mark.parametrize(
    "last_reply, text, expected",
    [
        # a new-user trial: each got the members' suspension answer, applicants included
        (
            {"answer": "suspension_and_appeals/cancellation_appeal"},
            "what if we miss it?",
            "suspension_and_appeals/appeal_missed",
        ),
        (
            {"answer": "suspension_and_appeals/cancellation_appeal"},
            "pis si on manque le 30 jours?",
            "suspension_and_appeals/appeal_missed",
        ),
        ({"status": "info_requested"}, "et si on depasse le delai?", "review_process/information_request_deadline"),
        (
            {"answer": "review_process/request_for_information"},
            "Et si nous ne pouvons pas respecter la date?",
            "review_process/information_request_deadline",
        ),
        (
            {"answer": "suspension_and_appeals/action_plan"},
            "and what if we can't make it in time?",
            "suspension_and_appeals/action_plan_missed",
        ),
        # an answer that names nothing for it, or a question that is not a what-if on a deadline
        ({"answer": "fast_driver_card/overview"}, "what if we miss it?", None),
        ({"answer": "suspension_and_appeals/cancellation_appeal"}, "what if we lose the appeal?", None),
        ({"answer": "suspension_and_appeals/cancellation_appeal"}, "pis si un gars perd sa carte?", None),
    ],
)
def test_what_if_we_miss_it_is_about_the_date_just_given(last_reply, text, expected):
    from bot.core.context_replies import worded_followup
    from bot.ops.evaluation import domain_responses

    assert worded_followup(domain_responses(), _after(last_reply, text), text) == expected


@pytest.mark.parametrize(
    "last_reply, text, expected",
    [
        # a new-user trial: after a suspension, "on peut-tu contester ça?" got the cancellation's 30-day appeal
        (
            {"answer": "suspension_and_appeals/after_suspension"},
            "on peut-tu contester ça?",
            "suspension_and_appeals/suspension_appeal",
        ),
        ({"status": "suspended"}, "can we appeal?", "suspension_and_appeals/suspension_appeal"),
        (
            {"answer": "suspension_and_appeals/suspension_reasons"},
            "is there any recourse?",
            "suspension_and_appeals/suspension_appeal",
        ),
        # a question that names its own decision, or an answer that names no appeal: the NLU's answer stands
        ({"answer": "suspension_and_appeals/after_suspension"}, "and if they cancel us, can we appeal?", None),
        ({"answer": "suspension_and_appeals/after_suspension"}, "peut-on contester un refus?", None),
        ({"answer": "cost/overview"}, "can we appeal that?", None),
        # a fourth trial: after the denial's answer, "Est-ce qu'on peut faire appel?" opened with the
        # cancellation's 30 days, which a denied applicant does not have
        (
            {"answer": "suspension_and_appeals/denial_review"},
            "Est-ce qu'on peut faire appel?",
            "suspension_and_appeals/denial_review",
        ),
        ({"status": "denied"}, "can we appeal?", "suspension_and_appeals/denial_review"),
        # another decision named right after the denial's answer is the NLU's to place (a review)
        ({"answer": "suspension_and_appeals/denial_review"}, "can we appeal a cancellation?", None),
        ({"answer": "suspension_and_appeals/denial_review"}, "peut-on contester la révocation?", None),
        ({"answer": "suspension_and_appeals/denial_review"}, "can we appeal a suspension?", None),
        ({"answer": "suspension_and_appeals/denial_review"}, "can we challenge the action plan?", None),
        ({"answer": "suspension_and_appeals/denial_review"}, "can we appeal the AMPS penalty?", None),
    ],
)
def test_contesting_right_after_a_suspension_or_a_denial_is_about_that_decision(last_reply, text, expected):
    from bot.core.context_replies import worded_followup
    from bot.ops.evaluation import domain_responses

    assert worded_followup(domain_responses(), _after(last_reply, text), text) == expected


@pytest.mark.parametrize(
    "last_reply, text, expected",
    [
        # a second new-user trial: each got another answer's fact (the 4-year revalidation, PIP suspension)
        (
            {"answer": "security_requirements/risk_assessment"},
            "how often do we have to redo it?",
            "security_requirements/risk_assessment",
        ),
        (
            {"answer": "membership_obligations/revalidation_process"},
            "how often is that?",
            "membership_obligations/revalidation_timing",
        ),
        (
            {"answer": "security_requirements/risk_assessment"},
            "à quelle fréquence faut-il la refaire?",
            "security_requirements/risk_assessment",
        ),
        ({"answer": "cost/fast_card_fee"}, "pis si j'la perds?", "fast_driver_card/lost_or_damaged"),
        ({"answer": "fast_driver_card/validity_and_renewal"}, "what if I lose it?", "fast_driver_card/lost_or_damaged"),
        # an agent relaying a caller after a status look-up
        ({"status": "info_requested"}, "what if they miss it?", "review_process/information_request_deadline"),
        (
            {"answer": "suspension_and_appeals/after_suspension"},
            "et s'il n'y arrive pas?",
            "suspension_and_appeals/action_plan_missed",
        ),
        # a subject of its own, or nothing pointing back: the NLU's answer stands
        ({"answer": "security_requirements/risk_assessment"}, "how often do we need to train staff?", None),
        ({"answer": "portal_access/add_user"}, "what if we lose our account owner", None),
    ],
)
def test_how_often_and_what_if_lost_are_about_what_was_just_said(last_reply, text, expected):
    from bot.core.context_replies import worded_followup
    from bot.ops.evaluation import domain_responses

    assert worded_followup(domain_responses(), _after(last_reply, text), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # the review: each was taken for a follow-up of the answer before
        "est-ce qu'on peut avoir un appel d'un agent?",
        "j'aimerais un appel téléphonique",
        "on perd du temps à la frontière, ça aide?",
        "we lost a driver last month, does that matter?",
        "how often do we need to revalidate it?",
        "how often should we train them?",
        "le PEP est valide combien de temps?",
        "is it good for small carriers?",
        "where can they use it?",
        "où est le bureau de l'ASFC le plus proche pour ça?",
    ],
)
def test_words_that_only_look_like_a_followup_are_left_to_the_nlu(text):
    from bot.core.followups import kinds_in_words

    assert kinds_in_words(text, declined=True) == []


@pytest.mark.parametrize(
    "text",
    [
        "elle a combien de temps pour traiter le dossier?",
        "how long do they have to respond to us?",
    ],
)
def test_the_cbsas_own_time_asked_in_the_third_person_is_no_deadline(text):
    from bot.core.followups import kind_asked

    assert kind_asked("duration", text) != "deadline"


def test_a_declined_validity_question_after_an_answer_that_names_none_asks_back():
    """The review: "my passport expires next month, is that a problem?" got PIP's revalidation."""
    from bot.core.context_replies import declined_reply
    from bot.ops.evaluation import domain_responses

    text = "my passport expires next month, is that a problem?"
    events = _after({"answer": "contact/program_email"}, text)
    assert declined_reply(domain_responses(), events, [], "en")[0] == "utter_clarify_no_candidate"


@pytest.mark.parametrize(
    "last_reply, topic, chosen, text, expected",
    [
        # a second new-user trial: the 4-year revalidation, then PIP's processing time
        (
            {"answer": "cost/fast_card_fee"},
            "membership_obligations",
            "membership_obligations/revalidation_timing",
            "c'est valide combien de temps?",
            "fast_driver_card/validity_and_renewal",
        ),
        (
            {"answer": "fast_program/overview"},
            "membership_obligations",
            "membership_obligations/revalidation_timing",
            "c'est valide combien de temps?",
            "fast_driver_card/validity_and_renewal",
        ),
        (
            {"answer": "suspension_and_appeals/suspension_appeal"},
            "processing_time",
            "processing_time/overview",
            "on a combien de temps?",
            "suspension_and_appeals/action_plan",
        ),
        (
            {"status": "info_requested"},
            "processing_time",
            "processing_time/overview",
            "how long do they have to reply?",
            "review_process/information_request_deadline",
        ),
        (
            {"answer": "processing_time/overview"},
            "contact",
            "contact/program_email",
            "where do I send it?",
            "application_process/online_only",
        ),
        # the program named: its own answer
        (
            {"answer": "cost/fast_card_fee"},
            "membership_obligations",
            "membership_obligations/revalidation_timing",
            "how long is PIP membership valid?",
            None,
        ),
    ],
)
def test_a_time_or_place_question_after_an_answer_gets_what_that_answer_names(
    last_reply, topic, chosen, text, expected
):
    from bot.core.context_replies import named_followup
    from bot.ops.evaluation import domain_responses

    assert named_followup(domain_responses(), _after(last_reply, text), topic, text, chosen) == expected


@pytest.mark.parametrize(
    "last_reply, text, expected",
    [
        # a new-user trial: each got "I'm not sure I understood" although the answer before said it
        (
            {"answer": "fast_driver_card/validity_and_renewal"},
            "elle est valide jusqu'à quand?",
            "fast_driver_card/validity_and_renewal",
        ),
        (
            {"answer": "fast_driver_card/overview"},
            "how long do we have before it expires?",
            "fast_driver_card/validity_and_renewal",
        ),
        ({"answer": "review_process/request_for_information"}, "on le dépose où?", "contact/send_documents"),
        (
            {"answer": "suspension_and_appeals/cancellation_appeal"},
            "where do we file it?",
            "suspension_and_appeals/file_appeal",
        ),
        (
            {"answer": "review_process/request_for_information"},
            "c'est quoi le délai?",
            "review_process/information_request_deadline",
        ),
        # a third trial, the other side, the drivers, since when: the U.S. carrier's answer again, the FAST lanes
        # into Canada again, the lanes' overview again, "I'm not sure I understood"
        ({"answer": "eligibility/us_carrier"}, "and for the U.S. side?", "ctpat/need_both"),
        ({"answer": "fast_program/lane_locations"}, "et pour aller aux Etats-Unis?", "fast_program/into_us"),
        ({"answer": "fast_program/overview"}, "pis nos chauffeurs eux autres?", "fast_driver_card/overview"),
        ({"answer": "fast_program/overview"}, "and our drivers?", "fast_driver_card/overview"),
        ({"answer": "ctpat/overview"}, "when was that signed?", "ctpat/mra_since_2008"),
        ({"answer": "ctpat/need_both"}, "depuis quand?", "ctpat/mra_since_2008"),
        # the step after the form, the submit button and the site visit; more wordings of the above
        ({"answer": "application_process/online_only"}, "and after that?", "review_process/overview"),
        ({"answer": "review_process/site_validation_when"}, "Et ensuite ?", "review_process/become_member"),
        ({"answer": "application_process/submit_button"}, "pis là?", "review_process/overview"),
        ({"answer": "eligibility/us_carrier"}, "et du côté des États-Unis?", "ctpat/need_both"),
        ({"answer": "fast_program/overview"}, "ok and our drivers?", "fast_driver_card/overview"),
        ({"answer": "ctpat/overview"}, "ça date de quand?", "ctpat/mra_since_2008"),
    ],
)
def test_a_declined_message_that_asks_about_the_answer_just_given_gets_its_followup(last_reply, text, expected):
    from bot.core.context_replies import declined_reply
    from bot.ops.evaluation import domain_responses

    assert declined_reply(domain_responses(), _after(last_reply, text), [], "en") == (f"utter_{expected}", [])


@pytest.mark.parametrize(
    "last_reply, text",
    [
        # nothing asked about what was just said, or nothing said before: the clarifying question
        ({"answer": "fast_driver_card/overview"}, "pis le chien de mon voisin?"),
        ({"answer": "contact/program_email"}, "where is the closest port?"),
        ({}, "elle est valide jusqu'à quand?"),
        ({"answer": "review_process/request_for_information"}, "où est le PEP?"),
    ],
)
def test_a_declined_message_that_asks_nothing_about_the_last_answer_gets_the_clarifying_question(last_reply, text):
    from bot.core.context_replies import declined_reply
    from bot.ops.evaluation import domain_responses

    ranking = [{"name": "eligibility", "confidence": 0.3}]
    response, buttons = declined_reply(domain_responses(), _after(last_reply, text), ranking, "en")
    assert response == "utter_clarify"
    assert buttons[0]["payload"] == "/eligibility"


@pytest.mark.parametrize(
    "text",
    [
        # the CBSA's time, not the trader's (the review)
        "quel est le délai de traitement?",
        "c'est quoi le délai pour avoir une réponse?",
        "y a-t-il un délai d'attente?",
        "combien de temps il nous reste avant la décision?",
        "by when can we expect a decision?",
        "how long do they have to process it?",
        # validity, not a deadline
        "how long do we have before it expires?",
    ],
)
def test_a_time_question_about_the_cbsa_or_a_validity_is_no_deadline(text):
    from bot.core.followups import kind_asked

    assert kind_asked("duration", text) != "deadline"


@pytest.mark.parametrize(
    "text",
    [
        "what if we miss our annual portal sign-in?",
        "what if we miss the FAST interview?",
        "what if I miss a seal check?",
        "what if they are late with the decision?",
        "et si on manque de documents?",
        "et si on manque un document?",
        "et si on dépasse notre budget?",
    ],
)
def test_missing_something_else_than_the_date_just_given_is_not_a_missed_deadline(text):
    """The review: these got the appeal's or the request's answer after those answers."""
    from bot.core.followups import asks_what_if_missed

    assert not asks_what_if_missed(text)


@pytest.mark.parametrize(
    "text",
    [
        "what if we're late?",
        "what if we don't answer in time?",
        "si on ne respecte pas le délai?",
        "et si le délai est dépassé?",
    ],
)
def test_the_usual_ways_of_asking_about_a_missed_date_are_recognised(text):
    from bot.core.followups import asks_what_if_missed

    assert asks_what_if_missed(text)


def test_a_validity_asked_in_a_second_question_after_an_answer_that_names_none_is_membership_validity():
    """The review: "How do I apply? And how long is it valid?" got a processing time."""
    from bot.core.followups import followup_answer, kind_asked
    from bot.ops.evaluation import domain_responses

    kind = kind_asked("duration", "And how long is it valid?")
    expected = "membership_obligations/revalidation_timing"
    assert followup_answer(domain_responses(), "application_process/overview", kind) == expected


def test_where_do_i_send_it_after_the_appeal_answer_is_where_the_appeal_is_filed():
    """A new-user trial: "where do I send it?" got the program's e-mail; the appeal is filed in the portal."""
    from bot.core.context_replies import named_followup
    from bot.ops.evaluation import domain_responses

    text = "where do I send it?"
    events = _after({"answer": "suspension_and_appeals/cancellation_appeal"}, text)
    expected = "suspension_and_appeals/file_appeal"
    assert named_followup(domain_responses(), events, "contact", text, "contact/program_email") == expected
    # the program's e-mail asked for itself, or right after an answer that names nowhere to apply
    assert named_followup(domain_responses(), events, "contact", "what's your e-mail?", "contact/program_email") is None
    # after a request for information (or the status that is one): upload in the portal, brokers e-mail
    for last_reply in ({"answer": "review_process/request_for_information"}, {"status": "info_requested"}):
        events = _after(last_reply, text)
        expected = "contact/send_documents"
        assert named_followup(domain_responses(), events, "contact", text, "contact/program_email") == expected
    events = _after({"answer": "benefits/fewer_exams"}, text)
    assert named_followup(domain_responses(), events, "contact", text, "contact/program_email") is None


@pytest.mark.parametrize(
    "text",
    [
        # a question of its own: the card's fee, the lanes' crossings, the drivers' hours, PIP's start
        "et pour les chauffeurs, c'est combien?",
        "do our drivers need a FAST card to use the lanes into the U.S. at Detroit?",
        "and what about the drivers' hours?",
        "since when does PIP exist?",
        # a kind of business (or the trader), not the other side: "us" is not "US"
        "and for U.S. importers?",
        "and for us?",
        "and for US-based carriers?",
        "and for us as a customs broker?",
        "et pour les importateurs aux États-Unis?",
        # the European Union, not the États-Unis
        "and for the EU?",
        "et pour l'EU?",
        # a step named, not the one after what was just said
        "and after that the site visit?",
        "ensuite on fait quoi avec le profil de sécurité?",
    ],
)
def test_questions_of_their_own_are_not_taken_for_the_other_side_the_drivers_or_the_next_step(text):
    from bot.core.followups import kinds_in_words

    assert not {"us_side", "drivers", "since", "then"} & set(kinds_in_words(text, declined=True))


async def test_and_for_the_us_side_read_as_a_kind_of_business_gets_the_answer_named_for_it():
    from actions.followup import ActionRepeatAnswer
    from bot.ops.evaluation import domain_responses

    events = [
        {"event": "user", "text": "can a carrier from Ohio join?"},
        said("eligibility/us_carrier"),
        {"event": "user", "text": "and for the U.S. side?", "parse_data": {"intent": {"name": "inform_business_type"}}},
    ]
    latest = {"intent": {"name": "inform_business_type"}, "text": "and for the U.S. side?"}
    tracker = Tracker("s", {"business_type": "us_carrier"}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionRepeatAnswer().run(dispatcher, tracker, {"responses": domain_responses()})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ctpat/need_both"]


def test_how_long_reinstatement_takes_is_the_action_plans_timeframe_not_processing_time():
    # a third trial: "how do we get reinstated and how long does it take?" got the 3 to 12 months of a new
    # application; no reinstatement time is published, and the action plan sets its own
    from bot.core.followups import followup_answer
    from bot.ops.evaluation import domain_responses

    after = "suspension_and_appeals/after_suspension"
    assert followup_answer(domain_responses(), after, "duration") == "suspension_and_appeals/action_plan"


def test_and_after_that_is_the_step_after_the_one_just_described_not_what_to_do_now():
    # a third trial: "Et ensuite ?" after the site visit asked "what do you want to do now?"
    from bot.core.context_replies import followup_reply
    from bot.ops.evaluation import domain_responses

    visit = {"answer": "review_process/site_validation_when"}
    after_that = followup_reply(domain_responses(), _after(visit, "Et ensuite ?"), "ask_what_to_do_next", False)
    assert after_that == "utter_review_process/become_member"
    # the checks of a site visit are a member's too: no applicant's step after them, a question back
    checks = {"answer": "review_process/site_validation_checks"}
    after_checks = followup_reply(domain_responses(), _after(checks, "and after that?"), "ask_what_to_do_next", False)
    assert after_checks == "utter_followup_next_unclear"
    # after a status, the step after the one its explaining answer describes
    under_review = followup_reply(
        domain_responses(), _after({"status": "under_review"}, "et ensuite?"), "ask_what_to_do_next", False
    )
    assert under_review == "utter_review_process/review_then_visit"
