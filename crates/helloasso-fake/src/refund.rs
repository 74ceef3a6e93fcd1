//! `POST /v5/payments/{paymentId}/refund`.
//!
//! Order of checks: payment id (400 if not a number, 400 `Code : 101` if
//! unknown, 403 if out of the token's scope), then MFA (409; a wrong proof answers 409 again
//! with the same code), then the refund itself: only an `Authorized` payment
//! with something left to refund can be refunded (400 otherwise), `amount`
//! (cents) 0 or absent refunds what is left, more than that is a 400.
//! A full refund moves the payment to `Refunded` (cash-out state `Refunded`);
//! a partial one leaves it `Authorized` with the refund listed in
//! `refundOperations`. `cancelOrder=true` marks the order's items canceled,
//! and is refused (400) with a partial refund.
//!
//! Refusals carry HelloAsso's reason code inside `message`
//! (`{"errors":[{"code":"Error","message":"Code : 101 - ..."}]}`), as its
//! developer docs show. The docs name 101 (payment not found) and the range
//! 101-122; which number the other refusals carry is our assumption
//! ([`REASON_STATE`], [`REASON_AMOUNT`], [`REASON_CANCEL_ORDER`]).

/// HelloAsso's reason: the payment does not exist (developer docs).
pub(crate) const REASON_NOT_FOUND: u16 = 101;
/// The payment is not in a refundable state (our assumption for the number).
pub(crate) const REASON_STATE: u16 = 102;
/// More than what is left was asked (our assumption for the number).
pub(crate) const REASON_AMOUNT: u16 = 103;
/// `cancelOrder` with a partial refund (our assumption for the number).
pub(crate) const REASON_CANCEL_ORDER: u16 = 104;

fn refused(reason: u16, text: String) -> ApiError {
    ApiError::Refund {
        status: StatusCode::BAD_REQUEST,
        reason,
        text,
    }
}

use crate::access::path_error;
use crate::counters::bump;
use crate::dataset::{FLAG_ORDER_CANCELED, RefundRec};
use crate::errors::ApiError;
use crate::locks::read;
use crate::model::{Meta, OperationState, PaymentCashOutState, PaymentState, RefundOperation};
use crate::payments::payment_index;
use crate::query::Query;
use crate::render;
use crate::state::AppState;
use crate::time::{self, format_paris};
use crate::tokens::Scope;
use crate::webhooks;
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

fn check_mfa(st: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let mfa = read(&st.mfa).clone();
    let Some(code) = mfa.mode.error_code() else {
        return Ok(());
    };
    let Some(header) = mfa.mode.header() else {
        return Err(ApiError::Mfa {
            code,
            message: "Multi-factor authentication must be set up before refunding.".to_owned(),
        });
    };
    match headers.get(header).and_then(|v| v.to_str().ok()) {
        None => Err(ApiError::Mfa {
            code,
            message: format!("A multi-factor proof is required in {header}."),
        }),
        Some(proof) if proof.trim() == mfa.code => Ok(()),
        Some(_) => Err(ApiError::Mfa {
            code,
            message: "The multi-factor proof is invalid.".to_owned(),
        }),
    }
}

/// The refund handler.
pub(crate) async fn refund_payment(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.refund_payment);
    match refund(&st, scope, path, &headers, raw.as_deref()) {
        Ok(op) => axum::Json(op).into_response(),
        Err(e) => {
            if matches!(e, ApiError::Mfa { .. }) {
                bump(&st.counters.mfa_challenges);
            }
            e.into_response()
        }
    }
}

fn refund(
    st: &Arc<AppState>,
    scope: Scope,
    path: Result<Path<String>, PathRejection>,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<RefundOperation, ApiError> {
    let Path(id) = path.map_err(path_error)?;
    let q = Query::parse(raw);
    let _comment = q.get("comment");
    let cancel_order = q.bool("cancelOrder")?.unwrap_or(false);
    let send_mail = q.bool("sendRefundMail")?.unwrap_or(true);
    let amount = q.int("amount")?.unwrap_or(0);
    if amount < 0 {
        return Err(ApiError::invalid("The amount must not be negative."));
    }
    let idx = match payment_index(&st.read(), &id, scope) {
        Err(ApiError::NotFound(_)) => {
            return Err(refused(
                REASON_NOT_FOUND,
                format!("Payment {} not found.", id.trim()),
            ));
        }
        other => other?,
    };
    check_mfa(st, headers)?;

    let mut ds = st.write();
    let rec = ds.payments[idx as usize];
    if rec.state != PaymentState::Authorized || rec.refunded >= rec.amount {
        return Err(refused(
            REASON_STATE,
            format!("A payment in state {} cannot be refunded.", rec.state),
        ));
    }
    let refundable = rec.amount - rec.refunded;
    let amount = if amount == 0 {
        refundable
    } else {
        u32::try_from(amount).unwrap_or(u32::MAX)
    };
    if amount > refundable {
        return Err(refused(
            REASON_AMOUNT,
            format!("The amount ({amount}) exceeds what can be refunded ({refundable})."),
        ));
    }
    // Cancelling the order also cancels its future instalments and linked
    // items: HelloAsso allows it only with a refund of everything left.
    if cancel_order && amount < refundable {
        return Err(refused(
            REASON_CANCEL_ORDER,
            format!(
                "cancelOrder needs a full refund: {amount} of the {refundable} left was asked."
            ),
        ));
    }
    let now = time::now();
    let op_id = ds.next_refund_id();
    {
        let p = &mut ds.payments[idx as usize];
        p.refunded += amount;
        if p.refunded == p.amount {
            p.state = PaymentState::Refunded;
            p.cash_out = Some(PaymentCashOutState::Refunded);
        }
        if cancel_order {
            p.flags |= FLAG_ORDER_CANCELED;
        }
    }
    ds.touch(idx, now);
    ds.refunds.entry(idx).or_default().push(RefundRec {
        id: op_id,
        amount,
        created: now,
    });
    bump(&st.counters.refunds_executed);
    let payment = serde_json::to_value(render::payment(&ds, idx)).unwrap_or_default();
    let payment_id = ds.payment_id(idx);
    drop(ds);
    webhooks::notify(st, "Payment", payment, None);
    Ok(RefundOperation {
        id: op_id,
        amount: i64::from(amount),
        amount_tip: 0,
        cancel_order,
        creation_date: format_paris(now),
        state: OperationState::Processed,
        send_refund_mail: send_mail,
        payment_id,
        meta: Meta {
            created_at: format_paris(now),
            updated_at: format_paris(now),
        },
    })
}
