"""The two word tables stay in step (issue 14, item 6): ui/i18n.js has the
same keys in Ukrainian and English, every literal t('key') of ui/app.js is
in both, every word('kind', ...) the page asks for is a kind of the hub's one
table of codes (hub/words.c, GET /api/words), and that table has the same
codes in both languages, each with its own words.
"""
import os
import re

from staffapi import Browser

ROOT = os.environ.get("MO_SOURCE_ROOT",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def table(src, name):
    """the keys of `const <name> = { ... };` in i18n.js"""
    body = re.search(r"const %s = \{(.*?)\n\};" % name, src, re.S).group(1)
    body = re.sub(r"^\s*//.*$", "", body, flags=re.M)
    return set(re.findall(r"(?:^|[,{\s])'?([A-Za-z_][\w.]*)'?\s*:\s*['\"]", body))


def test_ui_tables_match_each_other_and_the_page():
    i18n, app = read("ui/i18n.js"), read("ui/app.js")
    uk, en = table(i18n, "uk"), table(i18n, "en")
    assert len(uk) > 200
    assert uk - en == set() and en - uk == set(), (uk ^ en)
    used = set(re.findall(r"\bt\('([\w.]+)'\s*[,)]", app))
    assert used and used - uk == set(), used - uk
    # the hub's codes are not copied into the page's table
    assert not [k for k in uk if k.startswith("f_")]


def test_the_page_asks_only_for_kinds_the_hub_has(hub):
    app = read("ui/app.js")
    kinds = set(re.findall(r"\b(?:word|hasWord)\('(\w+)'", app))
    b = Browser(hub.url)
    uk = b.get("/api/words?lang=uk").json()
    en = b.get("/api/words?lang=en").json()
    assert kinds and kinds - set(uk) == set(), kinds - set(uk)
    for kind in kinds | {"columns", "report", "history_kinds"}:
        assert set(uk[kind]) == set(en[kind]), kind
        for code in uk[kind]:
            assert uk[kind][code] and en[kind][code], (kind, code)
            assert re.search("[а-яіїєґ]", uk[kind][code], re.I), (kind, code, uk[kind][code])
            assert not re.search("[а-яіїєґ]", en[kind][code], re.I), (kind, code, en[kind][code])
