"""The topic classifier's parts (bot/rasa_ext/sentence_embeddings.py, linear_classifier.py):
a question worded unlike any example still finds its topic, in English and French, with a
probability the FallbackClassifier can judge, and a stored model loads back the same."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_ext.linear_classifier import LinearTopicClassifier
from bot.rasa_ext.nlu import FEW_KNOWN_WORDS
from bot.rasa_ext.sentence_embeddings import SentenceEmbeddingFeaturizer, embed

EXAMPLES = {
    "cost": [
        "how much does PIP cost",
        "is there a fee to join",
        "what is the price of membership",
        "do we pay anything for partners in protection",
        "combien coûte le PEP",
        "y a-t-il des frais d'adhésion",
        "est-ce que c'est payant",
        "quel est le prix pour devenir membre",
    ],
    "eligibility": [
        "who can join PIP",
        "can a customs broker become a member",
        "is my trucking company eligible",
        "do warehouses qualify for the program",
        "qui peut adhérer au PEP",
        "un courtier en douane peut-il devenir membre",
        "mon entreprise de camionnage est-elle admissible",
        "les entrepôts sont-ils admissibles",
    ],
    "greet": [
        "hello",
        "hi there",
        "good morning",
        "hey",
        "bonjour",
        "salut",
        "allô",
        "bonsoir",
    ],
}


def test_the_embedding_places_a_question_nearer_its_translation_than_another_topic():
    english, french, other = embed(["who can join the program", "qui peut adhérer au programme", "hello there"])
    assert english.shape == (384,)
    assert np.isclose(np.linalg.norm(english), 1.0, atol=1e-3)
    assert english @ french > english @ other


def _featurizers(storage, context):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    words = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "alias": "words"}, storage, Resource("words"), context
    )
    embeddings = SentenceEmbeddingFeaturizer.create(
        {"alias": "sentence_embedding"}, storage, Resource("embeddings"), context
    )
    return tokenizer, words, embeddings


@pytest.fixture
def storage_and_context(tmp_path):
    """Where a component stores what it learned, and the graph it runs in: what Rasa gives each one."""
    return LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "model")


def load_untrained(component, storage_and_context):
    """The component loaded from a resource it never stored: a model whose training skipped it."""
    storage, context = storage_and_context
    return component.load(component.get_default_config(), storage, Resource("never-trained"), context)


@pytest.fixture
def trained(storage_and_context):
    return train_on_examples(storage_and_context)


def train_on_examples(storage_and_context, **settings):
    storage, context = storage_and_context
    data = TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )
    tokenizer, words, embeddings = _featurizers(storage, context)
    tokenizer.process_training_data(data)
    words.train(data)
    words.process_training_data(data)
    embeddings.process_training_data(data)
    resource = Resource("topics")
    config = {**LinearTopicClassifier.get_default_config(), "calibration_folds": 2, **settings}
    classifier = LinearTopicClassifier.create(config, storage, resource, context)
    classifier.train(data)
    # Each featurizer is a block of its own: tf-idf weighted words beside the embedding.
    assert classifier.blocks == {"sentence_embedding": "dense", "words": "sparse"}

    def classify(text, loaded=False):
        message = Message(data={"text": text})
        tokenizer.process([message])
        words.process([message])
        embeddings.process([message])
        model = LinearTopicClassifier.load(config, storage, resource, context) if loaded else classifier
        model.process([message])
        return message

    return classify


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("what are the membership fees", "cost"),
        ("faut-il payer pour être membre", "cost"),
        ("are freight forwarders allowed in the program", "eligibility"),  # two known words: see below
        ("les transitaires peuvent-ils participer", "eligibility"),
    ],
)
def test_a_question_worded_unlike_the_examples_finds_its_topic(trained, question, topic):
    assert trained(question).get("intent")["name"] == topic


def test_the_ranking_holds_every_topic_with_probabilities_that_sum_to_one(trained):
    message = trained("how much does it cost")
    ranking = message.get("intent_ranking")
    assert [row["name"] for row in ranking][0] == "cost"
    assert {row["name"] for row in ranking} == set(EXAMPLES)
    assert sum(row["confidence"] for row in ranking) == pytest.approx(1.0)
    assert message.get("intent") == ranking[0]


def test_a_stored_classifier_loads_back_and_answers_the_same(trained):
    fresh = trained("is there a fee to join", loaded=False).get("intent_ranking")
    loaded = trained("is there a fee to join", loaded=True).get("intent_ranking")
    assert [row["name"] for row in loaded] == [row["name"] for row in fresh]
    assert loaded[0]["confidence"] == pytest.approx(fresh[0]["confidence"])


def test_an_untrained_classifier_gives_no_topic_and_the_fallback_declines(storage_and_context):
    storage, context = storage_and_context
    classifier = load_untrained(LinearTopicClassifier, storage_and_context)
    message = Message(data={"text": "hello"})
    classifier.process([message])
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    fallback = FallbackClassifier.create(
        {**FallbackClassifier.get_default_config(), "threshold": 0.35}, storage, Resource("fallback"), context
    )
    fallback.process([message])
    assert message.get("intent")["name"] == "nlu_fallback"


def test_gibberish_with_no_known_word_gets_no_topic_whatever_its_letters_suggest(trained):
    # Character n-grams and the embedding always point somewhere; "qwzx blorp" should be
    # "not understood" (a clarifying question, then a person), not a topic or out-of-scope.
    message = trained("qwzx blorp vrrt")
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get(FEW_KNOWN_WORDS)  # its detected language is a guess too (bot/rasa_ext/nlu.py)
    assert trained("qwzx fee").get("intent")["name"] == "cost"  # one known word is enough in two
    assert not trained("qwzx fee").get(FEW_KNOWN_WORDS)


def test_one_known_word_among_gibberish_does_not_decide_the_topic(trained):
    # "asdkjh qwe pip pip lolz" went to program_overview on "pip" alone.
    assert trained("qwzx fee blorp vrrt").get("intent") == {"name": None, "confidence": 0.0}
    assert trained("qwzx fee blorp vrrt").get(FEW_KNOWN_WORDS)
    assert trained("qwzx fee fee blorp").get("intent") == {"name": None, "confidence": 0.0}  # the same word twice
    assert trained("what are the fees").get("intent")["name"] == "cost"  # several known words
    assert trained("the fee blorp").get("intent")["name"] == "cost"


def test_the_nearest_examples_by_meaning_have_their_say(storage_and_context):
    # Only the nearest examples (weight 1): the topic is that of the examples nearest in meaning,
    # whatever the words; and it is stored with the model.
    nearest = train_on_examples(storage_and_context, nearest_block="sentence_embedding", nearest_weight=1.0)
    for loaded in (False, True):
        ranking = nearest("combien ça coûte pour adhérer au PEP", loaded=loaded).get("intent_ranking")
        assert ranking[0]["name"] == "cost"
        assert sum(row["confidence"] for row in ranking) == pytest.approx(1.0)
        # Five neighbours vote, none of them a greeting: a share the SVM never gives.
        assert {row["name"]: row["confidence"] for row in ranking}["greet"] == 0.0
    # A tenth of the say (the configuration's): the SVM's ranking, moved towards the nearest.
    svm = train_on_examples(storage_and_context)("is my company allowed to join").get("intent_ranking")
    blend = train_on_examples(storage_and_context, nearest_block="sentence_embedding", nearest_weight=0.1)
    blended = blend("is my company allowed to join").get("intent_ranking")
    assert blended[0]["name"] == svm[0]["name"] == "eligibility"
    assert blended[0]["confidence"] != pytest.approx(svm[0]["confidence"])


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"nearest_block": "words"}, "not a dense"),
        ({"nearest_examples": 0}, "at least 1"),
        ({"nearest_temperature": 0}, "above 0"),
        ({"nearest_weight": 1.5}, "between 0 and 1"),
    ],
)
def test_wrong_nearest_settings_are_refused_before_training(storage_and_context, settings, complaint):
    with pytest.raises(ValueError, match=complaint):
        train_on_examples(storage_and_context, **{"nearest_block": "sentence_embedding", **settings})


ANSWERS = {
    "cost/application_fee": [
        "is there a fee to apply",
        "does the application cost anything",
        "y a-t-il des frais pour faire la demande",
        "la demande est-elle payante",
    ],
    "cost/fast_card_fee": [
        "how much is a FAST card for a driver",
        "what does the driver card cost",
        "combien coûte la carte EXPRES",
        "la carte du chauffeur est-elle payante",
    ],
    "eligibility/brokers": [
        "can a customs broker join",
        "are brokers eligible",
        "un courtier en douane peut-il adhérer",
        "les courtiers sont-ils admissibles",
    ],
}


def test_the_answer_selector_picks_the_specific_answer_and_the_topic_keeps_it(storage_and_context):
    from bot.rasa_ext.answer_selection import TopicAnswerSelector
    from bot.rasa_ext.linear_classifier import LinearAnswerSelector

    storage, context = storage_and_context
    data = TrainingData(
        [
            Message(data={"text": text, "intent": answer.split("/")[0], "intent_response_key": answer})
            for answer, texts in ANSWERS.items()
            for text in texts
        ]
        + [Message(data={"text": text, "intent": "greet"}) for text in EXAMPLES["greet"]]
    )
    tokenizer, words, embeddings = _featurizers(storage, context)
    for step in (tokenizer.process_training_data, words.train, words.process_training_data):
        step(data)
    embeddings.process_training_data(data)
    config = {"calibration_folds": 2}
    topics = LinearTopicClassifier.create(
        {**LinearTopicClassifier.get_default_config(), **config}, storage, Resource("topics"), context
    )
    answers = LinearAnswerSelector.create(
        {**LinearAnswerSelector.get_default_config(), **config}, storage, Resource("answers"), context
    )
    topics.train(data)
    answers.train(data)  # greetings have no answer id: only the three answers are labels
    merge = TopicAnswerSelector({"topic_weight": 1.0})

    message = Message(data={"text": "what does a driver pay for the FAST card"})
    for component in (tokenizer, words, embeddings, topics, answers, merge):
        component.process([message])

    ranked = message.get("response_selector")["default"]["ranking"]
    assert {row["intent_response_key"] for row in ranked} == set(ANSWERS)
    assert sum(row["confidence"] for row in ranked) == pytest.approx(1.0)
    assert message.get("intent")["name"] == "cost"
    # Rasa's `utter_cost` retrieval action reads the topic's own entry.
    chosen = message.get("response_selector")["cost"]["response"]
    assert chosen["intent_response_key"] == "cost/fast_card_fee"
    assert chosen["utter_action"] == "utter_cost/fast_card_fee"


def test_an_untrained_answer_selector_ranks_nothing_and_picks_no_answer(storage_and_context):
    from bot.rasa_ext.linear_classifier import LinearAnswerSelector

    selector = load_untrained(LinearAnswerSelector, storage_and_context)
    message = Message(data={"text": "how much is a FAST card"})
    selector.process([message])
    selected = message.get("response_selector")
    assert selected["default"]["ranking"] == []
    assert selected["default"]["response"]["utter_action"] is None


@pytest.mark.parametrize("labels", [3, 7])
def test_the_fast_probabilities_are_exactly_scikit_learns(labels):
    # Every message is ranked with CalibratedProbabilities rather than scikit-learn's per-label
    # loop: a different number here would move every threshold and every score in docs/evaluation.md.
    import scipy.sparse
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    from bot.rasa_ext.linear_classifier import CalibratedProbabilities

    rng = np.random.default_rng(labels)
    features = scipy.sparse.random(40 * labels, 300, density=0.05, format="csr", random_state=labels)
    names = np.array([f"topic_{i}" for i in range(labels)])[rng.integers(0, labels, 40 * labels)]
    calibrated = CalibratedClassifierCV(LinearSVC(random_state=0), cv=3, method="sigmoid").fit(features, names)
    questions = scipy.sparse.random(25, 300, density=0.05, format="csr", random_state=99)
    fast = CalibratedProbabilities(calibrated)
    assert list(fast.classes_) == list(calibrated.classes_)
    assert np.array_equal(fast.predict_proba(questions), calibrated.predict_proba(questions))
    # and a message's row, given by its entries, as the server ranks it
    for number in range(questions.shape[0]):
        row = questions[number]
        one = fast.predict_proba_one(row.indices, row.data, row.shape[1])
        assert np.allclose(one, calibrated.predict_proba(row)[0], rtol=0, atol=1e-12)


def test_a_message_s_features_are_those_training_made(storage_and_context):
    # Each message is featurized by a short path of its own (_row); a feature weighted differently from
    # training's (_matrix: scikit-learn's tf-idf, SciPy's stacking) would shift every probability.
    # As in config.yml: words, character n-grams and the embedding; here with an embedding weight of 0.7.
    from bot.rasa_ext.linear_classifier import sentence_blocks

    storage, context = storage_and_context
    tokenizer, words, embeddings = _featurizers(storage, context)
    characters = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "alias": "characters", "analyzer": "char_wb", "max_ngram": 4},
        storage,
        Resource("characters"),
        context,
    )
    featurizers = [words, characters]
    data = TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )
    tokenizer.process_training_data(data)
    for featurizer in featurizers:
        featurizer.train(data)
        featurizer.process_training_data(data)
    embeddings.process_training_data(data)
    config = {**LinearTopicClassifier.get_default_config(), "calibration_folds": 2, "dense_weight": 0.7}
    classifier = LinearTopicClassifier.create(config, storage, Resource("topics"), context)
    classifier.train(data)
    assert set(classifier.blocks) == {"characters", "sentence_embedding", "words"}
    for text in [
        "how much does it cost",
        "y a-t-il des frais, des frais de quoi",
        "a fee to join, a fee, what fee",
        "qwzx",
    ]:
        message = Message(data={"text": text})
        tokenizer.process([message])
        for featurizer in [*featurizers, embeddings]:
            featurizer.process([message])
        blocks = sentence_blocks(message)
        fast, reference = classifier._row(blocks), classifier._matrix([blocks])
        assert fast.shape == reference.shape
        assert fast.nnz == reference.nnz
        assert np.allclose(fast.toarray(), reference.toarray(), rtol=0, atol=1e-12)
