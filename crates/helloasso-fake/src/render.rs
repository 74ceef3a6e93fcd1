//! Turns compact records into HelloAsso-shaped values, only when serving.

use crate::dataset::{
    CITIES, Dataset, FLAG_AMOUNT_HIDDEN, FLAG_ANONYMOUS, FLAG_ORDER_CANCELED, FLAG_PAID_OUT,
    STREETS,
};
use crate::model::{
    FormType, ItemState, Meta, OperationState, OrderAmount, OrderDetail, OrderItem, OrderLight,
    OrderPayment, Payer, Payment, PaymentItem, PaymentMeans, PaymentState, PaymentType,
    PublicPayment, RefundOperationLight, ShareItem, SharePayment, TierType, User,
};
use crate::time::{self, TICKS_PER_SEC, Ticks, format_paris};

fn meta(created: Ticks, updated: Ticks) -> Meta {
    Meta {
        created_at: format_paris(created),
        updated_at: format_paris(updated),
    }
}

pub(crate) fn form_path(form_type: FormType) -> &'static str {
    match form_type {
        FormType::CrowdFunding => "collectes",
        FormType::Membership => "adhesions",
        FormType::Event => "evenements",
        FormType::Donation => "formulaires",
        FormType::PaymentForm => "paiements",
        FormType::Checkout => "checkout",
        FormType::Shop => "boutiques",
    }
}

pub(crate) fn tier_type(form_type: FormType) -> TierType {
    match form_type {
        FormType::Membership => TierType::Membership,
        FormType::Event => TierType::Registration,
        FormType::Donation | FormType::CrowdFunding => TierType::Donation,
        FormType::Shop => TierType::Product,
        FormType::PaymentForm | FormType::Checkout => TierType::Payment,
    }
}

/// The order date: a few seconds before the payment.
pub(crate) fn order_date(ds: &Dataset, idx: u32) -> Ticks {
    ds.payments[idx as usize].date - (11 + i64::from(idx % 40)) * TICKS_PER_SEC
}

pub(crate) fn order_id(ds: &Dataset, idx: u32) -> i64 {
    ds.ids.order + i64::from(idx)
}

pub(crate) fn item_id(ds: &Dataset, idx: u32) -> i64 {
    ds.ids.item + i64::from(idx)
}

fn intent_id(ds: &Dataset, idx: u32) -> Option<i64> {
    let seq = ds.payments[idx as usize].intent;
    (seq > 0).then(|| ds.intent_id(seq as usize - 1))
}

/// A payer as HelloAsso shows it.
pub(crate) fn payer(ds: &Dataset, payer: u32) -> Payer {
    let mut email = String::new();
    ds.payer_email(payer, &mut email);
    let (first, last) = ds.payer_names(payer);
    match ds.payers.get(payer as usize) {
        Some(p) => {
            let (city, zip) = CITIES[p.city as usize];
            Payer {
                email,
                address: Some(format!("{} {}", p.street_no, STREETS[p.street as usize])),
                city: Some(city.to_owned()),
                zip_code: Some(zip.to_owned()),
                country: Some("FRA".to_owned()),
                company: None,
                date_of_birth: ds.payer_birth(payer).map(time::format_paris_midnight),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
            }
        }
        None => {
            let c = ds.custom_payer(payer).cloned().unwrap_or_default();
            Payer {
                email,
                address: c.address,
                city: c.city,
                zip_code: c.zip_code,
                country: c.country,
                company: c.company_name,
                date_of_birth: c.date_of_birth,
                first_name: first.to_owned(),
                last_name: last.to_owned(),
            }
        }
    }
}

/// The refunds of a payment.
pub(crate) fn refund_operations(ds: &Dataset, idx: u32) -> Vec<RefundOperationLight> {
    let rec = &ds.payments[idx as usize];
    if let Some(ops) = ds.refunds.get(&idx) {
        return ops
            .iter()
            .map(|op| RefundOperationLight {
                id: op.id,
                amount: i64::from(op.amount),
                amount_tip: 0,
                status: OperationState::Processed,
                meta: meta(op.created, op.created),
            })
            .collect();
    }
    if rec.refunded > 0 {
        // A refund seeded with the dataset.
        let status = if rec.state == PaymentState::Refunding {
            OperationState::Processing
        } else {
            OperationState::Processed
        };
        return vec![RefundOperationLight {
            id: ds.ids.refund + i64::from(idx),
            amount: i64::from(rec.refunded),
            amount_tip: 0,
            status,
            meta: meta(rec.updated, rec.updated),
        }];
    }
    Vec::new()
}

