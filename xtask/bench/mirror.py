"""A first mirror of an organization with HelloAsso's official Python SDK.

Run by `cargo xtask bench` against helloasso-fake, beside `helloasso sync`:
the same job as its users would write it with this SDK. Sequential, each
page read into the SDK's own models, each record stored in SQLite with the
columns one filters on and the whole document, one transaction per page.
It reads the same listings with the same parameters as the sync: forms,
orders (with details, oldest first), items (with details) and payments, both
by update date, until a page comes back empty.
usage: mirror.py URL CLIENT_ID CLIENT_SECRET ORG DB

Prints one JSON line: records stored per resource, wall time, CPU time
(user + system) and peak RSS of this process.
"""
import json
import resource
import sqlite3
import sys
import time
import urllib.parse
import urllib.request

from helloasso_python.api.commandes_api import CommandesApi
from helloasso_python.api.formulaires_api import FormulairesApi
from helloasso_python.api.paiements_api import PaiementsApi
from helloasso_python.api_client import ApiClient
from helloasso_python.configuration import Configuration
from helloasso_python.models.hello_asso_api_v5_models_enums_sort_field import (
    HelloAssoApiV5ModelsEnumsSortField as SortField,
)
from helloasso_python.models.hello_asso_api_v5_models_enums_sort_order import (
    HelloAssoApiV5ModelsEnumsSortOrder as SortOrder,
)
from helloasso_python.models.results_with_pagination_model_form_light_model import (
    ResultsWithPaginationModelFormLightModel,
)
from helloasso_python.models.results_with_pagination_model_item import (
    ResultsWithPaginationModelItem,
)
from helloasso_python.models.results_with_pagination_model_order import (
    ResultsWithPaginationModelOrder,
)
from helloasso_python.models.results_with_pagination_model_payment import (
    ResultsWithPaginationModelPayment,
)

url, client_id, client_secret, org, db_path = sys.argv[1:6]

form = urllib.parse.urlencode(
    {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
).encode()
with urllib.request.urlopen(url + "/oauth2/token", data=form) as answer:
    token = json.load(answer)["access_token"]

api_client = ApiClient(Configuration(host=url + "/v5", access_token=token))
orders_api, forms_api, payments_api = (
    CommandesApi(api_client),
    FormulairesApi(api_client),
    PaiementsApi(api_client),
)

db = sqlite3.connect(db_path)
db.executescript(
    """
    CREATE TABLE IF NOT EXISTS forms (form_type TEXT, form_slug TEXT, title TEXT, state TEXT,
        doc TEXT, PRIMARY KEY (form_type, form_slug));
    CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, form_slug TEXT, payer_email TEXT,
        total_cents INTEGER, ordered_at TEXT, doc TEXT);
    CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, order_id INTEGER, state TEXT,
        amount_cents INTEGER, updated_at TEXT, doc TEXT);
    CREATE TABLE IF NOT EXISTS payments (id INTEGER PRIMARY KEY, order_id INTEGER, state TEXT,
        amount_cents INTEGER, payout_id INTEGER, updated_at TEXT, doc TEXT);
    """
)


def text(v):
    return None if v is None else str(v)


def walk(fetch, model, store):
    """Pages from the start until an empty one; records stored."""
    stored, continuation = 0, None
    while True:
        # The SDK's typed methods return None for listings whose spec names
        # CSV beside JSON: its users read the answer and hand it to the
        # page model themselves (as in peer.py).
        page = model.from_json(fetch(continuation).data)
        data = page.data or []
        if not data:
            break
        with db:
            db.executemany(store[0], [store[1](r) for r in data])
        stored += len(data)
        nxt = page.pagination.continuation_token if page.pagination else None
        if not nxt or nxt == continuation:
            break
        continuation = nxt
    return stored


started, cpu_started = time.perf_counter(), time.process_time()
counts = {}
counts["forms"] = walk(
    lambda t: forms_api.organizations_organization_slug_forms_get_without_preload_content(
        org, page_size=100, continuation_token=t
    ),
    ResultsWithPaginationModelFormLightModel,
    (
        "INSERT OR REPLACE INTO forms VALUES (?, ?, ?, ?, ?)",
        lambda f: (text(f.form_type), f.form_slug, f.title, text(f.state), f.model_dump_json(by_alias=True, exclude_none=True)),
    ),
)
counts["orders"] = walk(
    lambda t: orders_api.organizations_organization_slug_orders_get_without_preload_content(
        org, page_size=100, continuation_token=t, with_details=True, sort_order=SortOrder.ASC
    ),
    ResultsWithPaginationModelOrder,
    (
        "INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?, ?)",
        lambda o: (
            o.id,
            o.form_slug,
            o.payer.email if o.payer else None,
            o.amount.total if o.amount else None,
            text(o.var_date),
            o.model_dump_json(by_alias=True, exclude_none=True),
        ),
    ),
)
counts["items"] = walk(
    lambda t: orders_api.organizations_organization_slug_items_get_without_preload_content(
        org,
        page_size=100,
        continuation_token=t,
        with_details=True,
        sort_field=SortField.UPDATEDATE,
        sort_order=SortOrder.ASC,
    ),
    ResultsWithPaginationModelItem,
    (
        "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?)",
        lambda i: (i.id, i.order.id if i.order else None, text(i.state), i.amount, None, i.model_dump_json(by_alias=True, exclude_none=True)),
    ),
)
counts["payments"] = walk(
    lambda t: payments_api.organizations_organization_slug_payments_get_without_preload_content(
        org,
        page_size=100,
        continuation_token=t,
        sort_field=SortField.UPDATEDATE,
        sort_order=SortOrder.ASC,
    ),
    ResultsWithPaginationModelPayment,
    (
        "INSERT OR REPLACE INTO payments VALUES (?, ?, ?, ?, ?, ?, ?)",
        lambda p: (
            p.id,
            p.order.id if p.order else None,
            text(p.state),
            p.amount,
            # The SDK's payment model has no idCashOut: the payout stays empty.
            None,
            text(p.meta.updated_at) if p.meta else None,
            p.model_dump_json(by_alias=True, exclude_none=True),
        ),
    ),
)
db.close()
print(
    json.dumps(
        {
            "items": sum(counts.values()),
            "counts": counts,
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu_started,
            "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
    )
)
