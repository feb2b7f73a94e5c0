"""An answer's id is `<topic>/<name>` (`cost/fast_card_fee`), its response `utter_<id>`; every
topic has a broad answer, `<topic>/overview`. Read by the NLU (a model input) and the actions."""

OVERVIEW = "overview"


def topic_of(answer_id: str) -> str:
    return answer_id.split("/", 1)[0]


def overview_of(topic: str) -> str:
    return f"{topic}/{OVERVIEW}"
