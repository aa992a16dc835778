"""Tier names in any script: one file per tier, readable and distinct slugs, distinct tags.

Audit: ``--tier-names "Золото,Серебро,Бронза"`` wrote every tier to ``mailchimp_segment.csv``
(the last one won, the summary listed that file three times) and tagged everyone
``clv-tier-segment``; ``Élite``/``Fidèle`` became ``clv-tier-lite``/``clv-tier-fid-le``.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pandas as pd
import pytest

from clv_engine import cli
from clv_engine.errors import InputError
from clv_engine.exports import EMAIL_TOOLS, export_email_lists
from clv_engine.segments.playbook import distinct_slugs, is_safe_tag, tag_slug

CYRILLIC = ["Золото", "Серебро", "Бронза"]


def rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def customers(tiers, sizes, categorical=True, order=None):
    labels = [t for t, n in zip(tiers, sizes) for _ in range(n)]
    n = len(labels)
    return pd.DataFrame({
        "customer_id": [str(i) for i in range(n)],
        "email": [f"c{i}@example.com" for i in range(n)],
        "name": [f"Ann Lee{i}" for i in range(n)],
        "consent": pd.array([True] * n, dtype="boolean"),
        # best tier first: values fall with the position
        "tier": pd.Categorical(labels, categories=order or tiers, ordered=True) if categorical else labels,
        "clv": [float(1000 - i) for i in range(n)],
        "rfm_segment": ["Champions"] * n,
    })


@pytest.mark.parametrize("tool", EMAIL_TOOLS)
@pytest.mark.parametrize("categorical", [True, False])
def test_cyrillic_tiers_get_one_file_each_ranked_best_first(tmp_path, tool, categorical):
    table = customers(CYRILLIC, [2, 5, 3], categorical=categorical)
    result = export_email_lists(table, tool, tmp_path)
    assert result.per_file == {f"{tool}_tier-1.csv": 2, f"{tool}_tier-2.csv": 5, f"{tool}_tier-3.csv": 3}
    assert result.written == 10 == sum(len(rows(p)) for p in result.files)
    assert len(set(result.files)) == 3
    tier_column = {"mailchimp": "CLV Tier", "klaviyo": "CLV Tier", "hubspot": "CLV Tier", "brevo": "CLV_TIER",
                   "activecampaign": "CLV Tier", "generic": "tier"}[tool]
    for name, tier in zip(["tier-1", "tier-2", "tier-3"], CYRILLIC):
        assert {r[tier_column] for r in rows(tmp_path / f"{tool}_{name}.csv")} == {tier}


def test_tags_keep_letters_of_other_scripts_and_tell_tiers_apart(tmp_path):
    table = customers(CYRILLIC, [2, 5, 3])
    export_email_lists(table, "mailchimp", tmp_path, mode="tagged")
    got = rows(tmp_path / "mailchimp_all.csv")
    tier_tags = {r["CLV Tier"]: r["Tags"].split(",")[0] for r in got}
    assert tier_tags == {"Золото": "clv-tier-золото", "Серебро": "clv-tier-серебро", "Бронза": "clv-tier-бронза"}
    assert all(is_safe_tag(tag) for r in got for tag in r["Tags"].split(","))


def test_accented_latin_tiers_are_transliterated(tmp_path):
    names = ["Élite", "Fidèle", "Occasionnel"]
    table = customers(names, [1, 2, 1])
    export_email_lists(table, "mailchimp", tmp_path / "tagged", mode="tagged")
    tags = {r["CLV Tier"]: r["Tags"].split(",")[0] for r in rows(tmp_path / "tagged" / "mailchimp_all.csv")}
    assert tags == {"Élite": "clv-tier-elite", "Fidèle": "clv-tier-fidele", "Occasionnel": "clv-tier-occasionnel"}
    result = export_email_lists(table, "mailchimp", tmp_path / "tiers")
    assert list(result.per_file) == ["mailchimp_elite.csv", "mailchimp_fidele.csv", "mailchimp_occasionnel.csv"]


@pytest.mark.parametrize("names, files", [
    (["Élite", "Elite", "ELITE!"], ["elite", "elite-2", "elite-3"]),
    (["Gold", "★★★", "金"], ["gold", "tier-2", "tier-3"]),
    (["All", "Opted out", "Not subscribed"], ["all-1", "opted-out-2", "not-subscribed-3"]),
])
def test_two_tiers_never_share_a_file_or_a_tag(tmp_path, names, files):
    table = customers(names, [1, 1, 1])
    result = export_email_lists(table, "activecampaign", tmp_path / "tiers")
    assert list(result.per_file) == [f"activecampaign_{f}.csv" for f in files]
    export_email_lists(table, "activecampaign", tmp_path / "one", mode="tagged")
    tags = [r["Tags"].split(",")[0] for r in rows(tmp_path / "one" / "activecampaign_all.csv")]
    assert len(set(tags)) == 3


def test_a_second_export_of_cyrillic_tiers_is_recognised_as_an_earlier_list(tmp_path):
    table = customers(CYRILLIC, [1, 1, 1])
    export_email_lists(table, "brevo", tmp_path)
    with pytest.raises(InputError, match="brevo_tier-1.csv"):
        export_email_lists(table, "brevo", tmp_path)
    fewer = table.iloc[:2].copy()  # the Бронза customer is gone: its old list is removed
    export_email_lists(fewer, "brevo", tmp_path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brevo_tier-1.csv", "brevo_tier-2.csv"]


def test_tag_slug_and_distinct_slugs():
    assert tag_slug("Élite") == "elite" and tag_slug("Fidèle") == "fidele" and tag_slug("Straße") == "strasse"
    assert tag_slug("Золото") == "золото" and tag_slug("Йогурт") == "йогурт"  # й keeps its breve
    assert tag_slug("At risk") == "at-risk" and tag_slug("VIP ★") == "vip" and tag_slug("★") == "segment"
    assert distinct_slugs(CYRILLIC, ascii_only=True) == {"Золото": "tier-1", "Серебро": "tier-2", "Бронза": "tier-3"}
    assert distinct_slugs(CYRILLIC) == {"Золото": "золото", "Серебро": "серебро", "Бронза": "бронза"}
    assert distinct_slugs(["a b", "A-B", "a_b"]) == {"a b": "a-b", "A-B": "a-b-2", "a_b": "a-b-3"}


def test_clv_analyze_with_cyrillic_tier_names_writes_three_lists(tmp_path):
    src = tmp_path / "orders.csv"
    lines = ["Order,Email,Customer,Date,Total,Accepts Marketing"]
    for i in range(20):
        for k in range(1 + i % 3):
            lines.append(f"{i}-{k},c{i}@example.com,Ann Lee{i},2024-0{1 + k}-1{i % 9},{10 * (i + 1)}.00,yes")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main(["analyze", str(src), "--out", str(out), "--method", "historical", "--no-report", "-q",
                     "--tier-names", ",".join(CYRILLIC), "--export", "mailchimp,generic"])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    customers_csv = pd.read_csv(out / "customers.csv")
    sizes = customers_csv["tier"].value_counts()
    for export in summary["exports"]:
        tool = export["tool"]
        assert export["files"] == [f"{tool}_tier-1.csv", f"{tool}_tier-2.csv", f"{tool}_tier-3.csv"]
        assert export["written"] == 20
        for name, tier in zip(export["files"], CYRILLIC):
            got = rows(out / "exports" / name)
            assert len(got) == sizes[tier]
            assert {r["CLV Tier" if tool == "mailchimp" else "tier"] for r in got} == {tier}


@pytest.mark.parametrize("tool", ["mailchimp", "klaviyo", "hubspot"])
def test_long_tier_names_that_differ_only_at_the_end_get_different_tags(tmp_path, tool):
    names = ["a" * 120 + "x", "a" * 120 + "y", "Low"]
    export_email_lists(customers(names, [1, 1, 1]), tool, tmp_path, mode="tagged")
    got = list(csv.DictReader(io.StringIO((tmp_path / f"{tool}_all.csv").read_text(encoding="utf-8-sig"))))
    tag_column = next(c for c in got[0] if "tag" in c.lower())
    first = [re.split("[,;]", r[tag_column].replace('"', "").replace("[", ""))[0] for r in got]
    assert len(set(first)) == 3 and all(len(t) <= 100 for t in first)
