"""Loads what the bot says and knows (texts, the twelve kinds of support, coping ideas, crisis lines) from TOML files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Any

CONTENT_DIR = Path(__file__).parent / "content"
DEFAULT_LOCALE = "en"


class ContentError(Exception):
    """A content file is missing, malformed, or lacks a key the bot needs."""


@dataclass(frozen=True)
class SupportKind:
    key: str
    name: str
    why: str
    next_step: str
    person: bool  # a person who could become an accountability partner


@dataclass(frozen=True)
class CopingStrategy:
    key: str
    title: str
    how: str


@dataclass(frozen=True)
class CrisisLine:
    name: str
    number: str
    hours: str
    source: str


@dataclass(frozen=True)
class CrisisRegion:
    key: str
    name: str
    emergency: str
    lines: tuple[CrisisLine, ...]


@dataclass(frozen=True)
class Resource:
    """A next step for a kind of support (resources.toml): a service, meeting or line, with where it was checked."""

    kind: str
    name: str
    what: str
    contact: str
    source: str
    checked: str


class _Missing(dict):
    """Fields for a text. `{streak_days}` is the number in `streak` with its unit, singular or plural as the
    locale says (texts `unit.day_one` and `unit.day_other`): "1 day", "3 days", "3 日"."""

    def __init__(self, fields: dict[str, Any], units: Any = None) -> None:
        super().__init__(fields)
        self._units = units

    def __missing__(self, key: str) -> str:
        name, _, unit = key.rpartition("_")
        value = self.get(name)
        if self._units is not None and unit in UNITS and isinstance(value, int) and not isinstance(value, bool):
            return self._units(f"unit.{UNITS[unit]}_{'one' if value == 1 else 'other'}").format(n=value)
        return "{" + key + "}"


UNITS = {"days": "day", "hours": "hour", "minutes": "minute"}


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ContentError(f"content file missing: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"content file {path} is not valid TOML: {exc}") from exc


def _base_field(field: str) -> str:
    name, _, unit = field.rpartition("_")
    return name if unit in UNITS and name else field


class Content:
    """Every text and list the bot uses, per locale, with English as the fallback."""

    def __init__(self, root: Path | str = CONTENT_DIR) -> None:
        self.root = Path(root)
        self._locales: dict[str, dict[str, Any]] = {}
        for path in sorted(self.root.glob("locale.*.toml")):
            self._locales[path.stem.removeprefix("locale.")] = _load(path)
        if DEFAULT_LOCALE not in self._locales:
            raise ContentError(f"no locale.{DEFAULT_LOCALE}.toml in {self.root}")
        self._texts = {
            loc: {k: "\n".join(v) if isinstance(v, list) else v for k, v in _flatten(doc.get("texts", {})).items()}
            for loc, doc in self._locales.items()
        }
        self._crisis = _load(self.root / "crisis.toml")
        self._resources = _load(self.root / "resources.toml") if (self.root / "resources.toml").exists() else {}
        self.places = {k.casefold(): v for k, v in _load(self.root / "places.toml").get("places", {}).items()}
        self._check()

    def _check(self) -> None:
        base = self._texts[DEFAULT_LOCALE]
        for loc, texts in self._texts.items():
            for key, value in texts.items():
                if key not in base:
                    raise ContentError(f"locale {loc} has text {key!r} that English lacks")
                wanted = {_base_field(f) for _, f, _, _ in Formatter().parse(base[key]) if f}
                got = {_base_field(f) for _, f, _, _ in Formatter().parse(value) if f}
                if got - wanted:
                    raise ContentError(f"locale {loc} text {key!r} uses unknown fields {got - wanted}")
        if len(self.support_kinds(DEFAULT_LOCALE)) != 12:
            raise ContentError("the clinic's guide has twelve kinds of support; content lists a different number")

    @property
    def locales(self) -> list[str]:
        return list(self._locales)

    def has(self, key: str) -> bool:
        return key in self._texts[DEFAULT_LOCALE]

    def text(self, key: str, locale: str = DEFAULT_LOCALE, /, **fields: Any) -> str:
        """The text for key in locale (English when untranslated), with {fields} filled in."""
        template = self._texts.get(locale, {}).get(key) or self._texts[DEFAULT_LOCALE].get(key)
        if template is None:
            raise ContentError(f"no text {key!r}")
        return template.format_map(_Missing(fields, lambda unit: self.text(unit, locale)))

    def words(self, key: str, locale: str = DEFAULT_LOCALE) -> list[str]:
        """Alias words for key, from this locale and English (people mix languages)."""
        found: list[str] = []
        for loc in dict.fromkeys([locale, DEFAULT_LOCALE]):
            found += self._locales.get(loc, {}).get("words", {}).get(key, [])
        return found

    def all_words(self, key: str) -> list[str]:
        return [w for doc in self._locales.values() for w in doc.get("words", {}).get(key, [])]

    def _items(self, section: str, locale: str) -> list[dict[str, Any]]:
        base = self._locales[DEFAULT_LOCALE].get(section, [])
        local = {item["key"]: item for item in self._locales.get(locale, {}).get(section, [])}
        return [{**item, **local.get(item["key"], {})} for item in base]

    def support_kinds(self, locale: str = DEFAULT_LOCALE) -> list[SupportKind]:
        return [
            SupportKind(i["key"], i["name"], i["why"], i["next_step"], bool(i.get("person", False)))
            for i in self._items("support", locale)
        ]

    def coping(self, locale: str = DEFAULT_LOCALE) -> list[CopingStrategy]:
        return [CopingStrategy(i["key"], i["title"], i["how"]) for i in self._items("coping", locale)]

    def crisis_region(self, timezone: str, locale: str = DEFAULT_LOCALE) -> CrisisRegion:
        """The crisis lines for where the person lives, judged by their time zone, named in their language."""
        regions = self._crisis["regions"]
        chosen = self._crisis.get("default_region", "HK")
        for key, region in regions.items():
            if any(timezone == z or timezone.startswith(z.rstrip("*")) for z in region.get("zones", [])):
                chosen = key
                break
        return self._region(chosen, locale)

    def resources(self, kind: str, timezone: str, locale: str = DEFAULT_LOCALE) -> list[Resource]:
        """Next steps for a kind of support where the person lives (judged by time zone, as for crisis lines),
        in their language; [] when the directory has none."""
        regions = self._resources.get("regions", {})
        chosen = self._resources.get("default_region")
        for key, region in regions.items():
            if any(timezone == z or timezone.startswith(z.rstrip("*")) for z in region.get("zones", [])):
                chosen = key
                break
        entries = regions.get(chosen, {}).get("resources", []) if chosen else []
        return [Resource(kind=e["kind"], name=e.get(f"name_{locale}") or e["name"],
                         what=e.get(f"what_{locale}") or e["what"], contact=e.get("contact", ""),
                         source=e.get("source", ""), checked=str(e.get("checked", "")))
                for e in entries if e.get("kind") == kind]

    def _region(self, key: str, locale: str) -> CrisisRegion:
        region = self._crisis["regions"][key]
        lines = tuple(
            CrisisLine(
                name=line.get(f"name_{locale}") or line["name"],
                number=line["number"],
                hours=line.get(f"hours_{locale}") or line.get("hours", ""),
                source=line["source"],
            )
            for line in region["lines"]
        )
        name = region.get(f"name_{locale}") or region["name"]
        return CrisisRegion(key=key, name=name, emergency=region["emergency"], lines=lines)
