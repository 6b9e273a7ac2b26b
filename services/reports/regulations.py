"""The regulation knowledge base: the articles of regulations and local
policies a citizen is shown beside similar cases. It is data the bureau
maintains, one YAML file (``REGULATIONS_FILE`` in config.yaml; the seed is
services/reports/data/regulations.yaml), read when the service starts and
checked: a bad entry stops the service naming the entry and the field.

The file is a list of entries, each:

    id:          a stable key, unique (e.g. xfgztl-2022-17)
    source:      the document, its issuer and year (信访工作条例（2022年）, ...)
    article:     where in it (第十七条); "" for a whole document
    text:        the article's words, or a summary of them
    summary:     true when ``text`` is a summary, not the official wording
                 (say so whenever the wording has not been checked against
                 the official text)
    categories:  the petition categories it applies to (routing's codes:
                 housing, labor, ...), or ["*"] for every category
    keywords:    words that make it apply to a text whatever its category

An entry applies to a petition when one of its keywords is among the
petition's words (or in its text), or when it is for every category (``*``).
An entry of the petition's category without a keyword found applies only
when no entry of that category has one: a complaint about a lift is shown
the property-management rules, not the category's rules on expropriation
and drainage; a housing complaint that names none of them is shown the
category's, as many as are shown (SHOWN), before the ones for every category.
The best first: by the keywords found plus one for its own category, then
those for every category, then the file's order.
"""
from pathlib import Path

import yaml
from marshmallow import Schema, ValidationError, fields, validate

from core.config import ROOT
from core.errors import ConfigurationError

EVERY_CATEGORY = "*"
SHOWN = 6


class RegulationSchema(Schema):
    id = fields.Str(required=True, validate=validate.Length(min=1, max=60))
    source = fields.Str(required=True, validate=validate.Length(min=2, max=200))
    article = fields.Str(load_default="", validate=validate.Length(max=60))
    text = fields.Str(required=True, validate=validate.Length(min=2, max=2000))
    summary = fields.Bool(required=True)
    categories = fields.List(fields.Str(validate=validate.Length(min=1, max=30)),
                             required=True, validate=validate.Length(min=1))
    keywords = fields.List(fields.Str(validate=validate.Length(min=1, max=20)),
                           load_default=list)


def load_regulations(path):
    """The entries of the file at ``path`` (relative to the repository), checked."""
    path = Path(path)
    path = path if path.is_absolute() else ROOT / path
    try:
        entries = RegulationSchema(many=True).load(yaml.safe_load(path.read_text("utf-8")) or [])
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"reports: REGULATIONS_FILE {path}: {exc}") from None
    except ValidationError as exc:
        raise ConfigurationError(f"reports: REGULATIONS_FILE {path}: {exc.messages}") from None
    ids = [entry["id"] for entry in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ConfigurationError(f"reports: REGULATIONS_FILE {path}: ids twice: {duplicated}")
    return tuple(entries)


def applicable(entries, category, text, terms, shown=SHOWN):
    """The entries that apply to a petition of ``category`` whose text is
    ``text`` with the words ``terms``, best first."""
    terms = set(terms)
    found = [(entry, category in entry["categories"], EVERY_CATEGORY in entry["categories"],
              sum(1 for keyword in entry["keywords"] if keyword in terms or keyword in text))
             for entry in entries]
    # the category's entries without a keyword found, only when none of them has one
    category_found = any(own and hits for _, own, _, hits in found)
    ranked = [(-(own + hits), -every, position, entry)
              for position, (entry, own, every, hits) in enumerate(found)
              if hits or every or (own and not category_found)]
    ranked.sort(key=lambda item: item[:3])
    return [entry for *_, entry in ranked[:shown]]
