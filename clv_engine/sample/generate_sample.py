"""Write the bundled sample shop: a Shopify orders export generated from a buy-till-you-die process.

Run ``python -m clv_engine.sample.generate_sample [out.csv] [--seed N]``. The output is
deterministic for a seed. Customers arrive over two years ending 2026-10-31; each buys
at a gamma-distributed Poisson rate, may drop out after every purchase with a
beta-distributed probability (BG/NBD), and spends gamma-gamma amounts.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import unicodedata
from pathlib import Path

import numpy as np

__all__ = ["SHOPIFY_COLUMNS", "generate_orders_csv"]

SHOPIFY_COLUMNS = [
    # Shopify's order; a few rarely filled address/tax columns are left out to keep the file small
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
    "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Billing Name", "Billing Street", "Billing City", "Billing Zip", "Billing Province", "Billing Country",
    "Billing Phone", "Shipping Name", "Shipping Street", "Shipping City", "Shipping Zip", "Shipping Province",
    "Shipping Country", "Notes", "Cancelled at", "Payment Method", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Location", "Id", "Tags", "Source", "Lineitem discount", "Phone",
]

END = dt.datetime(2026, 10, 31, 23, 59, 59)
START = dt.datetime(2024, 11, 1)
_FIRST = ["Anna", "Lukas", "Sophie", "Jonas", "Marie", "Léa", "Zoë", "Ömer", "Chloé", "Björn", "Sarah", "Paul",
          "Emma", "Noah", "Mia", "Elias", "Lena", "Felix", "Hannah", "Jakub", "Aoife", "Siobhán", "José", "Inès",
          "Lars", "Ingrid", "Marco", "Giulia", "Tomás", "Małgorzata", "Olivia", "Liam", "Ava", "Lucas", "Nora",
          "Ben", "Clara", "Milan", "Amélie", "Søren", "Ida", "Théo", "Yusuf", "Elif", "Raphaël", "Greta", "Max"]
_LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Martin",
         "Bernard", "Rossi", "Russo", "García", "Fernández", "Nowak", "Kowalski", "de Vries", "Jansen", "Bakker",
         "O'Brien", "Murphy", "Smith", "Jones", "Larsen", "Nielsen", "Andersson", "Johansson", "Novák",
         "Horváth", "Yılmaz", "Kaya", "Silva", "Costa", "Lefèvre", "Moreau", "Hoffmann", "Koch", "Richter",
         "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann"]
_PLACES = [("DE", "Berlin", "10115"), ("DE", "München", "80331"), ("DE", "Köln", "50667"), ("DE", "Dresden", "01067"),
           ("AT", "Wien", "1010"), ("NL", "Amsterdam", "1012"), ("FR", "Paris", "75008"), ("FR", "Lyon", "69001"),
           ("BE", "Bruxelles", "1000"), ("IT", "Milano", "20121"), ("ES", "Madrid", "28001"), ("IE", "Dublin", "D02"),
           ("DK", "København", "1050"), ("SE", "Malmö", "21120"), ("PL", "Kraków", "30-001"), ("CH", "Zürich", "8001")]
_PRODUCTS = [("Ceramic Mug - Sage", 18.0), ("Ceramic Mug - Sand", 18.0), ("Linen Tea Towel", 14.5),
             ("Espresso Cup Set (2)", 29.0), ("Stoneware Bowl", 24.0), ("Serving Platter", 54.0),
             ("Pour-over Coffee Dripper", 36.0), ("Olive Wood Spoon", 9.5), ("Gift Card €25", 25.0),
             ("Teapot — Matte Black", 62.0), ("Candle: Fig & Cedar", 22.0), ("Table Runner", 39.0)]
_DOMAINS = ["gmail.com", "web.de", "gmx.de", "outlook.com", "yahoo.fr", "icloud.com", "posteo.de", "hotmail.com"]


def _offset(t: dt.datetime) -> str:
    return "+0200" if 4 <= t.month <= 10 else "+0100"


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S ") + _offset(t)


def _simulate(rng: np.random.Generator, n_customers: int):
    """Customer purchase times (BG/NBD) and per-order spend (gamma-gamma)."""
    span = (END - START).total_seconds() / 86400
    r, alpha, a, b = 0.75, 84.0, 0.8, 3.2  # purchase rate ~ Gamma(r, 1/alpha) per day; dropout ~ Beta(a, b)
    p_shape, q, gamma = 5.0, 4.0, 33.0  # spend: z ~ Gamma(p, nu), nu ~ Gamma(q, gamma)
    starts = np.sort(rng.uniform(0, span, n_customers))
    lam = rng.gamma(r, 1 / alpha, n_customers)
    drop = rng.beta(a, b, n_customers)
    nu = rng.gamma(q, 1 / gamma, n_customers)
    for i in range(n_customers):
        t = starts[i]
        times = [t]
        while True:
            if rng.random() < drop[i]:
                break
            t += rng.exponential(1 / lam[i])
            if t >= span:
                break
            times.append(t)
        spends = rng.gamma(p_shape, 1 / nu[i], len(times))
        yield i, [START + dt.timedelta(days=float(x)) for x in times], spends


def _money(x: float) -> str:
    return f"{x:.2f}"


def generate_orders_csv(path: str | Path, *, seed: int = 2026, n_customers: int = 3000) -> dict:
    """Write the sample Shopify orders CSV; returns counts (customers, orders, rows)."""
    rng = np.random.default_rng(seed)
    people, seen = [], set()
    while len(people) < n_customers:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        initial = chr(65 + int(rng.integers(0, 26)))
        name = f"{first} {initial}. {last}" if rng.random() < 0.6 else f"{first} {last}"
        if name in seen:
            continue
        seen.add(name)
        plain = unicodedata.normalize("NFKD", name.lower().replace(" ", ".").replace("..", ".").replace("'", ""))
        plain = plain.replace("ø", "o").replace("ł", "l").replace("ı", "i").encode("ascii", "ignore").decode()
        pos_only = rng.random() < 0.05
        email = "" if pos_only else f"{plain}{int(rng.integers(1, 99))}@{rng.choice(_DOMAINS)}"
        place = _PLACES[int(rng.integers(0, len(_PLACES)))]
        consent = "yes" if rng.random() < 0.55 else "no"
        phone = f"'+49{int(rng.integers(150000000, 179999999))}" if rng.random() < 0.3 else ""
        people.append((name, email, place, consent, phone, pos_only))

    orders = []
    for i, times, spends in _simulate(rng, n_customers):
        for t, spend in zip(times, spends):
            t = t.replace(microsecond=0)
            if t.hour < 7:
                t = t.replace(hour=int(rng.integers(8, 22)))
            orders.append((t, i, float(spend)))
    orders.sort(key=lambda o: o[0])

    rows, number, order_id = [], 1001, 5_600_000_000_000
    refunds = cancelled = 0
    for t, i, spend in orders:
        name, email, (country, city, zipcode), consent, phone, pos_only = people[i]
        pos = pos_only or rng.random() < 0.03
        n_lines = int(rng.choice([1, 2, 3], p=[0.62, 0.27, 0.11]))
        picks = rng.choice(len(_PRODUCTS), n_lines, replace=False)
        weights = rng.dirichlet(np.ones(n_lines))
        lines = []
        for k, w in zip(picks, weights):
            title, price = _PRODUCTS[int(k)]
            qty = max(1, int(round(spend * w / price)))
            lines.append((title, price, qty))
        subtotal = sum(p * q for _, p, q in lines)
        discount = round(subtotal * 0.1, 2) if rng.random() < 0.12 else 0.0
        shipping = 0.0 if pos or subtotal >= 60 else 4.90
        total = round(subtotal - discount + shipping, 2)
        taxes = round(total * 19 / 119, 2)
        status, refunded, cancelled_at = "paid", 0.0, ""
        u = rng.random()
        if u < 0.008:
            status, cancelled_at = "voided", _stamp(t + dt.timedelta(hours=3))
            cancelled += 1
        elif u < 0.014:
            status, refunded, cancelled_at = "refunded", total, _stamp(t + dt.timedelta(days=1))
            cancelled += 1
        elif u < 0.034:
            status, refunded = "refunded", total
            refunds += 1
        elif u < 0.07:
            status, refunded = "partially_refunded", round(min(total, lines[0][1]), 2)
            refunds += 1
        elif u < 0.075 and t > END - dt.timedelta(days=10):
            status = "pending"
        row_email = email  # POS sales to known customers keep their email; walk-ins have a name only
        if row_email and rng.random() < 0.01:
            row_email = " " + row_email.upper() + " "  # messy: case and spaces
        paid_at = "" if status in ("voided", "pending") else _stamp(t + dt.timedelta(seconds=int(rng.integers(2, 90))))
        first = {
            "Name": f"#{number}", "Email": row_email, "Financial Status": status, "Paid at": paid_at,
            "Fulfillment Status": "fulfilled" if status != "voided" else "",
            "Accepts Marketing": consent, "Currency": "EUR", "Subtotal": _money(subtotal),
            "Shipping": _money(shipping), "Taxes": _money(taxes), "Total": _money(total),
            "Discount Code": "WELCOME10" if discount else "", "Discount Amount": _money(discount),
            "Shipping Method": "" if pos else "Standard", "Created at": _stamp(t),
            "Billing Name": name, "Billing City": city, "Billing Zip": f"'{zipcode}" if zipcode.startswith("0") else zipcode,
            "Billing Country": country, "Shipping Name": "" if pos else name, "Shipping City": "" if pos else city,
            "Shipping Country": "" if pos else country, "Cancelled at": cancelled_at,
            "Payment Method": "Shopify Payments" if not pos else "Cash", "Refunded Amount": _money(refunded),
            "Outstanding Balance": "0.00", "Location": "Flagship Store" if pos else "",
            "Id": str(order_id), "Source": "pos" if pos else "web", "Phone": phone,
        }
        for k, (title, price, qty) in enumerate(lines):
            row = dict(first) if k == 0 else {"Name": f"#{number}", "Email": row_email, "Created at": _stamp(t)}
            row.update({"Lineitem quantity": str(qty), "Lineitem name": title, "Lineitem price": _money(price),
                        "Lineitem requires shipping": "false" if pos else "true", "Lineitem taxable": "true",
                        "Lineitem fulfillment status": "fulfilled"})
            rows.append(row)
        number += 1
        order_id += int(rng.integers(1000, 90000))

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=SHOPIFY_COLUMNS, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return {"customers": len({o[1] for o in orders}), "orders": len(orders), "rows": len(rows),
            "refunded": refunds, "cancelled": cancelled}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(Path(__file__).with_name("shopify_orders_sample.csv")))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--customers", type=int, default=3000)
    args = parser.parse_args(argv)
    counts = generate_orders_csv(args.out, seed=args.seed, n_customers=args.customers)
    print(f"wrote {args.out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
