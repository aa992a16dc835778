"""An RFM segment is made of how often its customers ordered: "Champions: 100% ordered more
than once" says nothing new, so no repeat-rate finding is made for RFM segments; value
tiers, which are not defined by it, keep theirs."""
from __future__ import annotations

from clv_engine.pipeline import Settings, analyze
from clv_engine.sample import sample_path


def test_no_repeat_rate_finding_for_rfm_segments_but_for_value_tiers():
    analysis = analyze(str(sample_path()), Settings(report=False))
    found = analysis.add_insights().findings
    assert not any(f.startswith("Your '") and "ordered more than once" in f for f in found)
    assert any(f.startswith("Your High tier") and "ordered more than once" in f for f in found)
