"""Build ``fixtures/catalogue.json``, the mock's model catalogue, from the gateway's facts.

Usage: ``python scripts/build_catalogue.py [--facts ../shared/reference/catalogue]
[--contract ../shared/reference/openapi/gateway-2026-03.yaml] [--out fixtures/catalogue.json]``

Inputs
  * the facts folder (models, price cards, aliases, providers, organisations of the
    gateway's snapshot; see its README);
  * the contract, whose ``components.schemas.ModelId`` enum names every id the gateway
    accepts; the few ids newer than the snapshot are built from their ``TWINS`` below;
  * ``scripts/catalogue_curated.yaml``: what the facts lack (speeds, voices, list prices
    and the ids the mock answered to before, colours, descriptions).

Output (JSON, one object; the mock's loader reads it once and indexes it)
  ``organisations`` / ``providers``: ``[{id, name, country, colour|link, description}]``.
  ``models``: ``[{id, name, org, family, status, released, deprecated, retired, announced,
  in, out, endpoints, providers, slug, context, max_output, prices, plans, price_source,
  speed, aliases, legacy_ids, inferred, ...extras}]`` where
    - ``status`` is active | deprecated | retired | rumoured | announced | null (unknown);
    - ``endpoints`` are capability ids (text.generate, text.embed, moderation, ...) from
      the model's price cards, else its name (embed, tts, sora, ...), else its types;
    - ``prices`` are USD per million tokens for token meters, per unit otherwise (a
      ``{usd, unit_size}`` mapping sets another unit); ``plans`` the batch/flex/priority
      overrides; ``price_source`` says where they come from: ``price_card:<provider>``
      (the base rule of each meter), ``curated`` (list price), ``family:<id>`` (the
      nearest priced relative), ``organisation-median:<id>`` or ``kind-median:<id>`` (the
      median-priced model of the organisation, or of all, serving the same capability);
    - ``inferred`` names every other field the facts did not give and how it was filled.
  ``aliases``: gateway alias → canonical id (``legacy_ids`` of a model also route to it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import catalogue_rules as rules  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
#: Contract ids newer than the snapshot → the snapshot model they are a release of.
TWINS = {
    "google/gemini-3-0-flash": "google/gemini-3-flash-preview-2025-12-17",
    "google/gemini-3-0-flash-lite": "google/gemini-3-flash-lite",
    "google/gemini-3-0-pro-preview-2025-11-18": "google/gemini-3-pro-preview-2025-11-18",
    "nvidia/nemotron-nano-3-30b-a3b": "nvidia/nemotron-nano-3-30b-a3b-2025-12-15",
}


def _date(value: str | None) -> str | None:
    return value[:10] if value else None


def _load(facts: Path, contract: Path) -> tuple[list[dict[str, Any]], list[str]]:
    models = [m for m in json.loads((facts / "models.json").read_text()) if m["model_id"].strip("/")]
    spec = yaml.load(contract.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return models, list(spec["components"]["schemas"]["ModelId"]["enum"])


def _base_record(fact: dict[str, Any], curated: dict[str, Any]) -> dict[str, Any]:
    inputs, outputs = rules.split_types(fact["input_types"]), rules.split_types(fact["output_types"])
    return {
        "id": fact["model_id"],
        "name": fact["name"] or fact["model_id"].split("/", 1)[1],
        "org": fact["organisation_id"],
        "family": fact["family_id"],
        "status": rules.STATUS.get(fact["status"]),
        "released": _date(fact["release_date"]),
        "deprecated": _date(fact["deprecation_date"]),
        "retired": _date(fact["retirement_date"]),
        "announced": _date(fact["announced_date"]),
        "in": inputs,
        "out": outputs,
        "context": fact["input_context_length"] or curated.get("context_length"),
        "max_output": fact["output_context_length"],
        "inferred": [],
    }


def _endpoints(record: dict[str, Any], cards: list[dict[str, Any]], curated: dict[str, Any]) -> None:
    from_cards = [rules.CAPABILITY_BY_CARD_ENDPOINT.get(c["endpoint"]) for c in cards]
    from_cards = [capability for capability in from_cards if capability]
    chosen = list(dict.fromkeys(from_cards + list(curated.get("endpoints", []))))
    if not chosen:
        short = record["id"].split("/", 1)[1]
        by_name = rules.endpoints_by_name(short)
        if by_name is not None:
            chosen = by_name[1]
            record["inferred"].append(f"endpoints:name({by_name[0]})")
        else:
            chosen = rules.endpoints_by_types(record["in"], record["out"])
            record["inferred"].append("endpoints:types" if record["out"] else "endpoints:assumed-text")
    record["endpoints"] = chosen
    if not record["in"] or not record["out"]:
        kind = chosen[0] if chosen else "text.generate"
        default_in, default_out = rules.TYPES_BY_CAPABILITY.get(kind, (["text"], ["text"]))
        record["in"], record["out"] = record["in"] or default_in, record["out"] or default_out
        record["inferred"].append(f"types:{kind}")


def _providers(record: dict[str, Any], cards: list[dict[str, Any]], curated: dict[str, Any], known: set[str]) -> None:
    ordered = sorted(cards, key=lambda c: not c["is_active_gateway"])
    providers = [c["api_provider_id"] for c in ordered] + list(curated.get("providers", []))
    providers = [p for p in dict.fromkeys(providers) if p in known]
    if not providers:
        providers = rules.FIRST_PARTY.get(record["org"], rules.OPEN_MODEL_HOSTS)
        record["inferred"].append("providers:organisation")
    record["providers"] = list(providers)
    slugs = [c["provider_model_slug"] for c in ordered if c["provider_model_slug"]]
    if slugs:
        record["slug"] = slugs[0]


def _card_prices(record: dict[str, Any], cards: list[dict[str, Any]]) -> bool:
    priced = sorted((c for c in cards if c["rules"]), key=lambda c: (not c["is_active_gateway"], c["endpoint"]))
    if not priced:
        return False
    plans = rules.flat_prices(priced[0]["rules"])
    if "standard" not in plans:
        return False
    record["prices"] = plans.pop("standard")
    if plans:
        record["plans"] = plans
    record["price_source"] = f"price_card:{priced[0]['api_provider_id']}"
    return True


def _extras(record: dict[str, Any], curated: dict[str, Any]) -> None:
    short = record["id"].split("/", 1)[1]
    for key in ("reasoning", "visible_reasoning", "voices", "embedding_dimensions"):
        if key in curated:
            record[key] = curated[key]
    if "reasoning" not in curated and "text.generate" in record["endpoints"]:
        record.update(rules.reasoning_flags(short))
    if "audio.speech" in record["endpoints"] and "voices" not in record:
        record["voices"] = rules.OPENAI_VOICES if record["org"] == "openai" else rules.DEFAULT_VOICES
        record["inferred"].append("voices:organisation")
    if "text.embed" in record["endpoints"] and "embedding_dimensions" not in record:
        record["embedding_dimensions"] = 1536 if record["org"] == "openai" else 1024
        record["inferred"].append("embedding_dimensions:organisation")
    if curated.get("legacy_ids"):
        record["legacy_ids"] = list(curated["legacy_ids"])


def _kind(record: dict[str, Any]) -> str:
    return record["endpoints"][0] if record["endpoints"] else "none"


def _relative(record: dict[str, Any], pool: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    """The priced model of the same family and capability released nearest to this one."""
    twin = record.get("twin")
    candidates = [m for m in pool if m["id"] == twin] or [
        m for m in pool if record["family"] and m["family"] == record["family"] and _kind(m) == _kind(record)
    ]
    candidates = [m for m in candidates if key in m]
    if not candidates:
        return None
    target = record["released"] or "9999-12-31"
    return min(candidates, key=lambda m: (abs(_day(m["released"] or target) - _day(target)), m["id"]))


def _day(date: str) -> int:
    year, month, day = (int(part) for part in date.split("-"))
    return year * 372 + month * 31 + day


def _median(candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda m: (rules.price_weight(m["prices"]), m["id"]))
    return ordered[(len(ordered) - 1) // 2]


def _infer_prices(models: list[dict[str, Any]]) -> None:
    priced = [m for m in models if "prices" in m]
    for record in models:
        if "prices" in record or not record["endpoints"]:
            continue
        relative = _relative(record, priced, "prices")
        same_kind = [m for m in priced if _kind(m) == _kind(record)]
        if relative is not None:
            source, how = relative, f"family:{relative['id']}"
        elif (chosen := _median([m for m in same_kind if m["org"] == record["org"]])) is not None:
            source, how = chosen, f"organisation-median:{chosen['id']}"
        else:
            source = _median(same_kind)
            how = f"kind-median:{source['id']}" if source else None
        if source is not None:
            record["prices"], record["price_source"] = dict(source["prices"]), how


def _infer_speed_and_context(models: list[dict[str, Any]], curated: dict[str, dict[str, Any]]) -> None:
    for record in models:
        if record["id"] in curated and "speed" in curated[record["id"]]:
            record["speed"] = curated[record["id"]]["speed"]
    known_speed = [m for m in models if "speed" in m]
    for record in models:
        kind = _kind(record)
        if "speed" not in record and kind in rules.DEFAULT_SPEED:
            relative = _relative(record, known_speed, "speed")
            record["speed"] = dict(relative["speed"]) if relative else dict(rules.DEFAULT_SPEED[kind])
            record["inferred"].append(f"speed:{'family:' + relative['id'] if relative else 'default'}")
        if not record["context"]:
            relative = _relative(record, [m for m in models if m["context"]], "context")
            record["context"] = relative["context"] if relative else rules.DEFAULT_CONTEXT.get(kind, 0)
            record["inferred"].append(f"context:{'family:' + relative['id'] if relative else 'default'}")


def build(facts: Path, contract: Path, curated_path: Path) -> dict[str, Any]:
    facts_models, contract_ids = _load(facts, contract)
    curated = yaml.safe_load(curated_path.read_text())
    cards = json.loads((facts / "pricing.json").read_text())
    providers = json.loads((facts / "providers.json").read_text())
    known_providers = {p["api_provider_id"] for p in providers}
    by_id = {m["model_id"]: m for m in facts_models}
    for new_id, twin in TWINS.items():
        if new_id in contract_ids and new_id not in by_id:
            by_id[new_id] = {**by_id[twin], "model_id": new_id}
    models = []
    for model_id, fact in by_id.items():
        fact_id = fact["model_id"] if model_id not in TWINS else TWINS[model_id]
        mine = curated["models"].get(model_id, {})
        own_cards = [c for c in cards if c["model_id"] == fact_id]
        record = _base_record(fact, mine)
        if model_id in TWINS:
            record["twin"] = TWINS[model_id]
            record["inferred"].append(f"facts:contract-only, copied from {TWINS[model_id]}")
        _endpoints(record, own_cards, mine)
        _providers(record, own_cards, mine, known_providers)
        if _card_prices(record, own_cards) and model_id in TWINS:
            record["price_source"] = f"family:{TWINS[model_id]}"  # its twin's price card
        elif "prices" not in record and "pricing" in mine:
            record["prices"], record["price_source"] = dict(mine["pricing"]), "curated"
            if mine.get("pricing_plans"):
                record["plans"] = mine["pricing_plans"]
        _extras(record, mine)
        models.append(record)
    _infer_prices(models)
    _infer_speed_and_context(models, curated["models"])
    return _document(models, facts, providers, curated, contract_ids)


def _document(
    models: list[dict[str, Any]],
    facts: Path,
    providers: list[dict[str, Any]],
    curated: dict[str, Any],
    contract_ids: list[str],
) -> dict[str, Any]:
    aliases = {a["alias_slug"]: a["resolved_model_id"] for a in json.loads((facts / "aliases.json").read_text())}
    for record in models:
        record.pop("twin", None)
        record["aliases"] = sorted(alias for alias, target in aliases.items() if target == record["id"])
        if not record["inferred"]:
            del record["inferred"]
    organisations = [
        {
            "id": o["organisation_id"],
            "name": o["name"],
            "country": o["country_code"],
            **curated["organisations"].get(o["organisation_id"], {}),
        }
        for o in json.loads((facts / "organisations.json").read_text())
    ]
    for org in organisations:
        org.setdefault("colour", "#6B7280")
        org.setdefault("description", f"Maker of the {org['name']} models.")
    provider_rows = [
        {
            "id": p["api_provider_id"],
            "name": p["api_provider_name"],
            "country": p["country_code"],
            "link": p["link"] or curated["providers"].get(p["api_provider_id"], {}).get("link"),
            "description": curated["providers"]
            .get(p["api_provider_id"], {})
            .get("description", f"Models served through {p['api_provider_name']}."),
        }
        for p in providers
    ]
    missing = sorted(set(contract_ids) - {m["id"] for m in models})
    if missing:
        raise SystemExit(f"contract ids without a model: {missing}")
    return {
        "about": "Generated by scripts/build_catalogue.py from the gateway's catalogue facts; do not edit by hand.",
        "organisations": organisations,
        "providers": provider_rows,
        "aliases": dict(sorted(aliases.items())),
        "models": sorted(models, key=lambda m: m["id"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=Path, default=REFERENCE / "catalogue")
    parser.add_argument("--contract", type=Path, default=REFERENCE / "openapi" / "gateway-2026-03.yaml")
    parser.add_argument("--curated", type=Path, default=ROOT / "scripts" / "catalogue_curated.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "fixtures" / "catalogue.json")
    args = parser.parse_args(argv)
    document = build(args.facts, args.contract, args.curated)
    lines = ",\n".join(json.dumps(m, ensure_ascii=False, separators=(",", ":")) for m in document["models"])
    head = json.dumps({k: v for k, v in document.items() if k != "models"}, ensure_ascii=False, indent=1)
    args.out.write_text(head[:-2] + ',\n "models": [\n' + lines + "\n ]\n}\n", encoding="utf-8")
    print(f"{args.out}: {len(document['models'])} models, {len(document['aliases'])} aliases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
