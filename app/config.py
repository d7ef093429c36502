"""Settings from the environment (prefix CNN_). Every limit lives here, with a sensible default."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CNN_")

    data_dir: str = "data"
    # Model size limits for /api/shapes: far beyond any classic model, small enough to answer instantly.
    max_layers: int = 256
    max_input_rank: int = 4
    max_input_dim: int = 65_536
    max_param_value: int = 1_000_000


@lru_cache
def get_settings() -> Settings:
    return Settings()
