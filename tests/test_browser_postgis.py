"""The app on a PostGIS store, in a real browser (Debian's Chromium via Playwright, network cut).

The default dataset is built into a fresh schema with the real ``build`` (``?schema=xxgeo_browser_…``), then
``streamlit run app.py`` runs with ``XXGEO_STORE`` set to that URL. The planning, township and investor views
must draw their maps with the same projects the GeoPackage build holds, and an edit made through the store API
must show after a reload (the app's cache token, ``store.version()``, is the PostGIS change
counter). A PostGIS app always asks for sign-in (:mod:`xxgeo.session`): the planning, township and data views
are checked as a signed-in editor (an account made in the fixture), the investor view as the public. Needs
``XXGEO_TEST_PG`` or the private server tests/conftest.py starts; skipped, saying so, without either. The
schema and its backup and accounts schemas are dropped afterwards.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from kit import drop_schemas, frame_where, offline_page, running_app, sign_in
from kit import map_frame as _map_frame

pytestmark = [pytest.mark.postgis, pytest.mark.slow]


EDITOR, PW = "bianji", "correct horse 9"


@pytest.fixture(scope="module")
def pg_app(pg_url):
    """(app URL, store): the default dataset built into a fresh schema, the app running on it."""
    from xxgeo.accounts import Accounts
    from xxgeo.sources.build import build

    schema = f"xxgeo_browser_{uuid.uuid4().hex[:10]}"
    store_url = f"{pg_url}{'&' if '?' in pg_url else '?'}schema={schema}"
    try:
        store = build(store_url)
        Accounts(store).add(EDITOR, "editor", password=PW)
        with running_app(store_url) as url:
            yield url, store
    finally:
        drop_schemas(pg_url, schema)


@pytest.fixture(scope="module")
def reference(built_store_path):
    """The same default dataset built into a GeoPackage: what the PostGIS app must show."""
    from xxgeo.store import GpkgStore

    return GpkgStore(built_store_path).load()


def _sign_in(page) -> None:
    """Sign in as the fixture's editor through the sidebar form."""
    sign_in(page, EDITOR, PW, shown="规划局编辑")


def _go(page, view: str) -> None:
    """Switch view with the sidebar (a new URL would be a new session, signed out)."""
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_test_id("stRadioGroup").first.get_by_text(view, exact=True).click()
    page.get_by_role("heading", name=view).first.wait_for(timeout=60_000)


def _as_editor(browser, url: str, view: str):
    page, blocked, errors = offline_page(browser)
    page.goto(url)
    _sign_in(page)
    _go(page, view)
    return page, blocked, errors


METRICS = """() => { const v = [...document.querySelectorAll('[data-testid="stMetricValue"]')];
  return Object.fromEntries([...document.querySelectorAll('[data-testid="stMetricLabel"]')]
    .map((l, i) => [l.innerText.trim(), v[i] ? v[i].innerText.trim() : null])); }"""


def _metrics_until(page, ok: str, arg=None, timeout_s: float = 60) -> dict:
    """The metrics once the JavaScript predicate ``ok(metrics, arg)`` holds (Playwright waits for it)."""
    page.wait_for_function(f"(arg) => ({ok})(({METRICS})(), arg)", arg=arg, polling=250, timeout=timeout_s * 1000)
    return _metrics(page)


def _metrics(page) -> dict:
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return {a.strip(): b.strip() for a, b in zip(labels, values)}


