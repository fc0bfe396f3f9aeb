"""French and Arabic text analysis, end to end through the service (config/solr/schema.xml)."""

import pytest

from .conftest import ckan_doc, ids

DISMAX = {
    "defType": "dismax",
    "qf": "name^4 title^4 tags^2 groups^2 text",
    "mm": "2<-1 5<80%",
    "tie": "0.1",
    "q.op": "AND",
}


@pytest.fixture
def bilingual(solr):
    solr.add(
        [
            ckan_doc("economie", title="Économie nationale"),
            ckan_doc("donnees-ar", title="البيانات المفتوحة للمغرب", notes="إحصائيات السكان حسب الجهة"),
            ckan_doc("eau", title="Qualité de l'eau", notes="Les données d'analyse sont publiées chaque trimestre"),
            ckan_doc("tatweel", title="الســـكان والمساكن"),
            ckan_doc("harakat", title="مَدْرَسَة ابتدائية"),
            ckan_doc("hamza", title="إحصاء عام"),
        ],
        commit=True,
    )
    return solr


@pytest.mark.parametrize(
    "q, expected",
    [
        ("economie", ["economie"]),
        ("Économie", ["economie"]),
        ("économique", ["economie"]),
        ("ECONOMIES", ["economie"]),
        ("eau", ["eau"]),
        ("l'eau", ["eau"]),
        ("analyses", ["eau"]),
        ("publié", ["eau"]),
        ("بيانات", ["donnees-ar"]),
        ("البيانات", ["donnees-ar"]),
        ("مفتوحة", ["donnees-ar"]),
        ("والمغرب", ["donnees-ar"]),  # the wa-al prefix goes, as in Lucene's ArabicStemmer
        ("المغرب", ["donnees-ar"]),
        ("السكان", ["donnees-ar", "tatweel"]),
        ("مدرسه", ["harakat"]),
        ("احصاء", ["hamza"]),
    ],
)
def test_french_and_arabic_queries(bilingual, q, expected):
    assert ids(bilingual.search(q, **DISMAX)) == sorted(f"id-{n}" for n in expected)
