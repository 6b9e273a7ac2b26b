"""Structured logs across the services: every line is JSON, and one
petition's case number is the correlation id of the lines its events caused
in routing, tracking, notify and reports (carried in the events' headers by
the outbox relay, and on by nameko with each call)."""
import json

from tests.stack import VALID, eventually, follow, submit_petition

FOLLOWERS = ("routing", "tracking", "notify", "reports")


def json_lines(stack, name):
    text = (stack.var_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_petition_s_case_number_follows_it_through_the_logs(stack):
    receipt = submit_petition(stack, VALID)
    assert receipt.status_code == 201, receipt.text
    case_number, code = receipt.json()["case_number"], receipt.json()["query_code"]
    assert eventually(lambda: follow(stack, code)["status"] == "routed")

    def lines_of_case():
        found = {name: [e for e in json_lines(stack, name)
                        if e["correlation_id"] == case_number] for name in FOLLOWERS}
        return all(found.values()) and found
    found = eventually(lines_of_case, timeout=30)
    assert found, {name: json_lines(stack, name)[-3:] for name in FOLLOWERS}
    for name, entries in found.items():
        assert {e["service"] for e in entries} == {name}
        assert any("handled petition_" in e["message"] for e in entries), entries
    # Every line every service wrote parses as JSON with its service named.
    for name in ("intake", *FOLLOWERS, "gateway"):
        text = (stack.var_dir / f"{name}.log").read_text(errors="replace")
        for line in text.splitlines():
            if line.startswith("{"):
                assert json.loads(line)["service"] == name