def _overlays(frame) -> list[str]:
    return frame.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
                               .map(l => l.textContent.trim())""")


def _features(frame) -> list[list]:
    """[[layer variable, feature names]] of every GeoJSON layer on the map, in drawing order."""
    return frame.evaluate("""() => {
        const out = [];
        for (const k of Object.keys(window)) {
          const v = window[k];
          if (v && v.xxLayer) { const names = [];
            v.xxLayer.eachLayer(l => { if (l.feature) names.push(l.feature.properties.name); });
            out.push([k, names]); }
        }
        return out; }""")


def _project_names(frame) -> list[str]:
    """Names of the map's projects: the features of its project layer (the last GeoJSON layer drawn) and the
    projects listed in its counted symbols of townships, parks and villages (projects known only to an area are
    not pins, issue 13; the county-wide ones, without a place, are counted at the county's symbol)."""
    names = frame.evaluate(f"() => ({NAMES})(window)")
    assert names is not None, "no GeoJSON layer on the map"
    return names


# the project names of window w: the last GeoJSON layer drawn and the counted symbols (null when no layer)
NAMES = """(w) => { let last = null; const counted = new Set();
  for (const k of Object.keys(w)) { const v = w[k];
    if (v && v.xxLayer) { last = [];
      v.xxLayer.eachLayer(l => { if (l.feature) last.push(l.feature.properties.name); }); }
    if (v && v.xxAreas) v.xxAreas.forEach(g => { if (g.kind !== 'county') g.items.forEach(i => counted.add(i[1])); });
  } return last === null ? null : last.concat([...counted].filter(n => !last.includes(n))); }"""


def _names_until(page, ok: str, arg=None, timeout_s: float = 60) -> list[str]:
    """The map's project names once the JavaScript predicate ``ok(names, arg)`` holds in the map's frame
    (Playwright waits for it; a rerun replaces the frame, which is then looked up again)."""
    from playwright.sync_api import Error as PlaywrightError

    pred = f"(w, arg) => {{ const n = ({NAMES})(w); return n !== null && ({ok})(n, arg); }}"
    for _ in range(5):  # a rerun may replace the frame between finding it and reading it: find it again
        frame = frame_where(page, pred, arg=arg, timeout_s=timeout_s)
        try:
            return _project_names(frame)
        except PlaywrightError as exc:
            if "detached" not in str(exc):
                raise
    raise AssertionError(f"the map's frame kept being replaced while its names were read ({ok})")


def _clean(page, blocked, errors) -> None:
    assert not errors, errors
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').filter(has_text="错误").count() == 0
    assert not [u for u in blocked if u.endswith((".js", ".css"))], blocked


def test_planning_view_on_postgis_draws_every_project(browser, pg_app, reference):
    url, store = pg_app
    page, blocked, errors = _as_editor(browser, url, "规划总览")
    ref = reference["projects"]
    placed = ref[ref.geometry.notna()]
    m = _metrics_until(page, "(m) => '有位置的项目' in m")
    assert m["项目数"] == f"{len(ref):,}" and m["有位置的项目"] == f"{len(placed):,}", m
    names = _names_until(page, "(n, k) => n.length === k", len(placed))
    assert len(names) == len(placed) and sorted(names) == sorted(placed["name"]), len(names)
    frame = _map_frame(page)
    layers = _overlays(frame)
    assert layers[-2:] == ["项目", "只知所在区域的项目（汇总）"] and "乡镇界" in layers and "园区" in layers, layers
    assert frame.locator(".xx-legend").count() == 1 and "项目" in frame.locator(".xx-legend").inner_html()
    # a named project is reachable: the search box narrows the page to it
    target = placed["name"].iloc[5]
    page.get_by_label("搜索项目名称").fill(target)
    page.get_by_label("搜索项目名称").press("Enter")
    assert _metrics_until(page, "(m) => m['项目数'] === '1'")["项目数"] == "1"
    assert _names_until(page, "(n, t) => n.length === 1 && n[0] === t", target) == [target]
    _clean(page, blocked, errors)
    page.close()


def test_township_view_on_postgis(browser, pg_app, reference):
    from xxgeo.mapping import MapFilter, filter_projects

    url, _ = pg_app
    page, blocked, errors = _as_editor(browser, url, "乡镇")
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="乡镇").first.click()
    page.get_by_role("option", name="裴介镇", exact=True).click()
    page.get_by_role("heading", name="裴介镇").first.wait_for(timeout=60_000)
    code = reference["townships"].set_index("name").loc["裴介镇", "code"]
    expected = filter_projects(reference["projects"], MapFilter(townships=(code,)))
    n = str(len(expected))
    assert _metrics_until(page, "(m, n) => m['项目数'] === n", n)["项目数"] == n
    placed = sorted(expected[expected.geometry.notna()]["name"])
    same = "(n, p) => n.length === p.length && p.every(x => n.includes(x))"
    assert placed and sorted(_names_until(page, same, placed)) == placed
    assert "乡镇界" in _overlays(_map_frame(page))
    _clean(page, blocked, errors)
    page.close()


