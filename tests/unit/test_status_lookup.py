"""The trader's look-up form and the agent's direct look-up, on a real SQLite database."""

import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import status_lookup
from actions.status_lookup import ActionCancelLookup, ValidateStatusLookupForm
from bot.core.signing import sign_assertion
from bot.store.engine import DatabaseUnavailable
from bot.store.queries import CLIENT_FAILURE_LIMIT, audit_log
from tests.unit.speech import domain_dict, spoken

DOMAIN = domain_dict()


SECRET = "t" * 43  # SIGNING_SECRET, shared by the gateway and the action server


@pytest.fixture(autouse=True)
def use_test_database(database, monkeypatch):
    monkeypatch.setattr(status_lookup, "database", lambda: database)
    monkeypatch.setenv("SIGNING_SECRET", SECRET)


def tracker(
    slots=None, text="", intent="inform_lookup_details", agent=None, metadata=None, client="client-1", sender="s"
):
    """A tracker as Rasa sends it, with the metadata the gateway signs for each message."""
    if metadata is None:
        metadata = {"gateway": sign_assertion(SECRET, sender, agent, client)}
    latest = {"text": text, "intent": {"name": intent}, "metadata": metadata, "entities": []}
    return Tracker(
        sender,
        {"language": "en", **(slots or {})},
        latest,
        [],
        False,
        None,
        {"name": "status_lookup_form"},
        "action_listen",
    )


async def said(dispatcher, slots):
    return [reply["text"] for reply in await spoken(dispatcher.messages, {"language": "en", **slots})]


