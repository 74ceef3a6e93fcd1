//! Orders paid in three instalments: their two later payments, as the
//! order lists them and, once taken, as a payment of their own with its
//! `Payment` notification.
//!
//! A membership paid by SEPA debit is paid in three instalments, 30 days
//! apart. The later two are `Pending` until taken, or `Canceled` once
//! `POST /orders/{id}/cancel` stopped them. The fake's clock does not run
//! on its own: `POST /_fake/orders/{orderId}/instalments/take` (or
//! [`FakeServer::take_instalment`](crate::FakeServer::take_instalment))
//! takes the next one, as HelloAsso does on its date, and notifies it
//! (docs/helloasso-behaviour.md, N11).

use crate::access::path_error;
use crate::dataset::{Dataset, FLAG_ORDER_CANCELED};
use crate::errors::{ApiError, json_response};
use crate::model::{FormType, PaymentMeans, PaymentState};
use crate::render;
use crate::state::AppState;
use crate::time::{self, TICKS_PER_DAY, Ticks, format_paris};
use crate::webhooks;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::Arc;

/// Ids of later instalments live above every seeded payment id.
const INSTALMENT_ID_OFFSET: i64 = 80_000_000;

/// How many instalments pay an instalment order.
const INSTALMENTS: i64 = 3;

/// What taking an instalment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TakenInstalment {
    /// The order it pays.
    pub order_id: i64,
    /// The instalment's payment id (as the order lists it).
    pub payment_id: i64,
    /// 2 or 3.
    pub installment_number: i64,
    /// Its amount, in cents.
    pub amount: i64,
}

/// Whether the order behind payment `idx` is paid in three instalments.
pub(crate) fn has_instalments(ds: &Dataset, idx: u32) -> bool {
    let rec = &ds.payments[idx as usize];
    rec.means == PaymentMeans::Sepa
        && rec.state == PaymentState::Authorized
        && ds.forms[rec.form as usize].form_type == FormType::Membership
}

/// The payment id of instalment `n` (2 or 3) of the order behind `idx`.
fn instalment_id(ds: &Dataset, idx: u32, n: i64) -> i64 {
    ds.ids.payment + INSTALMENT_ID_OFFSET + i64::from(idx) * 2 + n - 2
}

/// The instalment a payment id names: `(idx, n)`, if it is one.
fn parse_id(ds: &Dataset, id: i64) -> Option<(u32, i64)> {
    let rel = id.checked_sub(ds.ids.payment + INSTALMENT_ID_OFFSET)?;
    let idx = u32::try_from(rel / 2).ok()?;
    let n = rel % 2 + 2;
    ((idx as usize) < ds.payments.len() && rel >= 0 && has_instalments(ds, idx)).then_some((idx, n))
}

/// When instalment `n` is due: 30 days apart from the first payment.
fn due_date(ds: &Dataset, idx: u32, n: i64) -> Ticks {
    ds.payments[idx as usize].date + (n - 1) * 30 * TICKS_PER_DAY
}

/// When instalment `n` was taken, if it was.
fn taken_at(ds: &Dataset, idx: u32, n: i64) -> Option<Ticks> {
    ds.instalments_taken
        .get(&idx)
        .and_then(|t| t.get((n - 2) as usize))
        .copied()
}

fn meta(created: Ticks, updated: Ticks) -> Value {
    json!({ "createdAt": format_paris(created), "updatedAt": format_paris(updated) })
}

/// The later instalments of an instalment order, as its order lists them:
/// `Pending` until taken, then `Authorized` with the cash-out state
/// `MoneyIn`; not taken ones are `Canceled` once the order was canceled.
pub(crate) fn later_instalments(ds: &Dataset, idx: u32) -> Vec<Value> {
    let rec = &ds.payments[idx as usize];
    let canceled = ds.instalments_canceled.contains(&idx);
    (2..=INSTALMENTS)
        .map(|n| {
            let taken = taken_at(ds, idx, n);
            let (state, updated) = match taken {
                Some(at) => ("Authorized", at),
                None if canceled => ("Canceled", rec.updated.max(rec.date)),
                None => ("Pending", rec.date),
            };
            let mut v = json!({
                "items": [{
                    "id": render::item_id(ds, idx),
                    "shareAmount": rec.amount,
                    "shareItemAmount": rec.amount,
                }],
                "id": instalment_id(ds, idx, n),
                "amount": rec.amount,
                "amountTip": 0,
                "date": format_paris(due_date(ds, idx, n)),
                "paymentMeans": "Sepa",
                "installmentNumber": n,
                "state": state,
                "type": "Debit",
                "meta": meta(rec.date, updated),
            });
            if taken.is_some() {
                v["cashOutState"] = json!("MoneyIn");
            }
            v
        })
        .collect()
}

