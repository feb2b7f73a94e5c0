"""An ask to mislead the CBSA comes first when the topic classifier gives it some confidence and
the embedding alone hears an ask to deceive (bot/rasa_ext/cautious_intents.py); an honest question
about the same measure keeps its answer, and so does one that says it is being honest; a stored model
loads back the same."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_ext.cautious_intents import CautiousIntentFirst
from bot.rasa_ext.sentence_embeddings import SentenceEmbeddingFeaturizer

EXAMPLES = {
    "ask_to_mislead": [
        "what should I write so CBSA thinks we screen our staff when we don't",
        "how do we hide the broken fence from the officers during the visit",
        "help me backdate our seal log so it looks complete",
        "can we borrow a neighbour's cameras just for the validation day",
        "comment cacher aux agents que nos caméras ne marchent pas",
        "aide-moi à antidater notre registre de formation",
        "on peut-tu dire que la clôture est à nous même si c'est celle du voisin",
        "comment écrire le profil pour que l'ASFC ne voie pas qu'on ne vérifie pas les employés",
    ],
    "security_requirements": [
        "which seals do we need for PIP",
        "do we have to screen our employees",
        "is a fence required around the yard",
        "what cameras does the program expect",
        "quels scellés faut-il utiliser",
        "doit-on vérifier les antécédents des employés",
        "une clôture est-elle obligatoire",
        "faut-il des caméras de surveillance",
        "ISO standard for seals?",
        "norme ISO pour les scellés?",
    ],
    "cost": ["how much does PIP cost", "is there a fee", "combien coûte le PEP", "y a-t-il des frais"],
}
LOOKUPS = [
    {"name": "misleading_the_cbsa", "elements": ["so the cbsa doesn't find out", "cacher aux agents", "fudge"]},
    {"name": "declared_honesty", "elements": ["to be honest with you", "veut rien cacher", "don't want to fudge"]},
]


@pytest.fixture
def trained(tmp_path):
    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "model")
    embeddings = SentenceEmbeddingFeaturizer.create({"alias": "sentence_embedding"}, storage, Resource("e"), context)
    data = TrainingData(
        [Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts], lookup_tables=LOOKUPS
    )
    embeddings.process_training_data(data)
    config = {
        **CautiousIntentFirst.get_default_config(),
        "intent": "ask_to_mislead",
        "meaning_threshold": 0.5,
        "honesty_declared": "declared_honesty",
        "asks_phrases": "misleading_the_cbsa",
    }
    component = CautiousIntentFirst.create(config, storage, Resource("cautious"), context)
    component.train(data)
    return component, embeddings, (config, storage, context)


def ranked(embeddings, text, ranking):
    message = Message(data={"text": text})
    embeddings.process([message])
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return message


def test_an_ask_to_mislead_named_by_its_measure_comes_first_and_the_ranking_stays_in_order(trained):
    component, embeddings, _ = trained
    ask = "how do I word the personnel part so the CBSA doesn't find out we never screened him"
    message = ranked(embeddings, ask, [("security_requirements", 0.7), ("cost", 0.2), ("ask_to_mislead", 0.1)])
    meaning = component.meaning_probability(message)
    component.process([message])
    # understood as an ask as surely as the top topic was, or as the embedding classifier is
    assert message.get("intent") == {"name": "ask_to_mislead", "confidence": max(0.7, meaning)}
    assert message.get("intent_ranking")[1:] == [
        {"name": "cost", "confidence": 0.2},
        {"name": "security_requirements", "confidence": 0.1},
    ]


def test_an_ask_no_topic_was_sure_of_is_understood_as_an_ask(trained):
    # "not understood" would follow (the FallbackClassifier's 0.35); the reply on asks says why not and what to do
    component, embeddings, _ = trained
    ask = "can we borrow our sister company's cameras for the day of the visit and give them back after"
    message = ranked(embeddings, ask, [("security_requirements", 0.3), ("cost", 0.25), ("ask_to_mislead", 0.2)])
    component.process([message])
    assert message.get("intent")["name"] == "ask_to_mislead"
    assert message.get("intent")["confidence"] >= 0.5  # the embedding classifier's threshold in this test


def test_an_ask_ranked_first_but_unsure_takes_the_meaning_s_confidence(trained):
    # first, but under the FallbackClassifier's 0.35: "not understood" would follow
    component, embeddings, _ = trained
    ask = "on peut-tu emprunter les caméras de notre compagnie sœur pour la visite pis les remettre après"
    message = ranked(embeddings, ask, [("ask_to_mislead", 0.2), ("security_requirements", 0.18), ("cost", 0.1)])
    meaning = component.meaning_probability(message)
    assert meaning >= 0.5  # the embedding classifier's threshold in this test
    component.process([message])
    assert message.get("intent") == {"name": "ask_to_mislead", "confidence": meaning}
    assert message.get("intent_ranking")[1:] == [
        {"name": "security_requirements", "confidence": 0.18},
        {"name": "cost", "confidence": 0.1},
    ]


def test_an_honest_question_about_the_same_measure_keeps_its_answer(trained):
    component, embeddings, _ = trained
    for honest in ("do our seals have to meet the ISO standard", "nos scellés doivent-ils respecter une norme ISO"):
        # the classifier gives the ask some confidence (its examples name seals too): the meaning does not agree
        message = ranked(embeddings, honest, [("security_requirements", 0.8), ("ask_to_mislead", 0.12), ("cost", 0.08)])
        component.process([message])
        assert message.get("intent")["name"] == "security_requirements", honest


def test_a_question_that_declares_honesty_is_not_taken_for_an_ask_on_its_meaning_alone(trained):
    component, embeddings, _ = trained
    component.config["meaning_threshold"] = 0.0  # the meaning would put any ask first: the declaration decides
    for honest in (
        "The fence won't be finished before the visit. On veut rien cacher aux agents: what do we do?",
        "To be honest with you, the cameras are on backorder and the officers come next week, how do we handle it",
        "We don't want to fudge anything: our last shipment was five months ago, can we apply now?",
    ):
        message = ranked(embeddings, honest, [("security_requirements", 0.5), ("ask_to_mislead", 0.3), ("cost", 0.2)])
        component.process([message])
        assert message.get("intent")["name"] == "security_requirements", honest
    # a way to mislead named outside the declaration: an ask all the same
    for ask in (
        "To be honest with you, how do we word the profile so the CBSA doesn't find out?",
        "On veut rien cacher, mais comment on fait pour cacher aux agents la clôture brisée?",
    ):
        message = ranked(embeddings, ask, [("security_requirements", 0.5), ("ask_to_mislead", 0.3), ("cost", 0.2)])
        component.process([message])
        assert message.get("intent")["name"] == "ask_to_mislead", ask


def test_below_the_floor_nothing_moves_whatever_the_meaning(trained):
    component, embeddings, _ = trained
    ask = "help me fake the seal log so the officers never notice"
    message = ranked(embeddings, ask, [("security_requirements", 0.9), ("cost", 0.08), ("ask_to_mislead", 0.02)])
    assert component.meaning_probability(message) >= 0.5  # the meaning alone would flag it
    component.process([message])
    assert message.get("intent")["name"] == "security_requirements"


def test_a_stored_model_loads_back_the_same_and_an_untrained_one_moves_nothing(trained, tmp_path):
    component, embeddings, (config, storage, context) = trained
    loaded = CautiousIntentFirst.load(config, storage, Resource("cautious"), context)
    message = ranked(embeddings, "can we rent cameras just for the visit and return them after", [("cost", 1.0)])
    assert loaded.meaning_probability(message) == pytest.approx(component.meaning_probability(message))
    assert loaded.declares_honesty("to be honest with you, the fence is down")
    assert not loaded.declares_honesty("to be honest with you, how do we fudge the log")

    untrained = CautiousIntentFirst.load(config, storage, Resource("never_trained"), context)
    message = ranked(embeddings, "help me fake the seal log", [("security_requirements", 0.6), ("ask_to_mislead", 0.4)])
    untrained.process([message])
    assert message.get("intent")["name"] == "security_requirements"
    assert untrained.meaning_probability(message) is None
