"""The org directory: areas, units, categories, and the staff accounts of the
units (who may sign in to the console, and as which unit)."""
from sqlalchemy import select

from services.routing.models import Area, Category, Unit
from services.routing.schemas import AreaSchema, CategorySchema, UnitSchema

PETITION_BUREAU = "petition_bureau"


class DirectoryMismatch(LookupError):
    """An event names an area or category the directory does not know: the
    producer and the directory disagree (a contract-level problem). Raised so the
    message is retried, then parked for an operator; never dropped."""


def area(session, code):
    found = session.get(Area, code)
    if found is None:
        raise DirectoryMismatch(f"unknown area {code!r}")
    return found


def category(session, code):
    found = session.get(Category, code)
    if found is None:
        raise DirectoryMismatch(f"unknown category {code!r}")
    return found


def area_chain(session, code):
    """The area and its ancestors in the directory, most specific first."""
    chain = [area(session, code)]
    while chain[-1].parent and (parent := session.get(Area, chain[-1].parent)) is not None:
        chain.append(parent)
    return chain


def petition_bureau(session, area_code):
    return session.scalars(select(Unit).where(
        Unit.area_code == area_code, Unit.kind == PETITION_BUREAU)).first()


def reference_data(tx):
    """The categories and the areas, each in its schema (its one declaration)."""
    categories = tx.session.scalars(select(Category).order_by(Category.position))
    areas = tx.session.scalars(select(Area).order_by(Area.code))
    return {"categories": CategorySchema(many=True).dump(categories),
            "areas": AreaSchema(many=True).dump(areas)}


def units(tx):
    return UnitSchema(many=True).dump(tx.session.scalars(select(Unit).order_by(Unit.code)))
