"""The rasa-sdk action server: actions, forms, database models and queries."""

from bot.log_privacy import install as _mask_personal_data_in_logs

_mask_personal_data_in_logs()
