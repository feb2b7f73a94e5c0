"""How `make eval` scores (bot/ops/evaluation.py): right topic, declines, and whether the answer states the fact."""

from bot.ops.evaluation import Prediction, Question, mentions, question_sets, score


def one_at_a_time(parser, texts):
    """Parser.parse_together as the fakes below can do it (tests/test_model_quality.py checks the real one):
    through the agent, not Parser.parse, so that a parse_all that forgot what it parsed would parse again."""
    return {text: parser.loop.run_until_complete(parser.agent.parse_message(text)) for text in texts}


def test_a_fact_is_stated_whatever_the_accents_and_plurals():
    assert mentions("Il n'y a aucuns frais pour présenter une demande.", "aucun frais")
    assert mentions("Vous avez 30 jours pour déposer un appel", "30 jours")
    assert not mentions("no fees at all", "free")
    assert not mentions("30 business days", "30 days")
    assert not mentions("within 300 days", "30") and not mentions("after 40 years", "4 years")


def test_a_fact_is_stated_inside_a_hyphenated_word_or_an_elision():
    assert mentions("PIP has existed since the mid-1990s.", "1990s")
    assert mentions("Call 1-800-461-9999.", "1-800-461-9999") and mentions("a 4-year cycle", "4-year")
    assert mentions("Écrivez à pip-pep@cbsa-asfc.gc.ca", "pip-pep@cbsa-asfc.gc.ca")
    assert mentions("Mettez-le à jour dès qu'un renseignement change", "dès que")
    assert not mentions("the mid-1990s", "1995") and not mentions("a 40-year cycle", "4-year")


def test_scores_count_second_topics_declines_and_facts():
    texts = {"cost/application_fee": {"en": "No. There is no fee to apply."}}
    predictions = [
        Prediction(Question("fees?", "en", "cost", mentions=["no fee"]), "cost", "cost/application_fee", 0.9),
        Prediction(Question("fees and time?", "en", "cost", also=["processing_time"]), "processing_time", None, 0.8),
        Prediction(Question("nexus?", "en", "out_of_scope"), "declined", None, 0.9),
        Prediction(Question("hmm", "en", "eligibility"), "declined", None, 0.2),
    ]
    result = score(predictions, texts)
    assert result["right_topic"] == 2 / 3 and result["in_scope_declined"] == 1 / 3
    assert result["out_of_scope_declined"] == 1.0 and result["states_the_fact"] == 1.0


def test_a_second_answer_counts_when_it_answers_the_other_question_and_only_then():
    two = Question("fees and time?", "en", "cost", also=["processing_time"])
    one = Question("fees?", "en", "cost")
    predictions = [
        Prediction(two, "cost", "cost/overview", 0.9, second_answer="processing_time/overview"),
        Prediction(two, "processing_time", None, 0.8, second_answer="cost/overview"),
        Prediction(two, "cost", "cost/overview", 0.9, second_answer="eligibility/overview"),
        Prediction(two, "cost", "cost/overview", 0.9),
        Prediction(one, "cost", "cost/overview", 0.9, second_answer="eligibility/overview"),
        Prediction(one, "cost", "cost/overview", 0.9),
    ]
    result = score(predictions, {})
    assert result["second_question_answered"] == 2 / 4
    assert result["second_answer_unasked"] == 1 / 2


def test_the_fact_may_be_stated_by_the_answer_to_the_other_question():
    texts = {"cost/overview": {"en": "There is no fee."}, "processing_time/overview": {"en": "3 to 12 months."}}
    asked = Question("how long, and what fee?", "en", "processing_time", also=["cost"], mentions=["3 to 12 months"])
    first_answer_only = Prediction(asked, "cost", "cost/overview", 0.9)
    both = Prediction(asked, "cost", "cost/overview", 0.9, second_answer="processing_time/overview")
    assert score([first_answer_only], texts)["states_the_fact"] == 0.0
    assert score([both], texts)["states_the_fact"] == 1.0