/// A taken instalment as a payment of its own (`GET /payments/{id}` and its
/// notification): the first payment's payer and order, this instalment's
/// id, amount, date, number and state; its item's `amount` is the whole
/// item and `shareAmount` this payment's part (FACTS.md "Payment
/// notifications"). `None` when the id is no taken instalment.
pub(crate) fn payment(ds: &Dataset, id: i64) -> Option<(u32, Value)> {
    let (idx, n) = parse_id(ds, id)?;
    let taken = taken_at(ds, idx, n)?;
    let rec = &ds.payments[idx as usize];
    let amount = i64::from(rec.amount);
    let mut v = serde_json::to_value(render::payment(ds, idx)).ok()?;
    let o = v.as_object_mut()?;
    for key in [
        "cashOutDate",
        "idCashOut",
        "fiscalReceiptUrl",
        "paymentReceiptUrl",
        "refundOperations",
        "paymentOffLineMean",
    ] {
        o.remove(key);
    }
    o.insert("id".into(), json!(id));
    o.insert("amount".into(), json!(amount));
    o.insert("amountTip".into(), json!(0));
    o.insert("date".into(), json!(format_paris(due_date(ds, idx, n))));
    o.insert("installmentNumber".into(), json!(n));
    o.insert("state".into(), json!("Authorized"));
    o.insert("cashOutState".into(), json!("MoneyIn"));
    o.insert("type".into(), json!("Debit"));
    o.insert("meta".into(), meta(rec.date, taken));
    if let Some(item) = v.pointer_mut("/items/0").and_then(Value::as_object_mut) {
        item.insert("shareAmount".into(), json!(amount));
        item.insert("shareItemAmount".into(), json!(amount));
        item.insert("amount".into(), json!(amount * INSTALMENTS));
        item.insert("initialAmount".into(), json!(amount * INSTALMENTS));
    }
    Some((idx, v))
}

/// Whether every later instalment of the order behind `idx` was taken.
pub(crate) fn all_taken(ds: &Dataset, idx: u32) -> bool {
    ds.instalments_taken.get(&idx).map_or(0, Vec::len) >= (INSTALMENTS - 1) as usize
}

/// Whether the order behind `idx` still has an instalment to come.
pub(crate) fn has_pending(ds: &Dataset, idx: u32) -> bool {
    has_instalments(ds, idx)
        && !ds.instalments_canceled.contains(&idx)
        && ds.payments[idx as usize].flags & FLAG_ORDER_CANCELED == 0
        && !all_taken(ds, idx)
}

/// Takes the next instalment of an order: it becomes `Authorized`, the
/// order's item changes (it lists the instalments), and a `Payment`
/// notification is sent. An order with no instalment to come answers 400.
pub(crate) fn take_next(st: &Arc<AppState>, order_id: i64) -> Result<TakenInstalment, ApiError> {
    let mut ds = st.write();
    let idx = order_id
        .checked_sub(ds.ids.order)
        .filter(|rel| (0..ds.payments.len() as i64).contains(rel))
        .map(|rel| rel as u32)
        .ok_or_else(|| ApiError::not_found(format!("Order {order_id} not found.")))?;
    if !has_pending(&ds, idx) {
        return Err(ApiError::BadRequest {
            code: "OrderHasNoFutureInstalments",
            message: "This order has no future instalment to take.".to_owned(),
        });
    }
    let now = time::now();
    let taken = ds.instalments_taken.entry(idx).or_default();
    taken.push(now);
    let n = taken.len() as i64 + 1;
    let item = render::item_id(&ds, idx);
    ds.item_touched.insert(item, now);
    let payment_id = instalment_id(&ds, idx, n);
    let (_, data) = payment(&ds, payment_id)
        .ok_or_else(|| ApiError::invalid("The instalment could not be rendered."))?;
    let out = TakenInstalment {
        order_id,
        payment_id,
        installment_number: n,
        amount: i64::from(ds.payments[idx as usize].amount),
    };
    drop(ds);
    webhooks::notify(st, "Payment", data, None);
    Ok(out)
}

/// `POST /_fake/orders/{orderId}/instalments/take`.
pub(crate) async fn take_route(
    State(st): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let result = (|| {
        let Path(raw) = path.map_err(path_error)?;
        let id: i64 = raw.trim().parse().map_err(|_| {
            ApiError::invalid(format!("The value '{raw}' is not valid for orderId."))
        })?;
        take_next(&st, id)
    })();
    json_response(result)
}
