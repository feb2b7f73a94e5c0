"""The rasa-sdk action server: actions and forms only (the database is bot/store, texts are in the domain)."""

from bot.core.log_privacy import install as _mask_personal_data_in_logs

_mask_personal_data_in_logs()
