"""Tiers of other names (the README's Gold/Silver/Bronze) keep their rank order in every
table and get the recommended actions and tags of the built-in tier of their rank."""
from __future__ import annotations

import pandas as pd

from clv_engine.pipeline import Settings, analyze
from clv_engine.sample import sample_path
from clv_engine.segments import Playbook


def test_a_tier_the_playbook_does_not_name_takes_the_built_in_tier_of_its_rank():
    book = Playbook.load()
    tiers = pd.Series(pd.Categorical(["Silver", "Gold", "Bronze", "Tin"],
                                     categories=["Gold", "Silver", "Bronze", "Tin"], ordered=True))
    ranked = book.for_tiers(tiers)
    assert ranked.actions_for("Gold") == book.actions_for("High")
    assert ranked.tag_for("Gold") == book.tag_for("High")
    assert ranked.actions_for("Silver") == ranked.actions_for("Bronze") == book.actions_for("Medium")
    assert ranked.actions_for("Tin") == book.actions_for("Low")
    assert book.actions_for("Gold") == []  # the loaded playbook itself is unchanged
    assert book.for_tiers(["High", "Medium", "Low"]) is book


def test_custom_tier_names_are_listed_best_first_with_their_actions(tmp_path):
    settings = Settings(tier_splits="10,40,50", tier_names=("Gold", "Silver", "Bronze"), report=False,
                        exports=("mailchimp",), export_mode="tagged", include_no_consent=True)
    analysis = analyze(str(sample_path()), settings)
    assert list(analysis.segments["tier"]) == ["Gold", "Silver", "Bronze"]
    actions = dict(zip(analysis.segments["tier"], analysis.segments["actions"]))
    book = Playbook.load()
    assert actions["Gold"] == "; ".join(book.actions_for("High"))
    assert actions["Bronze"] == "; ".join(book.actions_for("Low"))
    gold = analysis.customers[analysis.customers["tier"] == "Gold"]
    assert gold["actions"].str.contains(book.actions_for("High")[0], regex=False).all()
    analysis.write(str(tmp_path / "out"))
    written = pd.read_csv(tmp_path / "out" / "segments.csv")
    assert list(written["tier"]) == ["Gold", "Silver", "Bronze"]
    lists = sorted((tmp_path / "out" / "exports").glob("mailchimp*.csv"))
    tags = pd.concat(pd.read_csv(f) for f in lists)["Tags"]
    assert tags.str.contains(book.tag_for("High"), regex=False).any()
