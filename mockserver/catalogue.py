"""The model and provider catalogue from ``fixtures/``: what the mock can serve and price."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from mockserver.resources import fixtures_dir

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Model:
    model_id: str
    name: str
    organisation_id: str
    release_date: str
    status: str
    providers: tuple[str, ...]
    endpoints: tuple[str, ...]
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]
    context_length: int
    pricing: dict[str, str]
    speed: dict[str, float]
    embedding_dimensions: int | None = None
    aliases: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def primary_provider(self) -> str:
        return self.providers[0]


@dataclass
class Catalogue:
    models: dict[str, Model]
    providers: dict[str, dict[str, Any]]
    organisations: dict[str, dict[str, Any]]

    def get(self, model_id: str) -> Model | None:
        found = self.models.get(model_id)
        if found is None:
            for model in self.models.values():
                if model_id in model.aliases or model_id == model.model_id.split("/", 1)[-1]:
                    return model
        return found

    def ids(self) -> list[str]:
        return list(self.models)

    def serving(self, endpoint: str) -> list[Model]:
        return [model for model in self.models.values() if endpoint in model.endpoints]


def _model(entry: dict[str, Any]) -> Model:
    known = set(Model.__dataclass_fields__) - {"extra"}
    values = {key: entry[key] for key in known if key in entry}
    for key in ("providers", "endpoints", "input_types", "output_types", "aliases"):
        values[key] = tuple(values.get(key, ()))
    values.setdefault("pricing", {})
    values.setdefault("speed", {"ttft_ms": 400, "tokens_per_second": 80})
    values.setdefault("context_length", 0)
    values["extra"] = {key: value for key, value in entry.items() if key not in known}
    return Model(**values)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    root = fixtures_dir()
    models_doc = yaml.load((root / "models.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    providers_doc = yaml.load((root / "providers.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    organisations_path = root / "organisations.yaml"
    organisations_doc = (
        yaml.load(organisations_path.read_text(encoding="utf-8"), Loader=_Loader)
        if organisations_path.exists()
        else {"organisations": []}
    )
    return Catalogue(
        models={entry["model_id"]: _model(entry) for entry in models_doc["models"]},
        providers={entry["api_provider_id"]: entry for entry in providers_doc["providers"]},
        organisations={entry["organisation_id"]: entry for entry in organisations_doc["organisations"]},
    )
