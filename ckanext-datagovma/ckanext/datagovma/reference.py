"""The portal's reference data (data/*.csv, copied from the national reference lists): the 12
regions, 75 provinces, themes with their EU data theme, and producers."""

import csv
import functools
import os

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _read(name):
    with open(os.path.join(DATA_DIR, name), encoding="utf-8") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


@functools.lru_cache(maxsize=None)
def regions():
    """{'MA-01': {'code': '01', 'name_fr': ..., 'name_ar': ...}, ...}"""
    return {row["iso_3166_2"]: row for row in _read("regions.csv")}


@functools.lru_cache(maxsize=None)
def provinces():
    """{'01.051': {'region': 'MA-01', 'name_fr': ...}, ...}"""
    return {row["code"]: dict(row, region=f"MA-{row['region_code']}") for row in _read("provinces.csv")}


@functools.lru_cache(maxsize=None)
def themes():
    """{'agriculture': {'name_fr': ..., 'name_ar': ..., 'eu_data_theme': 'AGRI'}, ...}"""
    return {row["slug"]: row for row in _read("themes.csv")}


@functools.lru_cache(maxsize=None)
def producers():
    return {row["slug"]: row for row in _read("producers.csv")}