pub(crate) fn item_state(rec_state: PaymentState, canceled: bool) -> ItemState {
    if canceled {
        return ItemState::Canceled;
    }
    match rec_state {
        PaymentState::Refused => ItemState::Refused,
        PaymentState::Abandoned => ItemState::Abandoned,
        PaymentState::Canceled => ItemState::Canceled,
        PaymentState::Registered => ItemState::Registered,
        PaymentState::Pending | PaymentState::Waiting | PaymentState::Error => ItemState::Waiting,
        _ => ItemState::Processed,
    }
}

fn receipt_url(ds: &Dataset, idx: u32) -> String {
    let rec = &ds.payments[idx as usize];
    let form = &ds.forms[rec.form as usize];
    format!(
        "https://www.helloasso.com/associations/{}/{}/{}/paiement-attestation/{}",
        ds.orgs[rec.org as usize].slug,
        form_path(form.form_type),
        form.slug,
        order_id(ds, idx)
    )
}

pub(crate) fn item_name(ds: &Dataset, idx: u32) -> String {
    let rec = &ds.payments[idx as usize];
    if rec.intent > 0
        && let Some(intent) = ds.intents.get(rec.intent as usize - 1)
    {
        return intent.item_name.clone();
    }
    ds.forms[rec.form as usize].tier_name.clone()
}

/// The light order of a payment.
pub(crate) fn order_light(ds: &Dataset, idx: u32) -> OrderLight {
    let rec = &ds.payments[idx as usize];
    let form = &ds.forms[rec.form as usize];
    let org = &ds.orgs[rec.org as usize];
    let date = order_date(ds, idx);
    OrderLight {
        id: order_id(ds, idx),
        date: format_paris(date),
        form_slug: form.slug.clone(),
        form_type: form.form_type,
        organization_name: org.name.clone(),
        organization_slug: org.slug.clone(),
        organization_type: org.org_type,
        organization_is_under_coluche_law: org.coluche,
        checkout_intent_id: intent_id(ds, idx),
        meta: meta(date, rec.updated),
        form_name: form.name.clone(),
        is_anonymous: rec.flags & FLAG_ANONYMOUS != 0,
        is_amount_hidden: rec.flags & FLAG_AMOUNT_HIDDEN != 0,
    }
}

/// A payment (`Payment` and `PaymentDetail`).
pub(crate) fn payment(ds: &Dataset, idx: u32) -> Payment {
    let rec = &ds.payments[idx as usize];
    let form = &ds.forms[rec.form as usize];
    let org = &ds.orgs[rec.org as usize];
    let canceled = rec.flags & FLAG_ORDER_CANCELED != 0;
    let offline = rec.state == PaymentState::Registered;
    let cashed = rec.flags & FLAG_PAID_OUT != 0;
    let amount = i64::from(rec.amount);
    let fiscal = form.form_type == FormType::Donation
        && org.coluche
        && rec.state == PaymentState::Authorized;
    Payment {
        order: order_light(ds, idx),
        payer: payer(ds, rec.payer),
        items: vec![PaymentItem {
            share_amount: amount,
            share_item_amount: amount,
            share_options_amount: None,
            id: item_id(ds, idx),
            amount,
            kind: tier_type(form.form_type),
            initial_amount: amount,
            state: item_state(rec.state, canceled),
            name: item_name(ds, idx),
            is_canceled: canceled,
        }],
        cash_out_date: cashed.then(|| format_paris(rec.date + 7 * time::TICKS_PER_DAY)),
        id_cash_out: cashed.then(|| ds.cash_out_id(rec)),
        cash_out_state: rec.cash_out,
        payment_receipt_url: receipt_url(ds, idx),
        fiscal_receipt_url: fiscal.then(|| {
            format!(
                "https://www.helloasso.com/associations/{}/formulaires/{}/recu-fiscal/{}",
                org.slug,
                form.slug,
                ds.payment_id(idx)
            )
        }),
        id: ds.payment_id(idx),
        amount,
        amount_tip: i64::from(rec.tip),
        date: format_paris(rec.date),
        payment_means: if offline {
            PaymentMeans::None
        } else {
            rec.means
        },
        installment_number: 1,
        state: rec.state,
        kind: if offline {
            PaymentType::Offline
        } else {
            PaymentType::Credit
        },
        meta: meta(rec.date, rec.updated),
        payment_off_line_mean: offline.then_some(rec.means),
        refund_operations: refund_operations(ds, idx),
    }
}

