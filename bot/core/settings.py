"""Configuration, from environment variables (see README, "Configuration")."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.paths import VAR

SECRETS_FILE = VAR / "secrets.env"


def _rate(value: str) -> tuple[int, float]:
    """ "20/60" means 20 requests per 60 seconds."""
    count, _, seconds = value.partition("/")
    return int(count), float(seconds or 60)


def load_secrets(path: Path = SECRETS_FILE) -> dict[str, str]:
    """Reads KEY=value lines written by `ensure_secrets`."""
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


# GATEWAY_SECRET: the gateway proves itself to Rasa's channel. SIGNING_SECRET: the gateway
# signs the session cookies it issues and what it asserts to the action server (bot/core/signing.py).
GENERATED_SECRETS = ("GATEWAY_SECRET", "SIGNING_SECRET")


def ensure_secrets(path: Path = SECRETS_FILE) -> dict[str, str]:
    """Creates the local secrets file, or adds the secrets it lacks (never in the repository)."""
    values = load_secrets(path)
    missing = [name for name in GENERATED_SECRETS if name not in values]
    if missing:
        values.update({name: secrets.token_urlsafe(32) for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        path.chmod(0o600)
    return values


def env(name: str, default: str) -> str:
    return os.environ.get(name) or load_secrets().get(name) or default


def rasa_urls() -> tuple[str, ...]:
    """RASA_URLS (comma-separated) for several servers, else the one on RASA_PORT."""
    urls = tuple(u.strip().rstrip("/") for u in env("RASA_URLS", "").split(",") if u.strip())
    return urls or (f"http://127.0.0.1:{env('RASA_PORT', '5005')}",)


@dataclass(frozen=True)
class Settings:
    host: str = field(default_factory=lambda: env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(env("PORT", "8000")))
    rasa_servers: tuple[str, ...] = field(default_factory=rasa_urls)  # one, or several (scale-out)
    gateway_secret: str = field(default_factory=lambda: env("GATEWAY_SECRET", ""))
    signing_secret: str = field(default_factory=lambda: env("SIGNING_SECRET", ""))
    rasa_timeout: float = field(default_factory=lambda: float(env("RASA_TIMEOUT", "20")))
    max_message_chars: int = field(default_factory=lambda: int(env("MAX_MESSAGE_CHARS", "2000")))
    max_request_bytes: int = field(default_factory=lambda: int(env("MAX_REQUEST_BYTES", "16384")))
    session_rate: tuple[int, float] = field(default_factory=lambda: _rate(env("RATE_LIMIT_SESSION", "30/60")))
    address_rate: tuple[int, float] = field(default_factory=lambda: _rate(env("RATE_LIMIT_ADDRESS", "300/60")))
    database_url: str = field(default_factory=lambda: env("DATABASE_URL", ""))
    agent_idle_minutes: float = field(default_factory=lambda: float(env("AGENT_IDLE_MINUTES", "30")))
    production: bool = field(default_factory=lambda: env("TTA_ENV", "development") == "production")
    # Behind our reverse proxy: client addresses come from X-Forwarded-For (its last entry).
    trust_proxy: bool = field(default_factory=lambda: env("TRUST_PROXY", "false").lower() == "true")
    # Secure cookies by default in production (TLS at the reverse proxy).
    secure_cookies: bool = field(
        default_factory=lambda: (
            env("SECURE_COOKIES", "true" if env("TTA_ENV", "") == "production" else "false").lower() == "true"
        )
    )
