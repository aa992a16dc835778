"""Write a sample line-item export: one row per order line with products, categories,
sales channel, discount code, customer type and geography (a Superstore-like layout).

Run ``python -m clv_engine.sample.generate_line_items [out.csv] [--seed N]``; the output
is deterministic for a seed. Customers arrive over three years ending 2025-12-31, buy at a
gamma-distributed Poisson rate and may drop out after each purchase (BG/NBD). Built-in
patterns for the profiles to find: frequent buyers favour Binders and Machines, customers
won through Email or Instagram come back more often than Marketplace customers, Corporate
customers place larger orders, and about 3% of lines are returned later.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path

import numpy as np

__all__ = ["LINE_ITEM_COLUMNS", "generate_line_items_csv"]

LINE_ITEM_COLUMNS = ["Order ID", "Order Date", "Customer ID", "Customer Name", "Segment", "Channel",
                     "Discount Code", "Country", "Region", "State", "City", "Category", "Sub-Category",
                     "Product Name", "SKU", "Quantity", "Unit Price", "Sales", "Profit"]
START = dt.date(2023, 1, 1)
END = dt.date(2025, 12, 31)
# sub-category -> (category, products with prices, margin share)
CATALOGUE = {
    "Binders": ("Office Supplies", [("Avery Heavy-Duty Binder", 12.5), ("GBC Binding Covers", 18.0),
                                    ("Wilson Jones Ring Binder", 9.9)], 0.35),
    "Paper": ("Office Supplies", [("Xerox 1967 Copy Paper", 6.5), ("Easy-staple Paper", 11.0)], 0.45),
    "Art": ("Office Supplies", [("Prismacolor Pencils", 14.0), ("Newell Markers", 5.5)], 0.30),
    "Storage": ("Office Supplies", [("Fellowes Bankers Box", 24.0), ("Tennsco Shelving", 140.0)], 0.15),
    "Chairs": ("Furniture", [("Hon Task Chair", 180.0), ("Global Leather Chair", 320.0)], 0.12),
    "Tables": ("Furniture", [("Bretford Meeting Table", 420.0), ("Hon Round Table", 260.0)], -0.05),
    "Bookcases": ("Furniture", [("Sauder Bookcase", 150.0), ("Bush Birmingham Bookcase", 210.0)], 0.05),
    "Phones": ("Technology", [("Cisco IP Phone", 220.0), ("Samsung Galaxy Phone", 480.0)], 0.18),
    "Accessories": ("Technology", [("Logitech Wireless Mouse", 30.0), ("Kingston USB Drive", 18.0)], 0.25),
    "Machines": ("Technology", [("Brother Laser Printer", 350.0), ("Fellowes Shredder", 190.0)], 0.20),
}
LIGHT_TASTE = {"Paper": 3.0, "Art": 2.0, "Storage": 1.5, "Chairs": 1.0, "Tables": 0.5, "Bookcases": 0.7,
               "Phones": 0.8, "Accessories": 2.0, "Binders": 1.0, "Machines": 0.3}
HEAVY_TASTE = dict(LIGHT_TASTE, Binders=4.0, Machines=1.5)
CHANNELS = {"Organic search": (0.30, 1.0), "Instagram": (0.25, 1.3), "Google Ads": (0.18, 0.9),
            "Email": (0.10, 1.6), "Marketplace": (0.17, 0.5)}  # share of new customers, repeat-rate factor
SEGMENTS = {"Consumer": (0.55, 1.0), "Corporate": (0.30, 1.6), "Home Office": (0.15, 1.1)}  # share, order size
PLACES = [("United States", "West", "California", ["Los Angeles", "San Francisco", "San Diego"], 0.22),
          ("United States", "West", "Washington", ["Seattle", "Spokane"], 0.08),
          ("United States", "East", "New York", ["New York City", "Buffalo"], 0.16),
          ("United States", "East", "Pennsylvania", ["Philadelphia", "Pittsburgh"], 0.08),
          ("United States", "Central", "Texas", ["Houston", "Dallas", "Austin"], 0.14),
          ("United States", "Central", "Illinois", ["Chicago"], 0.07),
          ("United States", "South", "Florida", ["Miami", "Jacksonville"], 0.09),
          ("United States", "South", "Georgia", ["Atlanta"], 0.04),
          ("Canada", "Canada", "Ontario", ["Toronto", "Ottawa"], 0.08),
          ("Canada", "Canada", "British Columbia", ["Vancouver"], 0.04)]
FIRST = ["Claire", "Darrin", "Sean", "Brosina", "Andrew", "Irene", "Harold", "Pete", "Alejandro", "Zuschuss",
         "Ken", "Sandra", "Emily", "Eric", "Tracy", "Matt", "Gene", "Steve", "Linda", "Ruben", "Erin", "Odella",
         "Patrick", "Lena", "Ted", "Tamara", "Arthur", "Janet", "Kunst", "Maria"]
LAST = ["Gute", "Van Huff", "O'Donnell", "Hoffman", "Allen", "Maddox", "Pawlan", "Kriz", "Grove", "Carroll",
        "Lonsdale", "Flathers", "Burns", "Hoffmann", "Blount", "Abelman", "Hale", "Nguyen", "Cazale", "Ausman",
        "Smithers", "Nelson", "O'Briant", "Hernandez", "Trevino", "Chand", "Gill", "Molinari", "Miller", "Lopez"]


def _pick(rng, options: dict, key=0):
    names = list(options)
    weights = np.array([options[n][key] if isinstance(options[n], tuple) else options[n] for n in names], float)
    return names[rng.choice(len(names), p=weights / weights.sum())]


def generate_line_items_csv(path, *, customers: int = 1500, seed: int = 7) -> Path:
    """Write the sample export to ``path`` and return the path."""
    rng = np.random.default_rng(seed)
    days = (END - START).days
    rows = []
    order_no = 100000
    for c in range(customers):
        arrival = START + dt.timedelta(days=int(rng.integers(0, days)))
        channel = _pick(rng, CHANNELS)
        segment = _pick(rng, SEGMENTS)
        place = PLACES[rng.choice(len(PLACES), p=np.array([p[4] for p in PLACES]) / sum(p[4] for p in PLACES))]
        city = place[3][rng.integers(0, len(place[3]))]
        rate = rng.gamma(0.9, 2.2) * CHANNELS[channel][1]  # orders per year
        heavy = rate > 3.0
        dropout = rng.beta(1.2, 3.5)
        taste = HEAVY_TASTE if heavy else LIGHT_TASTE
        name = f"{FIRST[rng.integers(0, len(FIRST))]} {LAST[rng.integers(0, len(LAST))]}"
        customer_id = f"{name.split()[0][:1]}{name.split()[-1][:1]}-{10000 + c}"
        date = arrival
        first = True
        while date <= END:
            order_no += 1
            code = ""
            if first and channel == "Instagram" and rng.random() < 0.6:
                code = "WELCOME10"
            elif not first and rng.random() < 0.12:
                code = "VIP20" if heavy else "SPRING15"
            off = {"WELCOME10": 0.10, "VIP20": 0.20, "SPRING15": 0.15}.get(code, 0.0)
            bought = set()
            for _ in range(1 + rng.poisson(0.8 * SEGMENTS[segment][1])):
                sub = _pick(rng, taste)
                category, products, margin = CATALOGUE[sub]
                product, price = products[rng.integers(0, len(products))]
                if product in bought:  # one line per product and order
                    continue
                bought.add(product)
                quantity = int(1 + rng.poisson(1.2 * SEGMENTS[segment][1]))
                sales = round(quantity * price * (1 - off), 2)
                profit = round(sales * margin - quantity * price * off * 0.5, 2)
                sku = f"{category[:3].upper()}-{sub[:3].upper()}-{products.index((product, price)) + 1:02d}"
                line = [f"US-{date.year}-{order_no}", date.isoformat(), customer_id, name, segment, channel, code,
                        place[0], place[1], place[2], city, category, sub, product, sku, quantity, f"{price:.2f}",
                        f"{sales:.2f}", f"{profit:.2f}"]
                rows.append(line)
                if rng.random() < 0.03:  # returned later: the same order, negative quantity and value
                    back = list(line)
                    back[15], back[17], back[18] = -quantity, f"{-sales:.2f}", f"{-profit:.2f}"
                    rows.append(back)
            first = False
            if rng.random() < dropout:
                break
            date = date + dt.timedelta(days=max(1, int(rng.exponential(365.0 / max(rate, 0.05)))))
    rows.sort(key=lambda r: (r[1], r[0]))
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LINE_ITEM_COLUMNS)
        writer.writerows(rows)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="line_items_sample.csv")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--customers", type=int, default=1500)
    args = parser.parse_args(argv)
    generate_line_items_csv(args.out, customers=args.customers, seed=args.seed)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
