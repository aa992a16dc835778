"""Result charts are plain matplotlib Figures that render to images."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

import io  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from clv_desktop import charts, insights  # noqa: E402

from .fakes import fake_customers  # noqa: E402


def _texts(figure: Figure) -> list[str]:
    return [t.get_text() for ax in figure.axes for t in ax.texts]


def test_every_chart_renders_to_png_without_qt_widgets():
    figures = charts.all_result_figures(fake_customers(300), ["High", "Medium", "Low"])
    assert set(figures) == {"value_by_tier", "cumulative_value", "clv_distribution", "rfm_grid"}
    for figure in figures.values():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        assert buffer.getvalue()[:4] == b"\x89PNG"
        assert figure.axes and figure.axes[0].has_data()


def test_concentration_chart_marks_the_same_top_20_percent_as_the_card():
    customers = fake_customers(99)
    figure = charts.cumulative_value_figure(customers)
    share = insights.top_share(customers["clv"].to_numpy())
    assert f"top 20% hold {share * 100:.0f}%" in _texts(figure)


def test_tier_chart_lists_tiers_best_first_with_counts():
    customers = fake_customers(100)
    figure = charts.value_by_tier_figure(customers, ["High", "Medium", "Low"])
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert labels == ["High", "Medium", "Low"]
    assert any("20 customers" in text for text in _texts(figure))


def test_empty_results_say_so_instead_of_drawing_empty_axes():
    empty = pd.DataFrame(columns=["clv", "tier", "rfm_r", "rfm_f"])
    for figure in charts.all_result_figures(empty).values():
        assert any(text.startswith("No ") for text in _texts(figure))


def test_rfm_grid_counts_every_scored_customer():
    customers = fake_customers(250)
    figure = charts.rfm_grid_figure(customers)
    counts = [int(t.replace(",", "")) for t in _texts(figure)]
    assert sum(counts) == 250


def test_the_cohort_heat_map_shows_cohorts_not_the_pooled_row():
    from types import SimpleNamespace

    from clv_desktop import insight_charts

    rows = [{"cohort": c, "months_since_first": k, "active_share": 1.0 if k == 0 else 0.3}
            for c, n in (("2024-01", 3), ("2024-02", 2), ("all", 3)) for k in range(n)]
    figure = insight_charts.cohort_figure(SimpleNamespace(cohorts=pd.DataFrame(rows)))
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels == ["2024-01", "2024-02"]


def test_concentration_chart_marks_the_top_tier_the_card_names():
    customers = fake_customers(200)
    values = customers["clv"].to_numpy()
    order = np.argsort(-values)
    tier = np.array(["Low"] * len(values), dtype=object)
    tier[order[:20]] = "Gold"  # a top tier of 10%
    customers["tier"] = pd.Categorical(tier, categories=["Gold", "Low"])
    share = np.sort(values)[::-1][:20].sum() / values.sum()
    assert f"top 10% hold {share * 100:.0f}% (Gold tier)" in _texts(charts.cumulative_value_figure(customers))