/// A payment as the older `payments/search` endpoint lists it.
pub(crate) fn public_payment(ds: &Dataset, idx: u32) -> PublicPayment {
    let rec = &ds.payments[idx as usize];
    let form = &ds.forms[rec.form as usize];
    let org = &ds.orgs[rec.org as usize];
    let (first, last) = ds.payer_names(rec.payer);
    let mut email = String::new();
    ds.payer_email(rec.payer, &mut email);
    PublicPayment {
        id: ds.payment_id(idx),
        organization_id: org.id,
        form_id: form.id,
        form_type: form.form_type,
        amount: i64::from(rec.amount),
        means_payment: rec.means,
        cash_out_state: rec.cash_out,
        date: format_paris(rec.date),
        authorization_date: format_paris(rec.date),
        order_date: format_paris(order_date(ds, idx)),
        order_id: order_id(ds, idx),
        fiscal_receipt_generated: form.form_type == FormType::Donation && org.coluche,
        payer_first_name: first.to_owned(),
        payer_last_name: last.to_owned(),
        status: rec.state,
        user_id: ds.ids.user + i64::from(rec.payer),
        user_first_name: first.to_owned(),
        user_last_name: last.to_owned(),
        user_email: email,
        provider_title: match rec.means {
            PaymentMeans::Sepa => "Prélèvement SEPA",
            PaymentMeans::Check => "Chèque",
            PaymentMeans::Cash => "Espèces",
            _ => "Carte bancaire",
        }
        .to_owned(),
        installment_number: 1,
        meta: meta(rec.date, rec.updated),
        refund_operations: refund_operations(ds, idx),
    }
}

/// The detailed order of a payment (checkout intents, Order webhooks).
pub(crate) fn order_detail(ds: &Dataset, idx: u32) -> OrderDetail {
    let rec = &ds.payments[idx as usize];
    let light = order_light(ds, idx);
    let p = payment(ds, idx);
    let amount = i64::from(rec.amount);
    let form = &ds.forms[rec.form as usize];
    let with_user = matches!(form.form_type, FormType::Membership | FormType::Event);
    let contains_donation = rec.intent > 0
        && ds
            .intents
            .get(rec.intent as usize - 1)
            .is_some_and(|i| i.contains_donation);
    OrderDetail {
        payer: p.payer.clone(),
        items: vec![OrderItem {
            payments: vec![SharePayment {
                id: p.id,
                share_amount: amount,
            }],
            name: item_name(ds, idx),
            user: with_user.then(|| User {
                first_name: p.payer.first_name.clone(),
                last_name: p.payer.last_name.clone(),
            }),
            price_category: "Fixed",
            id: item_id(ds, idx),
            amount,
            kind: if contains_donation {
                TierType::Donation
            } else {
                tier_type(form.form_type)
            },
            initial_amount: amount,
            state: p.items[0].state,
            is_canceled: p.items[0].is_canceled,
        }],
        payments: vec![OrderPayment {
            items: vec![ShareItem {
                id: item_id(ds, idx),
                share_amount: amount,
                share_item_amount: amount,
            }],
            cash_out_state: p.cash_out_state,
            payment_receipt_url: p.payment_receipt_url.clone(),
            id: p.id,
            amount,
            amount_tip: p.amount_tip,
            date: p.date.clone(),
            payment_means: p.payment_means,
            installment_number: 1,
            state: p.state,
            kind: p.kind,
            meta: p.meta.clone(),
            refund_operations: p.refund_operations.clone(),
        }],
        amount: OrderAmount {
            total: amount,
            vat: 0,
            discount: 0,
        },
        id: light.id,
        date: light.date,
        form_slug: light.form_slug,
        form_type: light.form_type,
        organization_name: light.organization_name,
        organization_slug: light.organization_slug,
        organization_type: light.organization_type,
        organization_is_under_coluche_law: light.organization_is_under_coluche_law,
        checkout_intent_id: light.checkout_intent_id,
        meta: light.meta,
        form_name: light.form_name,
        is_anonymous: light.is_anonymous,
        is_amount_hidden: light.is_amount_hidden,
    }
}
