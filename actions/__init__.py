"""The rasa-sdk action server: actions and forms only (the database is bot/store, texts are in the domain)."""

from bot.core.log_privacy import install as _mask_personal_data_in_logs

_mask_personal_data_in_logs()

# At start, not at the first look-up: reading the domain takes seconds (actions/domain.py).
from actions.domain import loaded_domain as _read_the_domain  # noqa: E402

_read_the_domain()
