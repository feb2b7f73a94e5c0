"""Masks business numbers, e-mail addresses and phone numbers in every log record each
of the three processes creates (Rasa's debug logs quote what people type).

A log record factory rather than a handler filter: it covers every logger and every
handler, including those configured after it is installed (Sanic's, for one).
"""

from __future__ import annotations

import logging

from bot.core.privacy import mask


def mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is left for logging to report
        return
    masked = mask(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text, so the traceback is written masked too.
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))


def install() -> None:
    """Idempotent: wraps the current record factory once."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_personal_data", False):
        return

    def masking_factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        mask_record(record)
        return record

    masking_factory.masks_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