async def lookup(slots, agent=None, **forged):
    """The form's validation with the details already given: the form is complete, so it looks up."""
    dispatcher = CollectingDispatcher()
    events = await ValidateStatusLookupForm().run(dispatcher, tracker(slots, agent=agent, **forged), DOMAIN)
    return await said(dispatcher, slots), {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def validate(slots, text, intent="inform_lookup_details", agent=None):
    dispatcher = CollectingDispatcher()
    events = await ValidateStatusLookupForm().run(dispatcher, tracker(slots, text, intent, agent), DOMAIN)
    return await said(dispatcher, slots), {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_both_details_in_one_message_fill_the_form_and_get_the_status_in_the_same_call():
    dispatcher = CollectingDispatcher()
    asked = tracker({"requested_slot": "application_reference"}, "PIP-2026-00103 100 000 003")
    events = await ValidateStatusLookupForm().run(dispatcher, asked, DOMAIN)
    slot_events = [(e["name"], e["value"]) for e in events if e["event"] == "slot"]
    assert ("application_reference", "PIP-2026-00103") in slot_events
    assert ("business_number", "100000003") in slot_events
    assert "More information requested" in (await said(dispatcher, {}))[0]
    # Then forgotten, and requested_slot cleared: that ends Rasa's form, with no second action call.
    final = dict(slot_events)
    assert final["application_reference"] is None and final["requested_slot"] is None


async def test_details_in_either_order():
    _, slots = await validate({"requested_slot": "application_reference"}, "my BN is 100000003")
    assert slots["business_number"] == "100000003" and slots.get("application_reference") is None


async def test_wrong_format_is_explained_in_french():
    messages, slots = await validate({"requested_slot": "business_number", "language": "fr"}, "12345")
    assert "9 chiffres" in messages[0] and slots["business_number"] is None


@pytest.mark.parametrize(
    "slot, says",
    [
        ("application_reference", ["PIP-2026-00123", "Agence du revenu du Canada"]),
        # while the business number is awaited: where it is, and how to stop ("I don't have it handy")
        ("business_number", ["Agence du revenu du Canada", "annuler", "pip-pep@cbsa-asfc.gc.ca"]),
    ],
)
async def test_words_without_a_number_get_what_is_needed_and_why(slot, says):
    # "je dois faire quoi maintenant?" got "that is not the format of a reference"
    messages, slots = await validate(
        {"requested_slot": slot, "language": "fr"}, "je dois faire quoi maintenant?", intent="nlu_fallback"
    )
    assert all(words in messages[0] for words in says)
    assert slots[slot] is None


async def test_a_question_in_the_middle_is_left_to_the_dialogue():
    messages, slots = await validate({"requested_slot": "business_number"}, "how much does PIP cost?", intent="cost")
    assert messages == [] and "business_number" not in slots


async def test_a_question_mid_form_with_one_detail_kept_looks_nothing_up(monkeypatch):
    """The look-up runs inside the validation: only when the form has both details, never for a
    question asked while it waits, nor when it starts again with the reference kept from a failure."""

    async def no_look_up(*args):
        raise AssertionError("looked up")

    monkeypatch.setattr(status_lookup, "look_up", no_look_up)
    kept = {"application_reference": "PIP-2026-00103", "requested_slot": "business_number"}
    messages, slots = await validate(kept, "how much does PIP cost?", intent="cost")
    assert messages == [] and "requested_slot" not in slots
    messages, slots = await validate({"application_reference": "PIP-2026-00103"}, "check my status", "check_status")
    assert "PIP-2026-00103" not in str(messages) and slots.get("business_number") is None


async def test_matching_pair_gets_status_date_meaning_and_next_step_then_slots_are_cleared():
    messages, slots = await lookup({"application_reference": "PIP-2026-00103", "business_number": "100000003"})
    text = messages[0]
    assert "More information requested" in text and "October 28, 2026" in text and "upload" in text
    assert "100000003" not in text and "******003" in text
    assert slots["application_reference"] is None and slots["business_number"] is None


async def test_french_answer():
    messages, _ = await lookup(
        {"language": "fr", "application_reference": "PIP-2026-00104", "business_number": "100000004"}
    )
    assert "Validation des lieux prévue" in messages[0] and "15 octobre 2026" in messages[0]


async def test_unknown_reference_and_wrong_business_number_get_identical_replies():
    unknown, _ = await lookup({"application_reference": "PIP-2026-99999", "business_number": "100000003"})
    mismatch, _ = await lookup({"application_reference": "PIP-2026-00103", "business_number": "999999999"})
    assert unknown == mismatch


async def test_after_a_failure_the_reference_is_kept_and_the_business_number_forgotten():
    # "sorry, 100000001" right after a failed try is then checked with the reference given before.
    _, events = await lookup({"application_reference": "PIP-2026-00103", "business_number": "999999999"})
    assert "application_reference" not in events and events["business_number"] is None
    assert events["lookup_failures"] == 1.0


async def test_three_failures_lock_the_conversation_and_the_fourth_is_refused():
    slots = {"application_reference": "PIP-2026-00103", "business_number": "999999999", "lookup_failures": 0.0}
    for _ in (1, 2):
        messages, events = await lookup(slots)
        assert "Attempts left" in messages[0]
        slots["lookup_failures"] = events["lookup_failures"]
    messages, events = await lookup(slots)
    assert events["lookup_locked"] is True and "turned off" in messages[0] and "pip-pep@" in messages[0]
    locked = {**slots, "lookup_locked": True, "business_number": "100000003"}  # now the right pair
    messages, _ = await lookup(locked)
    assert "turned off" in messages[0] and "Information requested" not in messages[0]
    required = await ValidateStatusLookupForm().required_slots([], CollectingDispatcher(), tracker(locked), DOMAIN)
    assert required == []


async def test_agent_looks_up_by_business_number_with_full_history():
    messages, _ = await lookup({"business_number": "100000002"}, agent="alice")
    assert len(messages) == 2 and "Boréal Import Inc." in messages[0] and "100000002" in messages[0]
    assert "Security profile assigned" in messages[0]


async def test_agent_needs_only_one_detail_but_a_trader_needs_both():
    agent = await ValidateStatusLookupForm().required_slots(
        [], CollectingDispatcher(), tracker({"business_number": "100000002"}, agent="alice"), DOMAIN
    )
    trader = await ValidateStatusLookupForm().required_slots(
        [], CollectingDispatcher(), tracker({"business_number": "100000002"}), DOMAIN
    )
    assert agent == ["business_number"] and trader == ["application_reference", "business_number"]


async def test_database_down_gives_a_clear_reply_and_does_not_count_as_a_failure(monkeypatch):
    class Down:
        async def run(self, *args):
            raise DatabaseUnavailable("timeout")

    monkeypatch.setattr(status_lookup, "database", lambda: Down())
    messages, slots = await lookup({"application_reference": "PIP-2026-00103", "business_number": "100000003"})
    # The program's e-mail, not the Border Information Service: no CBSA page says BIS handles PIP files.
    assert "can't look up applications right now" in messages[0] and "pip-pep@cbsa-asfc.gc.ca" in messages[0]
    assert "1-800" not in messages[0]
    assert "lookup_failures" not in slots and slots["business_number"] is None


async def test_cancel_forgets_the_details():
    dispatcher = CollectingDispatcher()
    events = await ActionCancelLookup().run(dispatcher, tracker({"business_number": "100000003"}), DOMAIN)
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert SlotSet("business_number", None) in events


async def test_agent_gives_only_a_business_number_at_the_start_and_gets_the_look_up():
    messages, slots = await validate({}, "100000002", agent="alice")
    assert "Boréal Import Inc." in messages[0] and slots["requested_slot"] is None


async def test_a_status_reply_says_which_status_and_where_to_ask_about_the_file():
    dispatcher = CollectingDispatcher()
    slots = {"language": "fr", "application_reference": "PIP-2026-00103", "business_number": "100000003"}
    await ValidateStatusLookupForm().run(dispatcher, tracker(slots), DOMAIN)
    (reply,) = await spoken(dispatcher.messages, slots)
    assert reply["custom"]["status"] == "info_requested" and reply["custom"]["lang"] == "fr"
    assert [s["url"] for s in reply["custom"]["sources"]] == [
        "https://www.cbsa-asfc.gc.ca/services/security-securite/business-affaires/ttp-pndc/pip-pep/tc-mod-fra.html"
    ]


def test_dates_are_written_as_each_language_writes_them():
    from bot.core.status_text import format_date

    assert format_date("2026-03-01", "fr") == "1er mars 2026" and format_date("2026-10-15", "fr") == "15 octobre 2026"
    assert format_date("2026-03-01", "en") == "March 1, 2026"


# --- the action server verifies what the gateway asserts (issue #13, item 3j) --------------


@pytest.mark.parametrize(
    "forgery",
    [
        pytest.param({"metadata": {"agent": "mallory"}}, id="plain-agent-field"),
        pytest.param(
            {
                "metadata": {
                    "gateway": {"agent": "mallory", "client": "c", "issued": 2_000_000_000, "signature": "A" * 22}
                }
            },
            id="bad-signature",
        ),
        pytest.param(
            {"metadata": {"gateway": sign_assertion("another secret" * 3, "s", "mallory", "c")}},
            id="signed-with-another-secret",
        ),
        pytest.param(
            {"metadata": {"gateway": sign_assertion(SECRET, "another conversation", "mallory", "c")}},
            id="signed-for-another-conversation",
        ),
        pytest.param(
            {"metadata": {"gateway": sign_assertion(SECRET, "s", "mallory", "c", now=1_000_000)}}, id="expired"
        ),
    ],
)
async def test_a_forged_tracker_gets_no_agent_powers_and_writes_no_audit_row(database, forgery):
    messages, _ = await lookup({"business_number": "100000002"}, **forgery)
    assert not any("Boréal Import" in m or "Security profile" in m for m in messages)
    assert not any(row["agent"] == "mallory" for row in database.call(audit_log))
    required = await ValidateStatusLookupForm().required_slots(
        [], CollectingDispatcher(), tracker({"business_number": "100000002"}, **forgery), DOMAIN
    )
    assert required == ["application_reference", "business_number"]  # a trader's form


async def test_without_a_signing_secret_the_action_server_trusts_no_agent(database, monkeypatch):
    monkeypatch.delenv("SIGNING_SECRET")
    monkeypatch.setattr("bot.core.settings.load_secrets", lambda *args: {})
    messages, _ = await lookup(
        {"business_number": "100000002"}, metadata={"gateway": sign_assertion("", "s", "alice", "c")}
    )
    assert not any("Boréal Import" in m for m in messages)


async def test_what_the_gateway_signs_is_what_the_action_server_accepts(aiohttp_client, database, monkeypatch):
    from bot.core.settings import Settings
    from bot.gateway.web import create_app
    from bot.store.queries import set_agent_password
    from tests.unit.test_gateway import FakeRasa

    database.call(set_agent_password, "alice", "a long agent password")
    rasa = FakeRasa()
    client = await aiohttp_client(create_app(Settings(gateway_secret="x" * 43, signing_secret=SECRET), rasa, database))
    signed_in = await client.post("/api/agent/login", json={"username": "alice", "password": "a long agent password"})
    csrf = (await signed_in.json())["csrf_token"]
    await client.post("/api/chat", json={"message": "100000002"}, headers={"X-CSRF-Token": csrf})
    sender, _, metadata = rasa.calls[0]
    messages, _ = await lookup({"business_number": "100000002"}, metadata=metadata, sender=sender)
    assert "Boréal Import Inc." in messages[0]
    assert database.call(audit_log)[0]["agent"] == "alice"


# --- guessing stays expensive without locking the owner out (issue #13, item 3a) ----------


async def test_the_owners_look_up_is_answered_after_others_guessed_on_the_reference(database):
    for guess in range(25):  # 25 fresh sessions from other addresses
        messages, _ = await lookup(
            {"application_reference": "PIP-2026-00103", "business_number": f"{900000000 + guess}"},
            client=f"attacker-{guess}",
            sender=f"attacker-session-{guess}",
        )
        assert "couldn't find" in messages[0]
    messages, _ = await lookup(
        {"application_reference": "PIP-2026-00103", "business_number": "100000003"},
        client="owner",
        sender="owner-session",
    )
    assert "More information requested" in messages[0]


async def test_new_conversations_from_one_client_do_not_give_more_guesses(database):
    for guess in range(CLIENT_FAILURE_LIMIT):
        await lookup(
            {"application_reference": "PIP-2026-00103", "business_number": f"{900000000 + guess}"},
            client="guesser",
            sender=f"guesser-session-{guess}",
        )
    messages, events = await lookup(
        {"application_reference": "PIP-2026-00103", "business_number": "100000003"},
        client="guesser",
        sender="guesser-session-new",
    )
    assert "More information requested" not in messages[0]
    # a new-user trial behind one shared address: a right pair was reported as not found, with tries left
    assert "couldn't find" not in messages[0] and "paused" in messages[0] and "pip-pep@" in messages[0]
    assert "lookup_failures" not in events


async def test_a_client_whose_look_ups_are_paused_is_told_so_in_french_and_polling_keeps_them_paused(database):
    from sqlalchemy import func, select

    from bot.store.models import FailedLookup

    for guess in range(CLIENT_FAILURE_LIMIT):
        await lookup(
            {"application_reference": "PIP-2026-00103", "business_number": f"{900000000 + guess}", "language": "fr"},
            client="poller",
            sender=f"poller-{guess}",
        )
    messages, _ = await lookup(
        {"application_reference": "PIP-2026-00103", "business_number": "100000003", "language": "fr"},
        client="poller",
        sender="poller-new",
    )
    assert "interrompu" in messages[0] and "Essais restants" not in messages[0]
    with database.session() as session:
        count = session.execute(select(func.count(FailedLookup.id)).where(FailedLookup.client == "poller")).scalar_one()
    assert count == CLIENT_FAILURE_LIMIT + 1  # the paused try counts too


async def test_an_agents_french_look_up_writes_the_history_the_french_way():
    messages, _ = await lookup({"language": "fr", "business_number": "100000002"}, agent="alice")
    history = [line for line in messages[0].splitlines() if line.startswith("- ")]
    assert history and all(" : " in line for line in history)  # "- 1er mars 2026 : Présentée. ..."


async def ask_for_reference(slots):
    """The form's first question, as Rasa's form asks it: the response, with the conversation's slots."""
    return [r["text"] for r in await spoken([{"response": "utter_ask_application_reference"}], slots)]


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_a_signed_in_agent_is_asked_in_the_agents_words_and_a_trader_in_the_traders(language):
    """The validation marks the conversation as an agent's from the gateway's signature only; the
    form then asks with the matching wording, as a response, without a second action call."""
    starting = {"language": language}
    _, agent_slots = await validate(starting, "check a status", "check_status", agent="alice")
    _, trader_slots = await validate(starting, "check my status", "check_status")
    assert agent_slots["console_agent"] is True and "console_agent" not in trader_slots
    to_agent = await ask_for_reference({"language": language, "console_agent": True})
    to_trader = await ask_for_reference({"language": language, "console_agent": False})
    assert ("Agent look-up" if language == "en" else "Recherche d'agent") in to_agent[0]
    assert ("business number" if language == "en" else "numéro d'entreprise") in to_trader[0]
    assert "Agent" not in to_trader[0] and "agent" not in to_trader[0]


async def test_a_forged_agent_field_does_not_get_the_agents_wording():
    dispatcher = CollectingDispatcher()
    forged = tracker({}, "check a status", "check_status", metadata={"agent": "mallory"})
    events = await ValidateStatusLookupForm().run(dispatcher, forged, DOMAIN)
    assert not any(e.get("name") == "console_agent" and e.get("value") for e in events)


async def test_the_agent_mark_is_set_once_so_a_question_mid_form_is_still_left_to_the_dialogue():
    """Rasa takes any slot the validation sets as an answer to the form: set on every turn, the
    agent mark would stop a question asked mid-form from being answered."""
    slots = {"requested_slot": "application_reference", "console_agent": True}
    messages, validated = await validate(slots, "how much does PIP cost?", intent="cost", agent="alice")
    assert messages == [] and validated == {}


async def test_a_stale_agent_mark_is_cleared_when_a_form_starts_without_a_signed_in_agent():
    _, slots = await validate({"console_agent": True}, "check my status", "check_status")
    assert slots["console_agent"] is False


async def test_a_message_whose_signature_fails_mid_form_does_not_flip_the_agent_mark():
    """An agent's message that cannot be verified (an expired or foreign signature) gets a trader's
    powers, but must not count as an answer to the form's question."""
    dispatcher = CollectingDispatcher()
    foreign = {"gateway": sign_assertion("x" * 43, "s", "alice", "client-1")}
    slots = {"requested_slot": "application_reference", "console_agent": True}
    form = tracker(slots, "how much does PIP cost?", "cost", metadata=foreign)
    events = await ValidateStatusLookupForm().run(dispatcher, form, DOMAIN)
    assert dispatcher.messages == [] and events == []


# --- what the record says about its status, and the questions that follow a look-up ----------


@pytest.mark.parametrize(
    "reference, number, language, told",
    [
        ("PIP-2026-00104", "100000004", "en", "booked for December 9, 2026"),
        ("PIP-2026-00104", "100000004", "fr", "prévue le 9 décembre 2026"),
        ("PIP-2026-00103", "100000003", "en", "your seal procedures and your personnel screening policy"),
        (
            "PIP-2026-00103",
            "100000003",
            "fr",
            "vos procédures relatives aux scellés et votre politique de filtrage du personnel",
        ),
        ("PIP-2025-00202", "200000002", "en", "12 months of cross-border trade"),
        ("PIP-2025-00202", "200000002", "fr", "12 mois d'activités commerciales transfrontalières"),
        ("PIP-2023-00302", "300000002", "en", "action plan was not completed"),
        ("PIP-2023-00302", "300000002", "fr", "plan d'action n'a pas été réalisé"),
        ("PIP-2021-00303", "300000003", "en", "no longer met the minimum security requirements"),
        ("PIP-2021-00303", "300000003", "fr", "exigences minimales de sécurité"),
    ],
)
async def test_a_status_reply_says_what_the_record_says_about_it(reference, number, language, told):
    # "when is the visit?", "what's missing?", "why were we denied?": the trial's first questions after a status
    messages, _ = await lookup({"language": language, "application_reference": reference, "business_number": number})
    assert told in messages[0]
    # the agents' own notes ("... at the Regina terminal") stay theirs
    assert "Regina" not in messages[0] and "missing" not in messages[0]


async def test_a_status_without_details_says_nothing_more_and_hides_the_agents_notes():
    messages, slots = await lookup({"application_reference": "PIP-2026-00102", "business_number": "100000002"})
    assert "Security profile assigned" not in messages[0] and "\n\n" not in messages[0]
    assert slots["looked_up_status"] == "under_review" and slots["status_detail_en"] is None


@pytest.mark.parametrize(
    "reference, number, asked, language, wanted, unwanted",
    [
        # "when is the visit?" after "Site validation scheduled" got "if your application is approved ..."
        (
            "PIP-2026-00104",
            "100000004",
            "review_process/site_validation_when",
            "en",
            "December 9, 2026",
            "If your application",
        ),
        (
            "PIP-2026-00104",
            "100000004",
            "review_process/site_validation_when",
            "fr",
            "9 décembre 2026",
            "Si votre demande",
        ),
        (
            "PIP-2026-00103",
            "100000003",
            "review_process/request_for_information",
            "en",
            "seal procedures",
            "not a refusal",
        ),
        ("PIP-2026-00103", "100000003", "membership_obligations/information_requests", "fr", "scellés", "Les membres"),
        # a denied applicant asking "can I appeal?" heard about the cancelled members' 30 days first
        (
            "PIP-2025-00202",
            "200000002",
            "suspension_and_appeals/cancellation_appeal",
            "en",
            "no formal appeal",
            "30 days",
        ),
        ("PIP-2025-00202", "200000002", "suspension_and_appeals/denial_review", "fr", "12 mois", "30 jours"),
        ("PIP-2023-00302", "300000002", "suspension_and_appeals/suspension_reasons", "en", "action plan", "can face"),
        (
            "PIP-2023-00302",
            "300000002",
            "suspension_and_appeals/suspension_reasons",
            "fr",
            "plan d'action",
            "peut faire",
        ),
        (
            "PIP-2023-00302",
            "300000002",
            "suspension_and_appeals/cancellation_appeal",
            "en",
            "corrective steps",
            "disagree",
        ),
        ("PIP-2021-00303", "300000003", "suspension_and_appeals/suspension_reasons", "en", "30 days", "can face"),
        (
            "PIP-2021-00303",
            "300000003",
            "suspension_and_appeals/suspension_reasons",
            "fr",
            "30 jours",
            "peut faire l'objet",
        ),
    ],
)
async def test_after_a_look_up_a_question_about_the_file_gets_the_files_answer(
    reference, number, asked, language, wanted, unwanted
):
    _, context = await lookup({"language": language, "application_reference": reference, "business_number": number})
    reply = (await spoken([{"response": f"utter_{asked}"}], {"language": language, **context}))[0]
    assert wanted in reply["text"] and unwanted not in reply["text"] and "{" not in reply["text"]
    assert reply["custom"]["answer"] == asked and reply["custom"]["lang"] == language


async def test_the_question_after_a_look_up_in_the_other_language_is_answered_in_that_language():
    # looked up in English, asked in French: the French answer must not open with an English sentence
    _, context = await lookup({"application_reference": "PIP-2026-00104", "business_number": "100000004"})
    reply = (await spoken([{"response": "utter_review_process/site_validation_when"}], {**context, "language": "fr"}))[
        0
    ]
    assert reply["text"].startswith("Votre validation des lieux est prévue le 9 décembre 2026.")


async def test_a_later_look_up_that_fails_forgets_the_file_looked_up_before():
    # a broker checking a second client must not get the first client's denial reason
    _, first = await lookup({"application_reference": "PIP-2025-00202", "business_number": "200000002"})
    _, failed = await lookup({**first, "application_reference": "PIP-2026-99999", "business_number": "100000001"})
    assert failed["looked_up_status"] is None and failed["status_detail_en"] is None


def test_every_variation_for_a_files_status_has_its_detail_or_needs_none():
    # "{status_detail_en}" left unfilled would be said as "None"
    from bot.core import status_text

    conditioned = 0
    for name, variations in DOMAIN["responses"].items():
        for variation in variations:
            conditions = {c["name"]: c["value"] for c in variation.get("condition") or []}
            if "looked_up_status" not in conditions:
                assert "{status_detail" not in (variation.get("text") or ""), name
                continue
            conditioned += 1
            placeholders = set(re.findall(r"\{(\w+)\}", variation["text"]))
            assert placeholders <= {f"status_detail_{conditions['language']}"}, name
            if placeholders:
                assert conditions["looked_up_status"] in status_text.DETAIL_KIND, name
    assert conditioned >= 16


async def test_the_same_question_without_a_look_up_gets_the_general_answer():
    reply = (await spoken([{"response": "utter_review_process/site_validation_when"}], {"language": "en"}))[0]
    assert reply["text"].startswith("If your application is approved")


def test_a_record_without_the_detail_points_to_where_it_is():
    from bot.core import status_text

    responses = DOMAIN["responses"]
    for language in ("en", "fr"):
        for status in status_text.DETAIL_KIND:
            assert status_text.recorded_detail(responses, status, {}, language) == ""
            assert "pip-pep@cbsa-asfc.gc.ca" in status_text.detail_or_pointer(responses, status, {}, language)
        # an id the domain has no words for is not shown as a code
        unknown = {"requested": ["seal_procedures", "no_such_item"], "reason": "no_such_reason"}
        assert "no_such" not in status_text.detail_or_pointer(responses, "info_requested", unknown, language)
        assert "no_such" not in status_text.detail_or_pointer(responses, "denied", unknown, language)
    assert status_text.detail_or_pointer(responses, "approved", {"reason": "action_plan_overdue"}, "en") is None


def test_every_detail_the_demo_data_names_is_written_in_both_languages():
    import yaml

    from bot.core.paths import ROOT

    applications = yaml.safe_load((ROOT / "data" / "demo" / "applications.yml").read_text(encoding="utf-8"))[
        "applications"
    ]
    named = {
        f"utter_status_{kind}_{item}"
        for application in applications
        for change in application["history"]
        for kind, items in (
            ("requested", change.get("requested") or []),
            ("reason", [change.get("reason")] if change.get("reason") else []),
        )
        for item in items
    }
    assert len(named) >= 5
    for response in named:
        languages = sorted(
            next((c["value"] for c in v.get("condition") or [] if c["name"] == "language"), "en")
            for v in DOMAIN["responses"][response]
        )
        assert languages == ["en", "fr"], response


async def test_without_the_domain_in_the_call_the_action_server_reads_its_own():
    """Rasa sends no domain (selective domain, bot/rasa_ext/endpoints.py): the form's validation needs
    its required slots and the look-up its status texts all the same."""
    slots = {"application_reference": "PIP-2026-00103", "business_number": "100000003"}
    for text in ("PIP-2026-00103 and 100000003", "PIP-2026-00103"):  # both given; one still to ask for
        sent, read = CollectingDispatcher(), CollectingDispatcher()
        with_domain = await ValidateStatusLookupForm().run(sent, tracker({}, text), DOMAIN)
        without = await ValidateStatusLookupForm().run(read, tracker({}, text), {})
        assert without == with_domain and read.messages == sent.messages
    # No requested_slot of its own: the domain's required slots say Rasa's form asks next. Without
    # the domain, rasa-sdk would take the form's slots for overridden and set it (an extra event).
    assert {e["name"]: e["value"] for e in with_domain if e["event"] == "slot"} == {
        "application_reference": "PIP-2026-00103"
    }
    dispatcher = CollectingDispatcher()
    await ValidateStatusLookupForm().run(dispatcher, tracker(slots), {})
    assert "More information requested" in (await said(dispatcher, slots))[0]