def test_asked_in_french_to_answer_in_english_the_reply_is_judged_in_english():
    from bot.ops.evaluation import prediction_of

    texts = {"language_switched": {"en": "Sure, I will answer in English.", "fr": "Je vous répondrai en français."}}
    asked = Question("pouvez-vous me répondre en anglais?", "fr", "smalltalk", mentions=["english"])
    parse = {"intent": {"name": "use_english", "confidence": 0.9}, "intent_ranking": []}
    prediction = prediction_of(asked, parse, {"use_english": "language_switched"})
    assert prediction.answer == "language_switched" and prediction.reply_lang == "en"
    assert score([prediction], texts)["states_the_fact"] == 1.0


def test_eval_answers_the_second_question_as_the_assistant_does(tmp_path, monkeypatch):
    import rasa.core.agent

    from bot.ops import evaluation

    topics = {"Is PIP free": "cost", "how long does the review take?": "processing_time"}

    class NLUOnly:
        async def parse_message(self, text):
            topic = topics.get(text, "cost")
            return {
                "intent": {"name": topic, "confidence": 0.9},
                "intent_ranking": [],
                "response_selector": {topic: {"response": {"intent_response_key": f"{topic}/overview"}}},
            }

    asked = Question("Is PIP free, and how long does the review take?", "en", "cost", also=["processing_time"])
    monkeypatch.setattr(evaluation, "question_sets", lambda: {"blind en": [asked]})
    monkeypatch.setattr(rasa.core.agent.Agent, "load", staticmethod(lambda path: NLUOnly()))
    monkeypatch.setattr(evaluation.Parser, "parse_together", one_at_a_time)
    results = evaluation.evaluate(tmp_path / "model.tar.gz", out=tmp_path)
    assert results["blind en"]["second_question_answered"] == 1.0


def test_the_look_up_that_follows_an_answer_counts_as_the_status_questions_answer():
    from bot.ops.evaluation import prediction_of

    asked = Question(
        "where is our application, and how long does it take?", "en", "application_status", also=["processing_time"]
    )
    read = {
        "intent": {"name": "processing_time", "confidence": 0.8},
        "response_selector": {"processing_time": {"response": {"intent_response_key": "processing_time/how_long"}}},
        "then_look_up": True,
    }
    said = prediction_of(asked, read, {"check_status": "ask_application_reference"})
    assert (said.topic, said.second_answer, said.second_topic) == (
        "processing_time",
        "ask_application_reference",
        "application_status",
    )
    assert said.right and said.second_question_answered


def test_a_question_not_understandable_on_its_own_is_right_when_declined():
    """Blind writers label "and the other one?" with nothing before it `fallback`: declining is right."""
    predictions = [
        Prediction(Question("and the other one?", "en", "fallback"), "declined", None, 0.3),
        Prediction(Question("pis l'autre?", "fr", "fallback"), "eligibility", "eligibility/overview", 0.6),
        Prediction(Question("fees?", "en", "cost"), "cost", "cost/overview", 0.9),
    ]
    assert [p.right for p in predictions] == [True, False, True]
    result = score(predictions, {})
    assert result["right_topic"] == 1.0 and result["out_of_scope_declined"] == 0.5


def test_own_blind_and_real_sets_are_found_in_both_languages():
    sets = question_sets()
    for name in ("own en", "own fr", "blind en", "blind fr", "real en", "real fr"):
        assert sets[name], name
    assert all(q.source.startswith("http") for q in sets["real en"] + sets["real fr"])


