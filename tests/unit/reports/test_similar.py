"""Similar cases and regulations (智慧信访), on SQLite: measured on the
labelled set of tests/data/similar_petitions.yaml (precision at 5 must not
drop below what it reached), kept by the projections as cases are concluded,
withheld or kept private, and the staff's suggested unit."""
import pytest

from core.errors import ConfigurationError, InvalidInput
from services.reports import projections, regulations, reports, similar, words
from services.reports.models import Base
from tests.kit import store_copy, template_store
from tests.similar_set import labelled_events, newest_with, precision_at_5, seed_set

# What the search reached on the set when it was written (0.6425: titles are
# all it can search, see services/reports/similar.py); a change that makes it
# worse fails here.
PRECISION_AT_5 = 0.64
HANDLER = {"username": "a-staff", "unit_code": "370102-HOUSING", "role": "handler",
           "area_code": "370102"}
HEATING = {"title": "暖气不热", "content": "家里暖气温度太低，屋里很冷，请热力公司检修",
           "category": "housing", "area_code": "370102"}


@pytest.fixture(scope="session")
def labelled_file(tmp_path_factory):
    return template_store(tmp_path_factory, "labelled", Base, seed_set)


@pytest.fixture
def labelled(labelled_file, tmp_path):
    with store_copy(labelled_file, tmp_path, Base) as store:
        yield store


def test_precision_at_5_on_the_labelled_set(labelled, settings):
    precision, answers = precision_at_5(labelled, settings)
    print(f"precision@5 = {precision:.4f} over {len(answers)} petitions")
    assert precision >= PRECISION_AT_5


def test_a_citizen_sees_similar_cases_best_first_with_how_they_were_handled(labelled, settings):
    with labelled.transaction() as tx:
        answer = reports.similar_cases(tx, HEATING, settings)
    cases = answer["cases"]
    assert len(cases) == 5
    assert [c["score"] for c in cases] == sorted((c["score"] for c in cases), reverse=True)
    top = cases[0]
    assert "暖气" in top["title"] and top["category"] == "housing"
    assert top["handling"].startswith("一般程序；由") and "受理并答复" in top["handling"]
    assert top["result"].startswith("按期办结，用时") and top["result"].endswith("办理质量满意")
    assert top["rating"]["handling_quality"] == "satisfied"
    # the heating rules first (暖气, 热力公司 found), with their source, marked as
    # summaries; none of housing's rules that name none of its words
    ids = [r["id"] for r in answer["regulations"]]
    assert ids and all(r["source"] and r["summary"] for r in answer["regulations"])
    assert ids[0] == "jngr-heating"
    assert not {"wyglt-service", "fwzs-compensation", "bdcdj-registration"} & set(ids)


def test_staff_see_the_unit_that_handled_similar_cases_most_often(labelled, settings):
    with labelled.transaction() as tx:
        answer = reports.similar_for_staff(tx, HEATING, HANDLER, settings)
    suggestion = answer["suggested_unit"]
    assert suggestion["unit_code"] == "370102-HOUSING"
    # drawn from the (at most 20) cases found
    assert 5 <= suggestion["of"] <= 20 and suggestion["similar_cases"] >= 4
    assert suggestion["median_handling_days"] >= 0
    assert "不改变分派结果" in suggestion["reason"]


def test_the_index_follows_the_public_list(store, settings):
    """Through the projections: only concluded, published, not withheld
    cases are found; a rebuild finds the same."""
    stream = labelled_events(cases=12)  # heating-cold and elevator-broken
    unconcluded = {id(event) for contract, event in stream
                   if contract.event_type == "case_concluded"
                   and event["case_number"].endswith("000001")}
    for contract, event in stream:
        if id(event) not in unconcluded:
            with store.transaction() as tx:
                projections.consume(tx, settings, contract, event)

    def found():
        with store.transaction() as tx:
            cases = reports.similar_cases(tx, {**HEATING, "limit": 20}, settings)["cases"]
        return {c["case_number"][-2:] for c in cases}
    # case 01 was not concluded; the other heating cases were
    assert "01" not in found() and {"02", "03", "05", "06"} <= found()

    bureau = {"username": "b", "unit_code": "370100-XFJ", "role": "bureau_supervisor",
              "area_code": "370100"}
    [case_02] = [e["case_number"] for c, e in stream
                 if c.event_type == "petition_submitted" and e["case_number"].endswith("02")]
    with store.transaction() as tx:
        reports.withhold(tx, case_02, "涉及个人隐私", bureau)
    assert "02" not in found()
    before = found()
    with store.transaction() as tx:
        projections.rebuild(tx, settings)
    assert found() == before


def test_a_title_is_shown_with_phone_and_id_numbers_masked(store, settings):
    stream = labelled_events(cases=1)
    for contract, event in stream:
        if contract.event_type == "petition_submitted":
            event["title"] = "暖气不热 联系13812345678 身份证370102199001011234"
        with store.transaction() as tx:
            projections.consume(tx, settings, contract, event)
    with store.transaction() as tx:
        [case] = reports.similar_cases(tx, HEATING, settings)["cases"]
    assert case["title"] == "暖气不热 联系138****5678 身份证3701**********1234"


