"""The Help › Glossary text: the words the results use, in plain language (no Qt here)."""
from __future__ import annotations

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Expected value (CLV)",
     "What a customer is expected to bring you. With the predictive model it is the "
     "expected spend over the horizon (e.g. the next 12 months), discounted to today's "
     "money; with the simple formula it covers the customer's whole expected lifetime; "
     "with historical value it is what they have spent so far. Multiplied by your profit "
     "margin: at 100% it is revenue, not profit."),
    ("Horizon", "How far ahead the predictive model counts future orders (Settings)."),
    ("Profit margin",
     "The share of each sale you keep after product costs. 100% (the default) counts "
     "revenue; set your real margin in Settings to see profit."),
    ("Discount rate", "Money later is worth less than money now: future orders are "
                      "discounted by this rate a year."),
    ("Expected value, low / high",
     "The range the expected value most likely falls in (80% of simulated futures); it "
     "shows the randomness of future orders, not every uncertainty of the model."),
    ("Chance still a customer (P(alive))",
     "How likely it is that the customer has not quietly stopped buying from you, given "
     "how often they ordered and how long it has been since."),
    ("Churn risk",
     "The chance that the customer places no order within the horizon, shown as Low, "
     "Medium or High; hover over it for the probability."),
    ("Next order (estimate)",
     "When the model expects the next order; empty when no order is likely within the "
     "horizon."),
    ("Value tier", "Customers ranked by expected value and split into groups (by default "
                   "the top 20% High, the next 50% Medium, the rest Low)."),
    ("Segment (RFM)",
     "Groups by Recency (how long since the last order), Frequency (how many orders) "
     "and Monetary value (how much spent), each scored 1-5 against your other "
     "customers: Champions, Loyal, At risk, Lost and so on. 'At risk' and 'Lost' are "
     "about recency, not the churn model."),
    ("Recommended actions", "What shops usually do for a tier and segment (e.g. a "
                            "win-back offer for At risk customers)."),
    ("Marketing consent", "Whether the customer agreed to marketing emails. Only those "
                          "who agreed are exported to email tools unless you choose "
                          "otherwise."),
    ("Skipped rows", "Rows of your file that are not orders (cancelled, refunds without "
                     "their order, totals, other currencies…); the Check data page lists "
                     "each with its reason."),
)


def glossary_html() -> str:
    """The glossary as simple HTML for a text browser."""
    from html import escape
    items = "".join(f"<dt><b>{escape(term)}</b></dt><dd>{escape(text)}</dd>"
                    for term, text in GLOSSARY)
    return f"<dl>{items}</dl>"