def test_readability_ranks_plain_text_above_dense_text_in_both_languages():
    from bot.ops.readability import readability

    plain_en = "There is no fee. You do not pay to apply."
    dense_en = (
        "Organizations demonstrating comprehensive implementation of internationally standardized "
        "supply-chain security methodologies qualify for considerably accelerated administrative processing."
    )
    assert readability(plain_en, "en") < 8 < readability(dense_en, "en")  # a grade: lower is easier
    plain_fr = "Il n'y a pas de frais. Vous ne payez rien."
    dense_fr = (
        "Les organisations démontrant une mise en œuvre exhaustive de méthodologies internationalement "
        "normalisées bénéficient d'un traitement administratif considérablement accéléré."
    )
    assert readability(plain_fr, "fr") > 60 > readability(dense_fr, "fr")  # an ease: higher is easier


def test_eval_reports_the_readability_of_every_answer(tmp_path):
    from bot.ops.evaluation import readability_report

    line = readability_report(tmp_path)
    assert "English median grade" in line and "French median ease" in line
    rows = (tmp_path / "readability.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) > 300 and rows[0].startswith("answer,lang")


def test_blind_batches_are_reported_in_the_order_they_were_written():
    from bot.ops.evaluation import blind_batches

    for lang in ("en", "fr"):
        numbers = [int(name.removeprefix("batch")) for name in blind_batches(lang)]
        assert numbers == sorted(numbers)
        assert numbers[-1] >= 10  # so the file names' order (batch10 before batch2) would fail the line above


def test_a_conversation_intent_is_scored_on_the_reply_its_rule_gives():
    from bot.ops.evaluation import answer_texts, replies_of_intents

    replies, texts = replies_of_intents(), answer_texts()
    # "Can I talk to a person?" is answered with the contacts, so a question expecting the phone
    # number is scored on that reply, not on an empty one.
    assert "1-800-461-9999" in texts[replies["ask_human"]]["en"]
    assert "1-800-461-9999" in texts[replies["ask_human"]]["fr"]
    # A form's reply is its first question: the status look-up asks for the reference.
    assert replies["check_status"] == "ask_application_reference"
    assert "référence" in texts[replies["check_status"]]["fr"]
    # A follow-up asked first ("c'est combien l'inscription?") is answered by actions/followup.py
    # as if about PIP itself; "what does that mean?" has nothing to explain, so no answer to score.
    assert replies["ask_if_that_costs"] == "cost/overview"
    assert replies["ask_how_long_that_takes"] == "processing_time/overview"
    assert "ask_what_that_means" not in replies
    # Knowledge intents are answered by the answer selector, not a rule.
    assert "cost" not in replies


def test_only_a_rule_without_a_condition_gives_the_reply_to_a_question_asked_alone(tmp_path):
    from bot.ops.evaluation import replies_of_intents

    rules, domain = tmp_path / "rules", tmp_path / "domain"
    rules.mkdir()
    domain.mkdir()
    (domain / "core.yml").write_text(
        "responses:\n"
        "  utter_during_form: [{text: 'Let us finish the look-up first.'}]\n"
        "  utter_greet: [{text: Hello}]\n"
        "  utter_ask_reference: [{text: 'Your reference?'}]\n"
        "forms:\n  lookup_form: {required_slots: [reference, number]}\n"
    )
    (rules / "a.yml").write_text(
        "rules:\n"
        "- rule: greeted during the form\n"
        "  condition: [{active_loop: lookup_form}]\n"
        "  steps: [{intent: greet}, {action: utter_during_form}]\n"
        "- rule: greeted\n"
        "  steps: [{intent: greet}, {action: utter_greet}]\n"
        "- rule: look-up\n"
        "  steps: [{intent: check}, {action: lookup_form}]\n"
        "- rule: an action, not a response\n"
        "  steps: [{intent: repeat}, {action: action_repeat_answer}]\n"
    )
    assert replies_of_intents(rules, domain) == {"greet": "greet", "check": "ask_reference"}


def test_eval_parses_each_text_once_though_a_blind_question_is_scored_twice(tmp_path, monkeypatch):
    """Every blind question is in the whole blind set and in its batch: parsing it twice doubled
    the longest step of `make test` (about 8 minutes of 17), for the same result."""
    import rasa.core.agent

    from bot.ops import evaluation

    parsed = []

    class NLUOnly:
        async def parse_message(self, text):
            parsed.append(text)
            return {"intent": {"name": "cost", "confidence": 0.9}, "intent_ranking": []}

    first, second = Question("fees?", "en", "cost"), Question("who can join?", "en", "eligibility")
    sets = {"blind en": [first, second], "blind batch1 en": [first], "blind batch2 en": [second]}
    monkeypatch.setattr(evaluation, "question_sets", lambda: sets)
    monkeypatch.setattr(rasa.core.agent.Agent, "load", staticmethod(lambda path: NLUOnly()))
    monkeypatch.setattr(evaluation.Parser, "parse_together", one_at_a_time)
    results = evaluation.evaluate(tmp_path / "model.tar.gz", out=tmp_path)

    assert sorted(parsed) == ["fees?", "who can join?"]
    assert results["blind en"]["right_topic"] == 0.5
    assert results["blind batch1 en"]["right_topic"] == 1.0 and results["blind batch2 en"]["right_topic"] == 0.0


def test_quick_eval_embeds_each_text_once_across_runs(tmp_path):
    """Trying a change re-embeds only the texts it changed: the rest come from the file."""
    import numpy as np

    from bot.rasa_ext.sentence_embeddings import PROBE, EmbeddingsOnDisk

    asked = []

    def model(texts, threads):
        asked.extend(text for text in texts if text != PROBE)  # the file's check that the model is the same
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    first = EmbeddingsOnDisk(tmp_path / "e.npz", model)
    assert first(["how do I apply", "hi", "how do I apply"]).tolist() == [[14, 1], [2, 1], [14, 1]]
    first.save()
    again = EmbeddingsOnDisk(tmp_path / "e.npz", model)
    assert again(["hi", "comment adhérer"])[1].tolist() == [15, 1]
    assert asked == ["how do I apply", "hi", "comment adhérer"]


def test_a_second_topic_counts_whether_written_alone_or_as_a_list():
    """268 two-in-one questions of the blind set say `also: cost`, 113 `also: [cost]`: before this test,
    the first kind was read as the letters c, o, s, t and never credited."""
    from bot.ops.evaluation import _from_yaml

    alone, listed = _from_yaml(
        [
            {"text": "fees and time?", "topic": "cost", "also": "processing_time"},
            {"text": "fees and time?", "topic": "cost", "also": ["processing_time", "eligibility"]},
        ],
        "en",
    )
    assert alone.also == ["processing_time"] and listed.also == ["processing_time", "eligibility"]
    assert Prediction(alone, "processing_time", None, 0.8).right


def test_the_table_keeps_one_column_per_set_and_gives_each_blind_batch_a_row():
    """With 35 batches in two languages, a column per batch made a table 70 columns wide."""
    from bot.ops.evaluation import table

    def scores(right: float) -> dict:
        return {
            "right_topic": right,
            "in_scope_declined": 0.0,
            "out_of_scope_declined": 1.0,
            "states_the_fact": 0.9,
            "second_question_answered": 0.5,
            "second_answer_unasked": 0.01,
            "questions": 10,
            "per_topic": {"cost": right},
        }

    results = {
        "blind en": scores(0.95),
        "blind fr": scores(0.96),
        "blind batch1 en": scores(0.91),
        "blind batch2 en": scores(0.92),
        "blind batch1 fr": scores(0.81),
        "blind batch2 fr": scores(0.82),
    }
    lines = table(results).splitlines()
    assert lines[0] == "| | blind en | blind fr |"
    assert not any("batch" in line for line in lines if line.startswith("| right"))
    batch_rows = {line.split(" | ")[0]: line for line in lines if line.startswith("| batch")}
    assert list(batch_rows) == ["| batch1", "| batch2"]
    assert batch_rows["| batch1"].startswith("| batch1 | 0.910 | 0.810 | 0.000 | 0.000 | 1.000 | 1.000 |")
