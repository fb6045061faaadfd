"""Settings: the one place that reads the environment (variables prefixed QMS_)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QMS_", extra="ignore")

    data_dir: Path = Field(default=Path("var"))
    database_url: str | None = None
    secret_key: str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    lang: Literal["vi", "en"] = "vi"
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "qms@localhost"
    scheduler: Literal["on", "off"] = "off"
    reminder_hour: int = Field(default=7, ge=0, le=23)

    organisation: str = "Văn phòng Ủy ban nhân dân tỉnh"
    base_url: str = "http://127.0.0.1:8000"
    session_idle_minutes: int = Field(default=120, ge=1)
    upload_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    effectiveness_check_days: int = Field(default=30, ge=0)
    # argon2id parameters: "recommended" is pwdlib's (64 MiB, t=3); "fast" keeps argon2id
    # with small parameters for test suites and benchmarks that create many users.
    password_hashing: Literal["recommended", "fast"] = "recommended"
    login_max_failures: int = Field(default=5, ge=1)
    # Seconds a PDF record may take to render before its rendering process is stopped and
    # the reader told to try again (nothing is kept from a stopped render).
    pdf_timeout: float = Field(default=120, gt=0, le=3600)
    # The organisation's signing certificate and key (PKCS#12) for the kept PDF records;
    # unset: signing.p12 in the data directory, made once (qms.reports.signing).
    signing_p12: Path | None = None
    signing_password: SecretStr | None = None
    # A time-stamp authority (RFC 3161) for PAdES B-T signatures; unset: B-B.
    tsa_url: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql+psycopg://")):
            raise ValueError("use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        return value

    @field_validator("tsa_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("use an http:// or https:// URL of an RFC 3161 time-stamp service")
        return value

    @field_validator("signing_p12", "signing_password", mode="before")
    @classmethod
    def _blank_path_is_unset(cls, value):
        return value or None

    @field_validator("smtp_host", "database_url", "secret_key", "tsa_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self) -> date:
        """Today in the office's time zone (not UTC's: from 17:00 UTC it is already
        tomorrow in Vietnam)."""
        return datetime.now(self.tz).date()

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'qms.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    def prepare(self, *, check_signing: bool = True) -> Settings:
        """Create the data directory and settle the secret key (kept in the data dir); check
        that a configured signing certificate opens (SettingsError naming the variable)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.files_dir.mkdir(exist_ok=True)
        if not self.secret_key:
            key_file = self.data_dir / "secret_key"
            if not key_file.exists():
                key_file.write_text(secrets.token_urlsafe(48))
                key_file.chmod(0o600)
            self.secret_key = key_file.read_text().strip()
        if check_signing:
            from qms.reports import signing

            signing.check(self)
        return self


class SettingsError(Exception):
    """A wrong QMS_* value, phrased as one line naming the variable."""


def load_settings(*, check_signing: bool = True, **overrides) -> Settings:
    try:
        return Settings(**overrides).prepare(check_signing=check_signing)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "QMS_" + str(first["loc"][0]).upper() if first["loc"] else "QMS_*"
        raise SettingsError(f"{name}: {first['msg']}") from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
