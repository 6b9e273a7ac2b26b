"""docs/events-for-subscribers.md lists every public contract with its
exchange and version, so that a department reads what is really published."""
from pathlib import Path

from core import events

DOC = Path(__file__).parents[2] / "docs" / "events-for-subscribers.md"


def test_every_public_contract_is_in_the_subscribers_table():
    rows = {line.split("|")[2].strip(" `"): line for line in DOC.read_text().splitlines()
            if line.startswith("| `")}
    for contract in events.ALL:
        if contract.private:
            assert contract.event_type not in rows
            continue
        row = rows.get(contract.event_type)
        assert row, f"{contract.event_type} missing from {DOC.name}"
        assert f"`{contract.exchange}`" in row and f"| {contract.version} |" in row
