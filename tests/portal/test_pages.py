"""The citizens' portal: a living home page, facets in the reader's language, the dataset page's
API box, region pages, and bad search parameters answered with a normal page."""

import re

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


@pytest.fixture
def published(portal):
    for slug in ("societe", "finance", "environnement"):  # the themes these datasets use
        portal["sysadmin"].ok("group_create", name=slug, title_translated={"fr": slug.title()})
    names = []
    for name, themes, regions in (("population-regions", ["societe"], ["MA-01", "MA-04"]),
                                  ("budget-rabat", ["finance"], ["MA-04"]),
                                  ("eau-oriental", ["environnement", "societe"], ["MA-02"])):
        dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset(
            name=name, themes=themes, regions=regions, provinces=[]))
        portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
        portal["rod_hcp"].ok("datagovma_dataset_publish", id=dataset["id"])
        names.append(name)
    portal["gdd_hcp"].ok("package_create", **complete_dataset(name="brouillon-invisible"))
    from ckanext.datagovma import portal as portal_module

    portal_module.reset_kept()  # figures are kept for a minute, producers' names for five
    return names


def test_the_home_page_shows_live_figures_themes_and_regions(app, published):
    body = app.get("/").body
    assert "Chiffres clés" in body
    figures = body[body.index("datagovma-figure-list"):body.index("datagovma-home-columns")]
    # three published datasets, not the draft
    assert re.search(r"<strong><span[^>]*>3</span></strong>\s*jeux de données", figures), figures
    themes = body[body.index('class="datagovma-themes"'):body.index('id="datagovma-regions-title"')]
    assert re.search(r"Société</a>\s*<span class=\"badge\">2</span>", themes), themes
    assert "Tanger-Tétouan-Al Hoceïma" in body and "L&#39;Oriental" in body
    assert "brouillon-invisible" not in body


def test_the_home_page_runs_only_its_own_searches(app, published, monkeypatch):
    """Core's home view searched four datasets and five facets the page never showed."""
    from ckan.lib.search.query import PackageSearchQuery

    searches = []
    real = PackageSearchQuery.run

    def spy(self, query, *args, **kwargs):
        searches.append(dict(query))
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(PackageSearchQuery, "run", spy)
    body = app.get("/").body
    assert "population-regions" in body  # the latest datasets
    assert searches and all(s.get("sort") != "view_recent desc" for s in searches), searches


def test_a_user_without_an_email_address_is_asked_for_one_on_the_home_page(app, published):
    from ckan import model
    from ckan.tests import factories

    user = factories.UserWithToken()
    model.User.get(user["name"]).email = None
    model.Session.commit()
    body = app.get("/", headers={"Authorization": user["token"]}).body
    assert 'href="/user/edit"' in body and "mettre à jour votre profil" in body
    assert "mettre à jour votre profil" not in app.get("/").body


def test_the_home_page_in_arabic_is_right_to_left_with_arabic_names(app, published):
    body = app.get("/ar/").body
    assert 'dir="rtl"' in body
    assert "الأرقام الرئيسية" in body
    assert "طنجة تطوان الحسيمة" in body


def test_search_facets_are_labelled_in_the_readers_language(app, published):
    fr = app.get("/dataset/", query_string={"themes": "societe"}).body
    assert "Thèmes" in fr and "Régions" in fr and "Producteurs" in fr
    assert "population-regions" in fr and "eau-oriental" in fr and "budget-rabat" not in fr
    assert "Rabat-Salé-Kénitra" in fr
    ar = app.get("/ar/dataset/", query_string={"regions": "MA-04"}).body
    assert "الجهات" in ar and "الرباط سلا القنيطرة" in ar
    assert 'title="منتج"' in ar or ">منتج<" in ar  # the producer facet: its Arabic name


def test_the_dataset_page_has_the_api_box(app, published):
    body = app.get("/dataset/population-regions").body
    assert "/api/3/action/package_show?id=population-regions" in body
    arabic = app.get("/ar/dataset/population-regions").body  # the API has no language prefix
    assert 'href="http://test.ckan.net/api/3/action/package_show?id=population-regions"' in arabic


