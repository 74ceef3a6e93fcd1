#!/usr/bin/env bash
# Spec conformance of helloasso-fake: schemathesis generates requests from
# openapi/helloasso.json and checks every answer against it.
#
# usage: scripts/schemathesis.sh [extra schemathesis args]
# Installs schemathesis into target/schemathesis-venv on first use (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'schemathesis>=4,<5'
fi

cargo build --release --quiet -p helloasso-fake
log=$(mktemp)
target/release/helloasso-fake --port 0 --payments 2000 --seed 5 --mfa sms >"$log" 2>&1 &
fake=$!
trap 'kill $fake 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q 'admin:' "$log" && break; sleep 0.1; done
url=$(sed -n 's/^helloasso-fake listening on //p' "$log")
[ -n "$url" ] || { cat "$log"; echo "helloasso-fake did not start" >&2; exit 1; }

token=$(curl -sf "$url/oauth2/token" \
  -d grant_type=client_credentials -d client_id=fake-client-id -d client_secret=fake-client-secret |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# Ids that exist, so the operations on one order, item or cash-out reach
# their logic rather than a 404: an order paid in instalments (its cancel
# answers 200, every time), one of its items, a cash-out of the main
# organization. Everything else stays generated.
ids=$(curl -sf -H "Authorization: Bearer $token" \
  "$url/v5/organizations/demo-association/forms/Membership/adhesion-2025-2026/orders?pageSize=100" |
  python3 -c '
import json, sys
orders = json.load(sys.stdin)["data"]
order = next(o for o in orders if len(o.get("payments", [])) == 3)
print(order["id"], order["items"][0]["id"], order["payments"][0]["id"])')
read -r order_id item_id payment_id <<<"$ids"
cash_out=$(curl -sf -H "Authorization: Bearer $token" "$url/v5/payments/$payment_id" |
  python3 -c 'import json,sys; print(json.load(sys.stdin).get("idCashOut", 1))')
config="$log.toml"
cat >"$config" <<TOML
[[operations]]
include-operation-id = ["get_order", "cancel_order"]
parameters = { "path.orderId" = $order_id }

[[operations]]
include-operation-id = "get_item"
parameters = { "path.itemId" = $item_id }

[[operations]]
include-operation-id = ["set_organization_notification_url", "delete_organization_notification_url"]
parameters = { "path.organizationSlug" = "demo-association" }

[[operations]]
include-operation-id = "export_cash_out"
parameters = { "path.organizationSlug" = "demo-association", "path.cashOutId" = $cash_out }
TOML
trap 'kill $fake 2>/dev/null || true; rm -f "$log" "$config"' EXIT

# The token endpoint is exercised with its own form body; disconnect would
# revoke the token the other operations use, so it is left out. The fake
# does not serve HelloAsso's public directory, tags or value lists: those
# operations are left out too (the client reaches them; the fake answers 404).
"$venv/bin/schemathesis" --config-file "$config" run openapi/helloasso.json \
  --url "$url" \
  --header "Authorization: Bearer $token" \
  --exclude-operation-id disconnect \
  --exclude-operation-id search_directory_forms \
  --exclude-operation-id search_directory_organizations \
  --exclude-operation-id get_tag \
  --exclude-operation-id list_form_activities \
  --exclude-operation-id list_organization_categories \
  --exclude-operation-id list_public_tags \
  --exclude-operation-id list_company_legal_statuses \
  --checks all \
  --max-examples "${MAX_EXAMPLES:-50}" \
  --seed 1 \
  "$@"
