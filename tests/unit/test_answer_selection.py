"""The topic and the specific answer come from two classifiers that must agree
(bot/rasa_ext/answer_selection.py); a topic picked by button gets its overview."""

from types import SimpleNamespace

from rasa.shared.nlu.training_data.message import Message

from bot.rasa_ext.answer_selection import TopicAnswerSelector
from bot.rasa_ext.rasa_process import answers_within_topic


def parsed(intents, answers):
    message = Message(data={"text": "q"})
    message.set("intent", {"name": intents[0][0], "confidence": intents[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in intents])
    message.set(
        "response_selector",
        {
            "all_retrieval_intents": ["cost", "review_process", "eligibility"],
            "default": {
                "response": {"intent_response_key": answers[0][0]},
                "ranking": [{"intent_response_key": k, "confidence": c, "id": i} for i, (k, c) in enumerate(answers)],
            },
        },
    )
    TopicAnswerSelector({"topic_weight": 0.5}).process([message])
    return message


def test_the_answer_is_the_best_one_within_the_chosen_topic():
    message = parsed(
        [("cost", 0.7), ("review_process", 0.2), ("greet", 0.1)],
        [("review_process/site_visit", 0.5), ("cost/site_validation_fee", 0.4), ("cost/overview", 0.1)],
    )
    assert message.get("intent")["name"] == "cost"
    chosen = message.get("response_selector")["cost"]["response"]
    assert chosen["utter_action"] == "utter_cost/site_validation_fee"
    assert chosen["confidence"] == 0.8  # its share of the topic's answers


def test_the_selector_can_overturn_an_unsure_topic():
    message = parsed(
        [("cost", 0.45), ("review_process", 0.40), ("greet", 0.15)],
        [("review_process/site_visit", 0.9), ("cost/overview", 0.1)],
    )
    assert message.get("intent")["name"] == "review_process"
    ranking = message.get("intent_ranking")
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert ranking[-1] == {"name": "greet", "confidence": 0.15}  # not a knowledge topic: the classifier's own score


def test_a_confident_non_knowledge_intent_is_left_alone():
    message = parsed([("out_of_scope", 0.9), ("cost", 0.1)], [("cost/overview", 1.0)])
    assert message.get("intent") == {"name": "out_of_scope", "confidence": 0.9}
    assert "out_of_scope" not in message.get("response_selector")


class FakeAction:
    action_name = "utter_cost"

    @staticmethod
    def intent_name_from_action(name):
        return name[len("utter_") :]


async def test_a_topic_picked_by_button_is_answered_with_its_overview(monkeypatch):
    said = []

    async def bot_response_run(action, *args):
        said.append(action.utter_action)
        return ["uttered"]

    async def retrieval_run(action, *args):
        said.append("selector")
        return ["uttered"]

    monkeypatch.setattr("rasa.core.actions.action.ActionBotResponse.run", bot_response_run)
    run = answers_within_topic(retrieval_run)
    button = SimpleNamespace(latest_message=SimpleNamespace(parse_data={"intent": {"name": "cost"}}))
    typed = SimpleNamespace(latest_message=SimpleNamespace(parse_data={"response_selector": {"cost": {}}}))
    # A policy chose utter_cost although the NLU chose another topic: never another topic's answer.
    other = SimpleNamespace(
        latest_message=SimpleNamespace(
            parse_data={
                "response_selector": {
                    "default": {
                        "ranking": [
                            {"intent_response_key": "review_process/site_visit", "confidence": 0.7},
                            {"intent_response_key": "cost/site_validation_fee", "confidence": 0.2},
                        ]
                    }
                }
            }
        )
    )
    for tracker in (button, typed, other):
        assert await run(FakeAction(), None, None, tracker, None) == ["uttered"]
    assert said == ["utter_cost/overview", "selector", "utter_cost/site_validation_fee"]


async def test_a_second_question_is_answered_after_the_first(monkeypatch):
    said = []

    async def bot_response_run(action, *args):
        said.append(action.utter_action)
        return [action.utter_action]

    async def retrieval_run(action, *args):
        return ["utter_cost/overview"]

    monkeypatch.setattr("rasa.core.actions.action.ActionBotResponse.run", bot_response_run)
    run = answers_within_topic(retrieval_run)
    two_questions = {
        "intent": {"name": "cost"},
        "response_selector": {"cost": {}},
        "second_answer": "processing_time/overview",
    }
    tracker = SimpleNamespace(latest_message=SimpleNamespace(parse_data=two_questions))
    assert await run(FakeAction(), None, None, tracker, None) == [
        "utter_cost/overview",
        "utter_processing_time/overview",
    ]
    # a rule that answers another topic than the message's (after a follow-up, say) adds nothing
    other_topic = {**two_questions, "intent": {"name": "eligibility"}}
    tracker = SimpleNamespace(latest_message=SimpleNamespace(parse_data=other_topic))
    assert await run(FakeAction(), None, None, tracker, None) == ["utter_cost/overview"]


async def test_a_message_that_also_asks_where_its_application_is_starts_the_look_up_after_the_answer(monkeypatch):
    from rasa.shared.core.events import FollowupAction

    async def retrieval_run(action, *args):
        return ["utter_cost/overview"]

    run = answers_within_topic(retrieval_run)
    asked = {"intent": {"name": "cost"}, "response_selector": {"cost": {}}, "then_look_up": True}
    tracker = SimpleNamespace(latest_message=SimpleNamespace(parse_data=asked), active_loop_name=None)
    assert await run(FakeAction(), None, None, tracker, None) == [
        "utter_cost/overview",
        FollowupAction("status_lookup_form"),
    ]
    # asked while the look-up already waits for a reference: its own rule brings the form back
    tracker = SimpleNamespace(latest_message=SimpleNamespace(parse_data=asked), active_loop_name="status_lookup_form")
    assert await run(FakeAction(), None, None, tracker, None) == ["utter_cost/overview"]