def test_language_links_keep_the_current_page(app, published):
    body = app.get("/dataset/population-regions").body
    assert 'href="/ar/dataset/population-regions"' in body
    assert 'href="/en/dataset/population-regions"' in body
    ar = app.get("/ar/dataset/", query_string={"q": "eau"}).body
    assert 'href="/dataset/?q=eau"' in ar


@pytest.mark.parametrize("query, message", [
    ({"page": "-1"}, "existe pas : voici la première page"),
    ({"page": "abc"}, "existe pas : voici la première page"),
    ({"sort": "garbage"}, "Ordre de tri inconnu"),
    ({"sort": "nosuchfield asc"}, "Ordre de tri inconnu"),
])
def test_bad_search_parameters_give_a_normal_page_with_a_message(app, published, query, message):
    resp = app.get("/dataset/", query_string=query, follow_redirects=True)
    assert resp.status_code == 200
    assert message in resp.body


@pytest.mark.parametrize("url", ["/dataset/?q=" + "eau " * 1300, "/dataset/?themes=inconnu",
                                 "/dataset/?regions=MA-99", "/organization/?page=abc", "/group/?page=-3"])
def test_odd_input_never_gives_a_500(app, published, url):
    resp = app.get(url, follow_redirects=True)
    assert resp.status_code == 200


def test_an_unsupported_language_prefix_is_a_normal_not_found_page(app):
    resp = app.get("/xx/dataset/")
    assert resp.status_code == 404
    assert "<html" in resp.body


def test_theme_and_producer_pages_list_their_published_datasets(app, published):
    theme = app.get("/group/societe").body
    assert "population-regions" in theme and "eau-oriental" in theme and "budget-rabat" not in theme
    assert "Régions" in theme  # the same facets as the search page
    producer = app.get("/organization/haut-commissariat-au-plan").body
    assert all(name in producer for name in published) and "brouillon-invisible" not in producer


def chart_rows(body, key):
    """{label: count} of one bar chart of the key figures page."""
    start = body.index(f'id="datagovma-chart-{key}"')
    section = body[start:body.index("</section>", start)]
    return {re.sub(r"<[^>]+>", "", label).strip(): int(count) for label, count in re.findall(
        r'<th scope="row">(.*?)</th>.*?datagovma-bar-count">(\d+)</span>', section, re.S)}


def test_the_key_figures_page_charts_the_published_datasets(app, published):
    body = app.get("/chiffres-cles").body
    assert "<h1>Chiffres clés</h1>" in body
    assert re.search(r"<strong>3</strong>\s*jeux de données", body)  # exact figures on this page
    assert chart_rows(body, "themes") == {"Société": 2, "Économie et finance": 1, "Environnement et énergie": 1}
    regions = chart_rows(body, "regions")
    assert len(regions) == 12 and regions["Rabat-Salé-Kénitra"] == 2 and regions["L&#39;Oriental"] == 1
    assert regions["Souss-Massa"] == 0
    assert chart_rows(body, "producers") == {"Haut Commissariat Au Plan": 3}
    assert chart_rows(body, "licences") == {"Open Data Commons Open Database License (ODbL)": 3}
    assert 'style="inline-size: 100.0%"' in body  # the largest bar fills its column
    assert "brouillon-invisible" not in body
    assert 'href="/chiffres-cles"' in app.get("/").body  # linked from the header and the home page


def test_the_key_figures_page_in_arabic(app, published):
    body = app.get("/ar/chiffres-cles").body
    assert 'dir="rtl"' in body
    assert chart_rows(body, "themes")["المجتمع"] == 2
    assert chart_rows(body, "regions")["الرباط سلا القنيطرة"] == 2
    assert "مجموعات البيانات حسب الموضوع" in body