def test_bad_input_names_the_field(store, settings):
    with store.transaction() as tx:
        with pytest.raises(InvalidInput) as raised:
            reports.similar_cases(tx, {"title": " ", "content": ""}, settings)
    assert "title" in raised.value.details
    with store.transaction() as tx:
        with pytest.raises(InvalidInput) as raised:
            reports.similar_cases(tx, {**HEATING, "area_code": "37", "limit": 500}, settings)
    assert set(raised.value.details) == {"area_code", "limit"}


def test_the_knowledge_base_file_is_checked(tmp_path):
    bad = tmp_path / "regulations.yaml"
    bad.write_text("- {id: a, source: 某条例, text: 内容, categories: []}\n", "utf-8")
    with pytest.raises(ConfigurationError, match="summary"):
        regulations.load_regulations(bad)
    twice = tmp_path / "twice.yaml"
    entry = "- {id: a, source: 某条例, text: 内容, summary: true, categories: ['*']}\n"
    twice.write_text(entry * 2, "utf-8")
    with pytest.raises(ConfigurationError, match="ids twice"):
        regulations.load_regulations(twice)


def test_regulations_of_the_category_and_its_keywords_come_first(settings):
    text = "公司拖欠工资三个月"
    shown = regulations.applicable(settings.regulations, "labor", text, ["公司", "拖欠", "工资"])
    assert [r["id"] for r in shown][:2] == ["bzngz-pay", "ldht-30"]
    assert all("labor" in r["categories"] or "*" in r["categories"] for r in shown)


@pytest.mark.parametrize(("category", "text", "first", "never"), [
    # a lift: the property-management rules, not expropriation, registration or drainage
    ("housing", "电梯停了一个月，物业一直不维修", "wyglt-service",
     {"fwzs-compensation", "bdcdj-registration", "psws-drainage", "jngr-heating"}),
    # demolition: the expropriation rules, not the lift's or the heating's
    ("housing", "拆迁补偿款迟迟不到位", "fwzs-compensation", {"wyglt-service", "jngr-heating"}),
    # a blocked stairwell: the fire-safety rule first, then the property rule (物业)
    ("housing", "楼道堆放杂物和电动车充电，担心着火，物业不管", "xfa-28",
     {"fwzs-compensation", "bdcdj-registration", "jngr-heating"}),
])
def test_a_categorys_regulations_that_name_none_of_its_words_stay_out(settings, category, text,
                                                                      first, never):
    shown = [r["id"] for r in regulations.applicable(settings.regulations, category, text,
                                                     words.words_of(text))]
    assert shown[0] == first and not never & set(shown), shown


def test_a_petition_naming_none_of_its_categorys_words_gets_the_category_s(settings):
    text = "反映小区的问题"
    shown = [r["id"] for r in regulations.applicable(settings.regulations, "housing", text,
                                                     words.words_of(text))]
    housing = [r["id"] for r in settings.regulations if "housing" in r["categories"]]
    assert shown == housing[:regulations.SHOWN]


# The postings budget (similar.POSTINGS_BUDGET), on a store small enough to see
# it bind: 暖气 and 不热 are in most titles, the leak's words in one.
HEATING_CASES = [(f"JN20261101-{n:06d}", "heating", "housing", "370102", title, "",
                  "370102-HOUSING")
                 for n, title in enumerate(["小区暖气不热"] * 30 + ["暖气管道漏水淹了地下室"]
                                           + ["楼道暖气不热"] * 9, start=1)]
LEAK = HEATING_CASES[30][0]


@pytest.fixture
def heating(store, monkeypatch):
    seed_set(store, HEATING_CASES)
    monkeypatch.setattr(similar, "POSTINGS_BUDGET", 10)
    return store


def test_a_query_keeps_its_rarest_words_within_the_budget(heating, settings):
    query = {"title": "暖气管道漏水", "content": "地下室被水淹了", "category": "housing"}
    with heating.transaction() as tx:
        terms, windowed = similar._rarest(tx, words.words_of(f"{query['title']} {query['content']}"))
        cases = reports.similar_cases(tx, query, settings)["cases"]
    # 暖气 (40 cases) would take the rows ranked from a handful to 40: left out
    assert "暖气" not in terms and {"管道", "地下室"} <= set(terms) and not windowed
    assert cases[0]["case_number"] == LEAK


def test_a_common_word_alone_is_searched_among_the_newest_cases_only(heating, settings,
                                                                     monkeypatch):
    query = {"title": "暖气不热", "category": "housing", "limit": 20}
    with heating.transaction() as tx:
        assert similar._rarest(tx, ["暖气", "不热"]) == (["不热", "暖气"], True)
        windowed = reports.similar_cases(tx, query, settings)["cases"]
    # ranked among the newest 10 cases with either word, not all 40
    found = {c["case_number"] for c in windowed}
    assert found == newest_with(HEATING_CASES, ["暖气", "不热"], 10)
    assert LEAK in found and "JN20261101-000030" not in found
    monkeypatch.setattr(similar, "POSTINGS_BUDGET", 1_000)
    with heating.transaction() as tx:
        assert len(reports.similar_cases(tx, query, settings)["cases"]) == 20