def test_investor_view_on_postgis_for_the_public(browser, pg_app, reference):
    url, store = pg_app
    park = reference["parks"][reference["parks"]["name"].str.startswith("裴介")].iloc[0]
    proj = store.read("projects")
    in_park = proj[(proj["park_id"] == park["park_id"]) & proj.geometry.notna()]
    assert len(in_park) >= 2
    internal = in_park.iloc[0]
    store.update_feature("projects", internal["project_id"], {"public": False}, user="测试")
    page, blocked, errors = offline_page(browser)
    page.goto(f"{url}/?view=investor&park=" + quote("裴介"))
    page.get_by_text(park["name"]).first.wait_for(timeout=60_000)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert park["name"] in text and f"{park['planned_area_km2']:.2f} km²" in text
    shown = _names_until(page, "(n, x) => n.includes(x)", in_park["name"].iloc[1])
    assert in_park["name"].iloc[1] in shown  # the park's public projects are on the map …
    assert internal["name"] not in shown  # … an internal one is not, for the public
    assert any(park["name"] in n for layer in _features(_map_frame(page)) for n in layer[1] if n)
    _clean(page, blocked, errors)
    page.close()


def test_an_edit_through_the_store_shows_after_a_reload(browser, pg_app):
    url, store = pg_app
    page, blocked, errors = _as_editor(browser, url, "规划总览")
    before = _metrics_until(page, "(m) => '注明投资的项目' in m")
    projects = store.read("projects")
    p = projects[projects.geometry.notna() & projects["investment_wan"].isna()].iloc[0]
    _names_until(page, "(n, x) => n.includes(x)", p["name"])
    token = int(store.version())
    new_name = f"{p['name']}（浏览器核对）"
    store.update_feature("projects", p["project_id"], {"name": new_name, "investment_wan": 4321.0}, user="测试")
    assert int(store.version()) > token
    page.reload()  # a reload is a new session: sign in again
    _sign_in(page)
    _go(page, "规划总览")
    names = _names_until(page, "(n, x) => n.includes(x)", new_name)
    assert new_name in names and p["name"] not in names
    key = "注明投资的项目"
    after = _metrics_until(page, "(m, b) => (m['注明投资的项目'] ?? b) !== b", before[key])  # present, changed
    assert int(after["注明投资的项目"]) == int(before["注明投资的项目"]) + 1, (before, after)
    assert after["项目数"] == before["项目数"]
    _clean(page, blocked, errors)
    page.close()


def test_undo_button_in_the_data_view_on_postgis(browser, pg_app):
    url, store = pg_app
    projects = store.read("projects").set_index("project_id")
    pid = projects[projects["status"].notna() & (projects["status"] != "停建")].index[3]
    old = projects.loc[pid, "status"]
    store.update_feature("projects", pid, {"status": "停建"}, user="浏览器测试")
    page, blocked, errors = _as_editor(browser, url, "数据")
    page.get_by_role("tab", name="撤销与备份").click()
    page.get_by_text("最近一次修改：").filter(has_text=pid).wait_for(timeout=60_000)
    assert "浏览器测试" in page.get_by_text("最近一次修改：").inner_text()
    page.get_by_role("button", name="撤销这次修改").click()
    page.get_by_text("已撤销").first.wait_for(timeout=60_000)
    assert store.read("projects").set_index("project_id").loc[pid, "status"] == old
    log = store.read("audit_log")
    assert log["action"].iloc[-1] == "undo" and log["feature_id"].iloc[-1] == pid and log["user"].iloc[-1] == EDITOR
    _clean(page, blocked, errors)
    page.close()


def test_a_change_made_outside_xxgeo_shows_on_the_next_rerun(browser, pg_app):
    import psycopg

    url, store = pg_app
    page, blocked, errors = _as_editor(browser, url, "规划总览")
    projects = store.read("projects")
    p = projects[projects.geometry.notna()].iloc[-1]
    _names_until(page, "(n, x) => n.includes(x)", p["name"])
    outside = f"{p['name']}（QGIS 修改）"
    with psycopg.connect(store.conninfo) as con:  # as psql or QGIS would: no store API, no audit row
        con.execute(f'UPDATE "{store.schema}".projects SET name = %s WHERE project_id = %s', (outside, p["project_id"]))
    _go(page, "乡镇")
    _go(page, "规划总览")  # a rerun in the same session, no reload
    names = _names_until(page, "(n, x) => n.includes(x)", outside)
    assert outside in names and p["name"] not in names
    _clean(page, blocked, errors)
    page.close()
