"""After repeated misunderstandings the assistant offers a person instead of asking again."""

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from policies.handoff import RepeatedMisunderstandingPolicy, consecutive_misunderstandings

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, eligibility]
responses:
  utter_human_handoff: [{text: "call us"}]
  utter_greet: [{text: "hi"}]
actions: [action_clarify_question]
"""
)


def tracker(*intents, tail=("action_listen",)):
    # user turns are separated by the bot's answer and a listen
    events = [ActionExecuted("action_listen")]
    for i, intent in enumerate(intents):
        events.append(UserUttered("text", {"name": intent, "confidence": 0.3}))
        if i < len(intents) - 1:
            events += [ActionExecuted("action_clarify_question"), ActionExecuted("action_listen")]
    for action in tail[1:]:
        events.append(ActionExecuted(action))
    return DialogueStateTracker.from_events("someone", events)


def policy(tmp_path, **config):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "model")
    full = {**RepeatedMisunderstandingPolicy.get_default_config(), **config}
    return RepeatedMisunderstandingPolicy.create(full, storage, Resource("handoff"), context)


def predicted(policy_, tracker_):
    prediction = policy_.predict_action_probabilities(tracker_, DOMAIN)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    return DOMAIN.action_names_or_texts[best] if prediction.probabilities[best] > 0 else None


def test_counts_only_consecutive_misunderstandings():
    assert consecutive_misunderstandings(tracker("nlu_fallback", "nlu_fallback"), "utter_human_handoff") == 2
    assert consecutive_misunderstandings(tracker("nlu_fallback", "greet", "nlu_fallback"), "utter_human_handoff") == 1


def test_first_misunderstanding_is_left_to_the_clarify_rule(tmp_path):
    assert predicted(policy(tmp_path), tracker("greet", "nlu_fallback")) is None


def test_second_misunderstanding_in_a_row_hands_off(tmp_path):
    assert predicted(policy(tmp_path), tracker("nlu_fallback", "nlu_fallback")) == "utter_human_handoff"


def test_understood_message_resets_the_count(tmp_path):
    assert predicted(policy(tmp_path), tracker("nlu_fallback", "eligibility", "nlu_fallback")) is None


def test_listens_after_the_handoff(tmp_path):
    done = tracker("nlu_fallback", "nlu_fallback", tail=("action_listen", "utter_human_handoff"))
    assert predicted(policy(tmp_path), done) == "action_listen"


def test_count_restarts_after_a_handoff(tmp_path):
    events = list(tracker("nlu_fallback", "nlu_fallback").events) + [
        ActionExecuted("utter_human_handoff"),
        ActionExecuted("action_listen"),
        UserUttered("text", {"name": "nlu_fallback", "confidence": 0.2}),
    ]
    assert predicted(policy(tmp_path), DialogueStateTracker.from_events("s", events)) is None


def test_threshold_is_configurable(tmp_path):
    three = policy(tmp_path, max_misunderstandings=3)
    assert predicted(three, tracker("nlu_fallback", "nlu_fallback")) is None
    assert predicted(three, tracker("nlu_fallback", "nlu_fallback", "nlu_fallback")) == "utter_human_handoff"


def test_no_handoff_inside_the_status_form(tmp_path):
    events = list(tracker("nlu_fallback", "nlu_fallback").events)
    events.insert(1, __import__("rasa.shared.core.events", fromlist=["ActiveLoop"]).ActiveLoop("status_lookup_form"))
    assert predicted(policy(tmp_path), DialogueStateTracker.from_events("s", events)) is None