def test_the_dataset_page_has_a_producer_card_in_the_readers_language(app, published):
    card = lambda body: body[body.index("datagovma-producer-card"):body.index("datagovma-producer-card") + 1500]  # noqa: E731
    assert "Haut Commissariat Au Plan" in card(app.get("/dataset/population-regions").body)
    arabic = card(app.get("/ar/dataset/population-regions").body)
    assert "منتج" in arabic and "كل مجموعات بيانات هذا المنتج" in arabic
    assert 'href="/ar/organization/haut-commissariat-au-plan"' in arabic


def test_search_results_show_titles_in_the_readers_language(app, published):
    fr = app.get("/dataset/", query_string={"q": "population"}).body
    assert ">Population légale des régions</a>" in fr
    ar = app.get("/ar/dataset/", query_string={"q": "population"}).body
    assert ">السكان القانونيون للجهات</a>" in ar and "نتائج إحصاء 2024." in ar
    assert ">السكان القانونيون للجهات</a>" in app.get("/ar/organization/haut-commissariat-au-plan").body


@pytest.mark.parametrize("path", ["/dataset/", "/ar/dataset/", "/organization/haut-commissariat-au-plan"])
def test_each_result_links_its_title_and_format_badges_to_its_page(app, published, path):
    items = [item[:item.index("</ul>")] for item in app.get(path).body.split('class="dataset-item')[1:]]
    assert len(items) == 3
    prefix = "/ar" if path.startswith("/ar") else ""
    for item in items:
        links = re.findall(r'href="([^"]+)"', item)
        assert len(links) == 2 and len(set(links)) == 1, links  # the title and the CSV badge
        assert links[0].startswith(f"{prefix}/dataset/") and links[0].split("/")[-1] in published
        assert 'data-format="csv">CSV</a>' in item


def test_addresses_built_for_one_page_are_not_reused_by_the_next(app, published):
    """h.url_for answers a page's repeated questions once, and lists build their datasets'
    addresses from one: the next page, in another language, builds its own."""
    arabic = app.get("/ar/dataset/").body
    french = app.get("/dataset/").body
    home = app.get("/ar/").body
    assert 'href="/ar/dataset/population-regions"' in arabic and 'href="/ar/dataset/population-regions"' in home
    assert 'href="/dataset/population-regions"' in french
    assert 'href="/ar/dataset/population-regions"' not in french
    assert 'href="/dataset/population-regions"' not in arabic + home


@pytest.mark.parametrize("prefix, labels", [
    ("", ["Jeux de données", "Producteurs", "Thèmes", "Chiffres clés", "À propos"]),
    ("/ar", ["مجموعات البيانات", "المنتجون", "المواضيع", "الأرقام الرئيسية", "عن الموقع"])])
def test_the_main_navigation_speaks_of_producers_and_themes(app, prefix, labels):
    """The header names CKAN's organizations and groups as the rest of the portal does."""
    import lxml.html

    page = lxml.html.fromstring(app.get(f"{prefix}/organization/").body)
    links = page.xpath("//div[@id='main-navigation-toggle']/ul/li/a")
    assert [a.text_content().strip() for a in links] == labels
    hrefs = [a.get("href") for a in links]
    assert hrefs[1:3] == [f"{prefix}/organization/", f"{prefix}/group/"]
    active = [a.text_content().strip() for a in links if "active" in (a.getparent().get("class") or "")]
    assert active == [labels[1]]  # the producers' list is the page shown


@pytest.mark.parametrize("path, fr, ar", [("/organization/", "Producteurs", "المنتجون"),
                                          ("/group/", "Thèmes", "المواضيع")])
def test_the_producers_and_themes_lists_are_named_as_the_navigation_names_them(app, path, fr, ar):
    import lxml.html

    for prefix, name in (("", fr), ("/ar", ar)):
        page = lxml.html.fromstring(app.get(prefix + path).body)
        assert page.findtext(".//title").startswith(name + " - ")
        assert page.xpath("//ol[contains(@class, 'breadcrumb')]/li")[-1].text_content().strip() == name
        if path == "/organization/":  # core's group list has no block around its (hidden) h1
            assert page.xpath("//h1")[0].text_content().strip() == name
