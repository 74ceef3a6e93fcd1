//! The seeded, in-memory dataset: organizations, forms, payers, payments,
//! refunds and checkout intents.
//!
//! Payments are compact records (48 bytes: numbers, small enums and indexes
//! into name tables); strings are only built when a response is rendered.
//! The global vector is in creation order, which is also date order, so a
//! payment's index is its id minus a base. Each organization keeps two index
//! vectors sorted by `(date, id)` and `(updatedAt, id)`, so a date range or a
//! continuation token is found by binary search.

use crate::model::{
    CheckoutPayer, FormState, FormType, PaymentCashOutState, PaymentMeans, PaymentState,
};
use crate::rng::SplitMix64;
use crate::time::{self, TICKS_PER_DAY, Ticks};
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::HashMap;

/// Payment flag: the donor asked to stay anonymous.
pub(crate) const FLAG_ANONYMOUS: u8 = 1;
/// Payment flag: the amount is hidden on public pages.
pub(crate) const FLAG_AMOUNT_HIDDEN: u8 = 2;
/// Payment flag: the order was canceled by a refund with `cancelOrder`.
pub(crate) const FLAG_ORDER_CANCELED: u8 = 4;
/// Payment flag: a cash-out transferred the payment to the organization. It
/// stays set when the payment is refunded later, which changes its
/// `cashOutState` but not the cash-out it was part of.
pub(crate) const FLAG_PAID_OUT: u8 = 8;

/// Id bases: every id is `base + index`, plus 3,000,000,000 with `large_ids`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ids {
    pub payment: i64,
    pub order: i64,
    pub item: i64,
    pub refund: i64,
    pub intent: i64,
    pub user: i64,
    pub form: i64,
    pub org: i64,
    pub cash_out: i64,
}

impl Ids {
    fn new(large: bool) -> Self {
        let off = if large { 3_000_000_000 } else { 0 };
        Ids {
            payment: off + 120_000_001,
            order: off + 90_000_001,
            item: off + 95_000_001,
            refund: off + 5_000_001,
            intent: off + 40_000_001,
            user: off + 20_000_001,
            form: off + 1_001,
            org: off + 5_001,
            cash_out: off + 3_000_001,
        }
    }
}

/// How a form's amounts are drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AmountRule {
    Fixed(&'static [u32]),
    Range { min: u32, max: u32, step: u32 },
}

/// A form of an organization.
#[derive(Debug, Clone)]
pub(crate) struct Form {
    pub org: u8,
    pub slug: String,
    pub name: String,
    pub form_type: FormType,
    pub tier_name: String,
    pub id: i64,
    pub amounts: AmountRule,
    pub weight: u32,
    pub state: FormState,
    /// When the form was created (its key in the forms listing).
    pub created: Ticks,
}

/// An organization and its sorted payment indexes.
#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub org_type: &'static str,
    pub coluche: bool,
    pub forms: Vec<u16>,
    pub checkout_form: u16,
    /// Payment indexes sorted by `(date, index)`.
    pub by_date: Vec<u32>,
    /// Payment indexes sorted by `(updated, index)`.
    pub by_update: Vec<u32>,
}

/// A payment, compactly.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PaymentRec {
    pub date: Ticks,
    pub updated: Ticks,
    pub amount: u32,
    pub tip: u32,
    pub refunded: u32,
    pub payer: u32,
    /// Checkout intent sequence number + 1, or 0.
    pub intent: u32,
    pub form: u16,
    pub org: u8,
    pub state: PaymentState,
    pub means: PaymentMeans,
    pub cash_out: Option<PaymentCashOutState>,
    pub flags: u8,
}

/// A seeded payer: indexes into the name tables.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PayerRec {
    pub first: u8,
    pub last: u8,
    pub city: u8,
    pub street: u8,
    pub street_no: u8,
    /// Days since 1940-01-01, or `u16::MAX` when unknown.
    pub birth: u16,
}

/// A refund recorded on a payment.
#[derive(Debug, Clone)]
pub(crate) struct RefundRec {
    pub id: i64,
    pub amount: u32,
    pub created: Ticks,
}

/// A checkout intent.
#[derive(Debug, Clone)]
pub(crate) struct Intent {
    pub org: u8,
    pub total: u32,
    pub initial: u32,
    pub item_name: String,
    pub contains_donation: bool,
    pub payer: Option<CheckoutPayer>,
    pub metadata: Option<serde_json::Value>,
    pub redirect_url: String,
    pub return_url: String,
    pub back_url: String,
    pub error_url: String,
    /// Index of the payment made when paid.
    pub payment: Option<u32>,
}

/// The whole state of the fake's data.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub ids: Ids,
    pub orgs: Vec<Org>,
    pub forms: Vec<Form>,
    pub payers: Vec<PayerRec>,
    /// Payers created by checkouts; payer index `payers.len() + i`.
    pub custom_payers: Vec<CheckoutPayer>,
    pub payments: Vec<PaymentRec>,
    pub refunds: HashMap<u32, Vec<RefundRec>>,
    pub refund_seq: i64,
    pub intents: Vec<Intent>,
    /// Orders without any payment (free tickets), by date.
    pub free_orders: Vec<FreeOrder>,
    /// Payment indexes whose order's future instalments were canceled.
    pub instalments_canceled: std::collections::HashSet<u32>,
    /// Payment index -> when each later instalment of its order was taken
    /// (at most two).
    pub instalments_taken: HashMap<u32, Vec<Ticks>>,
    /// Item id -> when the item itself last changed (a cancelled instalment,
    /// a new custom-field answer): its `UpdateDate` is the later of this and
    /// its payment's.
    pub item_touched: HashMap<i64, Ticks>,
    /// (item id, custom-field id) -> an answer changed since the seed.
    pub answers: HashMap<(i64, i64), String>,
    /// Lower-cased name tables, for searches.
    first_lower: Vec<String>,
    last_lower: Vec<String>,
    first_ascii: Vec<String>,
    last_ascii: Vec<String>,
}

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Jade",
    "Louise",
    "Zoé",
    "Hélène",
    "Juliette",
    "Sarah",
    "Alice",
    "Lucie",
    "Anaïs",
    "Margaux",
    "Nathalie",
    "Isabelle",
    "Sophie",
    "Élodie",
    "Lucas",
    "Hugo",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Nathan",
    "Théo",
    "Raphaël",
    "Paul",
    "Thomas",
    "Antoine",
    "Maxime",
    "Nicolas",
    "Julien",
    "François",
    "Mathieu",
    "Olivier",
    "Pierre",
    "Benoît",
    "Yanis",
    "Karim",
    "Amina",
    "Fatou",
    "Mamadou",
    "Linh",
    "Lina",
    "Noé",
    "Timothée",
    "Agnès",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
];

pub(crate) const CITIES: &[(&str, &str)] = &[
    ("Paris", "75011"),
    ("Lyon", "69003"),
    ("Marseille", "13005"),
    ("Bordeaux", "33000"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Lille", "59000"),
    ("Strasbourg", "67000"),
    ("Rennes", "35000"),
    ("Montpellier", "34000"),
    ("Grenoble", "38000"),
    ("Dijon", "21000"),
];

pub(crate) const STREETS: &[&str] = &[
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "place de la Mairie",
    "rue des Lilas",
    "chemin des Vignes",
    "allée des Tilleuls",
];

/// Replaces French accented letters by their ASCII base and lower-cases.
pub(crate) fn ascii_fold_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'î' | 'ï' | 'Î' => 'i',
            'ô' | 'ö' | 'Ô' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' | 'Ç' => 'c',
            c => c.to_ascii_lowercase(),
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The end of the seeded period: 2026-07-01 00:00 Paris time. Fixed so that
/// a seed always gives the same data.
fn dataset_end() -> Ticks {
    time::from_datetime(
        &Utc.with_ymd_and_hms(2026, 6, 30, 22, 0, 0)
            .single()
            .unwrap_or_default(),
    )
}

/// Length of the seeded period: three years.
const DATASET_SPAN: Ticks = 3 * 365 * TICKS_PER_DAY;

struct FormSpec {
    slug: &'static str,
    name: &'static str,
    form_type: FormType,
    tier: &'static str,
    amounts: AmountRule,
    weight: u32,
}

/// Forms no payment goes through (weight 0, appended after the paid ones so
/// that the payments a seed draws stay the same): free events, a draft and a
/// disabled form, for the forms listing's state filters.
fn unpaid_forms(main: bool) -> Vec<(FormSpec, FormState)> {
    let spec = |slug, name, form_type, tier| FormSpec {
        slug,
        name,
        form_type,
        tier,
        amounts: AmountRule::Fixed(&[0]),
        weight: 0,
    };
    if main {
        vec![
            (
                spec(
                    "soiree-des-benevoles",
                    "Soirée des bénévoles",
                    FormType::Event,
                    "Entrée gratuite",
                ),
                FormState::Private,
            ),
            (
                spec(
                    "assemblee-generale-2026",
                    "Assemblée générale 2026",
                    FormType::Event,
                    "Participation",
                ),
                FormState::Draft,
            ),
            (
                spec(
                    "tombola-2024",
                    "Tombola 2024",
                    FormType::PaymentForm,
                    "Billet",
                ),
                FormState::Disabled,
            ),
        ]
    } else {
        vec![(
            spec(
                "portes-ouvertes",
                "Portes ouvertes",
                FormType::Event,
                "Entrée gratuite",
            ),
            FormState::Public,
        )]
    }
}

/// The form checkout intents are paid through, the same in every
/// organization.
fn checkout_form(weight: u32) -> FormSpec {
    FormSpec {
        slug: "checkout",
        name: "Paiement en ligne",
        form_type: FormType::Checkout,
        tier: "Commande",
        amounts: AmountRule::Range {
            min: 1000,
            max: 15000,
            step: 1,
        },
        weight,
    }
}

fn main_forms() -> Vec<FormSpec> {
    vec![
        FormSpec {
            slug: "adhesion-2025-2026",
            name: "Adhésion 2025-2026",
            form_type: FormType::Membership,
            tier: "Adhésion annuelle",
            amounts: AmountRule::Fixed(&[1500, 2500, 5000]),
            weight: 35,
        },
        FormSpec {
            slug: "gala-de-printemps",
            name: "Gala de printemps",
            form_type: FormType::Event,
            tier: "Entrée",
            amounts: AmountRule::Fixed(&[1200, 2000, 3500]),
            weight: 20,
        },
        FormSpec {
            slug: "faire-un-don",
            name: "Faire un don",
            form_type: FormType::Donation,
            tier: "Don",
            amounts: AmountRule::Range {
                min: 500,
                max: 20000,
                step: 100,
            },
            weight: 20,
        },
        FormSpec {
            slug: "boutique-solidaire",
            name: "Boutique solidaire",
            form_type: FormType::Shop,
            tier: "T-shirt",
            amounts: AmountRule::Fixed(&[1500, 2000, 2500]),
            weight: 10,
        },
        FormSpec {
            slug: "vente-de-gateaux",
            name: "Vente de gâteaux",
            form_type: FormType::PaymentForm,
            tier: "Part de gâteau",
            amounts: AmountRule::Fixed(&[300, 500, 800]),
            weight: 8,
        },
        FormSpec {
            slug: "renovation-du-local",
            name: "Rénovation du local",
            form_type: FormType::CrowdFunding,
            tier: "Contribution",
            amounts: AmountRule::Range {
                min: 1000,
                max: 10000,
                step: 500,
            },
            weight: 5,
        },
        checkout_form(2),
    ]
}

fn second_forms() -> Vec<FormSpec> {
    vec![
        FormSpec {
            slug: "licence-2025-2026",
            name: "Licence 2025-2026",
            form_type: FormType::Membership,
            tier: "Licence adulte",
            amounts: AmountRule::Fixed(&[8000, 12000]),
            weight: 60,
        },
        FormSpec {
            slug: "tournoi-d-ete",
            name: "Tournoi d'été",
            form_type: FormType::Event,
            tier: "Inscription équipe",
            amounts: AmountRule::Fixed(&[2000, 4000]),
            weight: 35,
        },
        checkout_form(5),
    ]
}

/// The slug of the second seeded organization.
pub(crate) const SECOND_ORG_SLUG: &str = "club-sportif-exemple";

impl Dataset {
    /// Generates the dataset for a seed, a payment count and a main slug.
    pub(crate) fn generate(seed: u64, n: usize, main_slug: &str, large_ids: bool) -> Dataset {
        let ids = Ids::new(large_ids);
        let mut rng = SplitMix64::new(seed);
        let mut orgs = Vec::new();
        let mut forms = Vec::new();
        let second_slug = if main_slug == SECOND_ORG_SLUG {
            "club-sportif-exemple-2"
        } else {
            SECOND_ORG_SLUG
        };
        let add_form = |forms: &mut Vec<Form>, org: &mut Org, oi: usize, spec: FormSpec, state| {
            let fi = forms.len() as u16;
            if spec.form_type == FormType::Checkout {
                org.checkout_form = fi;
            }
            org.forms.push(fi);
            forms.push(Form {
                org: oi as u8,
                slug: spec.slug.to_owned(),
                name: spec.name.to_owned(),
                form_type: spec.form_type,
                tier_name: spec.tier.to_owned(),
                id: ids.form + i64::from(fi),
                amounts: spec.amounts,
                weight: spec.weight,
                state,
                created: dataset_end() - DATASET_SPAN - (40 - i64::from(fi)) * TICKS_PER_DAY,
            });
        };
        for (oi, (slug, name, specs)) in [
            (main_slug, "Association Démo", main_forms()),
            (second_slug, "Club Sportif Exemple", second_forms()),
        ]
        .into_iter()
        .enumerate()
        {
            let mut org = Org {
                id: ids.org + oi as i64,
                slug: slug.to_owned(),
                name: name.to_owned(),
                org_type: "Association1901",
                coluche: oi == 0,
                forms: Vec::new(),
                checkout_form: 0,
                by_date: Vec::new(),
                by_update: Vec::new(),
            };
            for spec in specs {
                add_form(&mut forms, &mut org, oi, spec, FormState::Public);
            }
            orgs.push(org);
        }
        // After every paid form, so that the paid forms keep their ids.
        for (oi, org) in orgs.iter_mut().enumerate() {
            for (spec, state) in unpaid_forms(oi == 0) {
                add_form(&mut forms, org, oi, spec, state);
            }
        }

        let payer_count = (n / 3).clamp(10, 1_000_000);
        let mut payers = Vec::with_capacity(payer_count);
        for _ in 0..payer_count {
            let birth = if rng.below(10) < 7 {
                rng.below(60 * 365) as u16
            } else {
                u16::MAX
            };
            payers.push(PayerRec {
                first: rng.below(FIRST_NAMES.len() as u64) as u8,
                last: rng.below(LAST_NAMES.len() as u64) as u8,
                city: rng.below(CITIES.len() as u64) as u8,
                street: rng.below(STREETS.len() as u64) as u8,
                street_no: rng.between(1, 120) as u8,
                birth,
            });
        }

        let end = dataset_end();
        let start = end - DATASET_SPAN;
        // One slot of `step` ticks per payment, a random instant within each:
        // strictly increasing dates spread over the whole period.
        let step = if n == 0 {
            1
        } else {
            (DATASET_SPAN / n as i64).max(1)
        };
        let org_forms: Vec<(Vec<u16>, Vec<u32>)> = orgs
            .iter()
            .map(|o| {
                (
                    o.forms.clone(),
                    o.forms.iter().map(|&f| forms[f as usize].weight).collect(),
                )
            })
            .collect();
        let mut payments = Vec::with_capacity(n);
        for i in 0..n {
            let date = start + i as i64 * step + rng.below(step as u64) as i64;
            let org = if rng.below(10) == 0 { 1u8 } else { 0u8 };
            let (ref fidx, ref weights) = org_forms[org as usize];
            let form = fidx[rng.weighted(weights)];
            let f = &forms[form as usize];
            let amount = match f.amounts {
                AmountRule::Fixed(values) => values[rng.below(values.len() as u64) as usize],
                AmountRule::Range { min, max, step } => {
                    let steps = (max - min) / step;
                    min + step * rng.below(u64::from(steps) + 1) as u32
                }
            };
            let tip = if f.form_type != FormType::Checkout && rng.below(10) < 6 {
                (amount * rng.between(5, 15) as u32 / 100) / 10 * 10
            } else {
                0
            };
            let roll = rng.below(1000);
            let state = match roll {
                0..800 => PaymentState::Authorized,
                800..850 => PaymentState::Refunded,
                850..880 => PaymentState::Refused,
                880..900 => PaymentState::Registered,
                900..920 => PaymentState::Pending,
                920..935 => PaymentState::Waiting,
                935..950 => PaymentState::Canceled,
                950..960 => PaymentState::Contested,
                960..970 => PaymentState::Refunding,
                970..985 => PaymentState::Abandoned,
                _ => PaymentState::Error,
            };
            let means = if state == PaymentState::Registered {
                if rng.below(2) == 0 {
                    PaymentMeans::Check
                } else {
                    PaymentMeans::Cash
                }
            } else if rng.below(100) < 12 {
                PaymentMeans::Sepa
            } else {
                PaymentMeans::Card
            };
            let cash_out_roll = rng.below(10);
            let (cash_out, updated, refunded) = match state {
                PaymentState::Authorized if date < end - 10 * TICKS_PER_DAY => {
                    let st = if cash_out_roll < 7 {
                        PaymentCashOutState::Transfered
                    } else {
                        PaymentCashOutState::CashedOut
                    };
                    (Some(st), date + 7 * TICKS_PER_DAY, 0)
                }
                PaymentState::Authorized => (Some(PaymentCashOutState::MoneyIn), date, 0),
                PaymentState::Refunded => (
                    Some(PaymentCashOutState::Refunded),
                    date + (1 + cash_out_roll as i64) * 2 * TICKS_PER_DAY,
                    amount,
                ),
                PaymentState::Refunding => (
                    Some(PaymentCashOutState::Refunding),
                    date + TICKS_PER_DAY,
                    amount,
                ),
                PaymentState::Contested => (
                    Some(PaymentCashOutState::Contested),
                    date + 20 * TICKS_PER_DAY,
                    0,
                ),
                _ => (None, date, 0),
            };
            let mut flags = 0;
            if matches!(
                cash_out,
                Some(PaymentCashOutState::Transfered | PaymentCashOutState::CashedOut)
            ) {
                flags |= FLAG_PAID_OUT;
            }
            if f.form_type == FormType::Donation {
                let r = rng.below(100);
                if r < 10 {
                    flags |= FLAG_ANONYMOUS;
                }
                if r < 5 {
                    flags |= FLAG_AMOUNT_HIDDEN;
                }
            }
            payments.push(PaymentRec {
                date,
                updated,
                amount,
                tip,
                refunded,
                payer: rng.below(payer_count as u64) as u32,
                intent: 0,
                form,
                org,
                state,
                means,
                cash_out,
                flags,
            });
        }

        for (i, p) in payments.iter().enumerate() {
            orgs[p.org as usize].by_date.push(i as u32);
        }
        for org in &mut orgs {
            let mut by_update = org.by_date.clone();
            by_update.sort_unstable_by_key(|&i| (payments[i as usize].updated, i));
            org.by_update = by_update;
        }

        let free_orders = seed_free_orders(seed, &forms, payer_count, n, start, end);
        Dataset {
            ids,
            orgs,
            forms,
            payers,
            custom_payers: Vec::new(),
            payments,
            refunds: HashMap::new(),
            refund_seq: 0,
            intents: Vec::new(),
            free_orders,
            instalments_canceled: Default::default(),
            instalments_taken: Default::default(),
            item_touched: HashMap::new(),
            answers: HashMap::new(),
            first_lower: FIRST_NAMES.iter().map(|s| s.to_lowercase()).collect(),
            last_lower: LAST_NAMES.iter().map(|s| s.to_lowercase()).collect(),
            first_ascii: FIRST_NAMES.iter().map(|s| ascii_fold_lower(s)).collect(),
            last_ascii: LAST_NAMES.iter().map(|s| ascii_fold_lower(s)).collect(),
        }
    }

    /// The id of the payment at `idx`.
    pub(crate) fn payment_id(&self, idx: u32) -> i64 {
        self.ids.payment + i64::from(idx)
    }

    /// The index of a payment id, if it exists.
    pub(crate) fn payment_index(&self, id: i64) -> Option<u32> {
        let idx = id.checked_sub(self.ids.payment)?;
        if idx >= 0 && (idx as usize) < self.payments.len() {
            Some(idx as u32)
        } else {
            None
        }
    }

    /// The organization with this slug (ASCII case-insensitive).
    pub(crate) fn org_index(&self, slug: &str) -> Option<u8> {
        self.orgs
            .iter()
            .position(|o| o.slug.eq_ignore_ascii_case(slug))
            .map(|i| i as u8)
    }

    /// The form of an organization with this type and slug.
    pub(crate) fn form_index(&self, org: u8, form_type: FormType, slug: &str) -> Option<u16> {
        self.orgs[org as usize].forms.iter().copied().find(|&f| {
            let form = &self.forms[f as usize];
            form.form_type == form_type && form.slug.eq_ignore_ascii_case(slug)
        })
    }

    /// First and last name of a payer.
    pub(crate) fn payer_names(&self, payer: u32) -> (&str, &str) {
        match self.payers.get(payer as usize) {
            Some(p) => (FIRST_NAMES[p.first as usize], LAST_NAMES[p.last as usize]),
            None => {
                let c = self.custom_payer(payer);
                (
                    c.and_then(|c| c.first_name.as_deref()).unwrap_or(""),
                    c.and_then(|c| c.last_name.as_deref()).unwrap_or(""),
                )
            }
        }
    }

    pub(crate) fn custom_payer(&self, payer: u32) -> Option<&CheckoutPayer> {
        (payer as usize)
            .checked_sub(self.payers.len())
            .and_then(|i| self.custom_payers.get(i))
    }

    /// Writes a payer's e-mail into `out` (cleared first).
    pub(crate) fn payer_email(&self, payer: u32, out: &mut String) {
        out.clear();
        match self.payers.get(payer as usize) {
            Some(p) => {
                use std::fmt::Write;
                let _ = write!(
                    out,
                    "{}.{}{}@example.org",
                    self.first_ascii[p.first as usize], self.last_ascii[p.last as usize], payer
                );
            }
            None => {
                if let Some(email) = self.custom_payer(payer).and_then(|c| c.email.as_deref()) {
                    out.push_str(email);
                }
            }
        }
    }

    /// A payer's date of birth, if known.
    pub(crate) fn payer_birth(&self, payer: u32) -> Option<NaiveDate> {
        let p = self.payers.get(payer as usize)?;
        if p.birth == u16::MAX {
            return None;
        }
        NaiveDate::from_ymd_opt(1940, 1, 1)?.checked_add_days(chrono::Days::new(u64::from(p.birth)))
    }

    /// A bitmap of the payers whose first name, last name or e-mail contains
    /// `key` (case-insensitive).
    pub(crate) fn search_payers(&self, key: &str) -> Vec<u64> {
        // Like HelloAsso: case and accents ignored, and several words must
        // each appear in the first name, the last name or the e-mail.
        let folded = fold(key);
        let words: Vec<&str> = folded.split_whitespace().collect();
        let total = self.payers.len() + self.custom_payers.len();
        let mut bits = vec![0u64; total.div_ceil(64)];
        let hits = |names: &[String]| -> Vec<Vec<bool>> {
            let names: Vec<String> = names.iter().map(|n| fold(n)).collect();
            words
                .iter()
                .map(|w| names.iter().map(|n| n.contains(w)).collect())
                .collect()
        };
        let first_hit = hits(&self.first_lower);
        let last_hit = hits(&self.last_lower);
        let mut buf = String::with_capacity(64);
        for (i, p) in self.payers.iter().enumerate() {
            let mut email_folded: Option<String> = None;
            let hit = words.iter().enumerate().all(|(w, word)| {
                if first_hit[w][p.first as usize] || last_hit[w][p.last as usize] {
                    return true;
                }
                // Seeded e-mails are ASCII: only words made of e-mail
                // characters can match them, and the e-mail is built once.
                if !email_chars(word) {
                    return false;
                }
                let email = email_folded.get_or_insert_with(|| {
                    self.payer_email(i as u32, &mut buf);
                    buf.to_ascii_lowercase()
                });
                email.contains(word)
            });
            if hit {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        for (j, c) in self.custom_payers.iter().enumerate() {
            let fields: Vec<String> = [&c.first_name, &c.last_name, &c.email]
                .iter()
                .filter_map(|f| f.as_deref().map(fold))
                .collect();
            let hit = words.iter().all(|w| fields.iter().any(|f| f.contains(w)));
            if hit {
                let i = self.payers.len() + j;
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        bits
    }

    /// Appends a payment made now (a paid checkout) and indexes it.
    pub(crate) fn append_payment(&mut self, mut rec: PaymentRec) -> u32 {
        let last = self.payments.last().map(|p| p.date).unwrap_or(i64::MIN);
        rec.date = rec.date.max(last + 1);
        rec.updated = rec.updated.max(rec.date);
        let idx = self.payments.len() as u32;
        self.payments.push(rec);
        let org = &mut self.orgs[rec.org as usize];
        org.by_date.push(idx);
        Self::insert_by_update(&self.payments, &mut org.by_update, idx);
        idx
    }

    /// Sets a payment's update date and keeps the update index sorted.
    pub(crate) fn touch(&mut self, idx: u32, updated: Ticks) {
        let org = self.payments[idx as usize].org as usize;
        let old = self.payments[idx as usize].updated;
        let list = &mut self.orgs[org].by_update;
        let pos = list.partition_point(|&i| (self.payments[i as usize].updated, i) < (old, idx));
        if list.get(pos) == Some(&idx) {
            list.remove(pos);
        }
        self.payments[idx as usize].updated = updated.max(old);
        Self::insert_by_update(&self.payments, list, idx);
    }

    fn insert_by_update(payments: &[PaymentRec], list: &mut Vec<u32>, idx: u32) {
        let key = (payments[idx as usize].updated, idx);
        let pos = list.partition_point(|&i| (payments[i as usize].updated, i) < key);
        list.insert(pos, idx);
    }

    /// Adds a payer from checkout details; returns its index.
    /// Gives `payers` to the newest payments of the main organization.
    pub(crate) fn seed_payers(&mut self, payers: Vec<crate::config::PayerSeed>) {
        let newest: Vec<u32> = self.orgs[0]
            .by_date
            .iter()
            .rev()
            .copied()
            .take(payers.len())
            .collect();
        for (idx, seed) in newest.into_iter().zip(payers) {
            let payer = self.add_custom_payer(CheckoutPayer {
                first_name: Some(seed.first_name),
                last_name: Some(seed.last_name),
                email: Some(seed.email),
                address: seed.address,
                city: seed.city,
                zip_code: seed.zip_code,
                country: seed.country,
                ..CheckoutPayer::default()
            });
            self.payments[idx as usize].payer = payer;
        }
    }

    pub(crate) fn add_custom_payer(&mut self, payer: CheckoutPayer) -> u32 {
        self.custom_payers.push(payer);
        (self.payers.len() + self.custom_payers.len() - 1) as u32
    }

    /// The id of the next refund operation.
    pub(crate) fn next_refund_id(&mut self) -> i64 {
        // Seeded refunds use `refund + index`; recorded ones live above them.
        self.refund_seq += 1;
        self.ids.refund + 50_000_000 + self.refund_seq
    }

    /// The cash-out batch id of a payment (one batch per week).
    pub(crate) fn cash_out_id(&self, rec: &PaymentRec) -> i64 {
        self.ids.cash_out + (rec.date / (7 * TICKS_PER_DAY)) % 100_000
    }

    /// The id of the intent sequence number `seq`.
    pub(crate) fn intent_id(&self, seq: usize) -> i64 {
        self.ids.intent + seq as i64
    }

    /// The intent sequence number of an intent id.
    pub(crate) fn intent_index(&self, id: i64) -> Option<usize> {
        let i = id.checked_sub(self.ids.intent)?;
        if i >= 0 && (i as usize) < self.intents.len() {
            Some(i as usize)
        } else {
            None
        }
    }
}

fn email_chars(word: &str) -> bool {
    word.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'-' | b'_'))
}

/// Lower case without the accents of French and its neighbours, so that
/// `helene` finds Hélène.
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// Seeds the free orders of the free events, in date order, from an RNG of
/// their own (the payments a seed draws do not change).
fn seed_free_orders(
    seed: u64,
    forms: &[Form],
    payer_count: usize,
    payments: usize,
    start: Ticks,
    end: Ticks,
) -> Vec<FreeOrder> {
    let mut rng = SplitMix64::new(seed ^ 0xF4EE_0D3E);
    let per_form = (payments / 40).clamp(3, 5_000);
    let mut out = Vec::new();
    for (fi, form) in forms.iter().enumerate() {
        let free_event = form.weight == 0
            && form.form_type == FormType::Event
            && form.tier_name == "Entrée gratuite";
        if !free_event {
            continue;
        }
        let from = (end - 120 * TICKS_PER_DAY).max(start);
        let step = ((end - from) / per_form as i64).max(1);
        for i in 0..per_form {
            out.push(FreeOrder {
                org: form.org,
                form: fi as u16,
                payer: rng.below(payer_count.max(1) as u64) as u32,
                date: from + i as i64 * step + rng.below(step as u64) as i64,
                tickets: rng.between(1, 3) as u8,
            });
        }
    }
    out.sort_by_key(|o| o.date);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sorted() {
        let a = Dataset::generate(7, 5000, "demo-association", false);
        let b = Dataset::generate(7, 5000, "demo-association", false);
        assert_eq!(a.payments.len(), 5000);
        for (x, y) in a.payments.iter().zip(&b.payments) {
            assert_eq!(
                (x.date, x.amount, x.payer, x.state),
                (y.date, y.amount, y.payer, y.state)
            );
        }
        assert!(a.payments.windows(2).all(|w| w[0].date < w[1].date));
        for org in &a.orgs {
            assert!(org.by_update.windows(2).all(|w| {
                (a.payments[w[0] as usize].updated, w[0])
                    < (a.payments[w[1] as usize].updated, w[1])
            }));
        }
        assert!(a.payments.last().unwrap().date < dataset_end());
    }

    #[test]
    fn search_matches_names_and_emails() {
        let d = Dataset::generate(1, 3000, "demo-association", false);
        let bits = d.search_payers("MARTIN");
        let hits = (0..d.payers.len())
            .filter(|&i| bits[i / 64] & (1 << (i % 64)) != 0)
            .count();
        assert!(hits > 0);
        let mut email = String::new();
        d.payer_email(5, &mut email);
        let bits = d.search_payers(&email);
        assert!(bits[0] & (1 << 5) != 0);
        assert_eq!(ascii_fold_lower("Hélène"), "helene");
    }

    #[test]
    fn touch_keeps_order() {
        let mut d = Dataset::generate(3, 200, "demo-association", false);
        let now = time::now();
        d.touch(10, now);
        let org = d.payments[10].org as usize;
        assert_eq!(*d.orgs[org].by_update.last().unwrap(), 10);
    }

    #[test]
    fn search_ignores_case_accents_and_splits_words() {
        assert_eq!(fold("Hélène ÇA"), "helene ca");
        let d = Dataset::generate(7, 300, "demo-association", false);
        let (i, p) = d
            .payers
            .iter()
            .enumerate()
            .find(|(_, p)| d.first_lower[p.first as usize] == "pierre")
            .map(|(i, p)| (i, *p))
            .unwrap_or_else(|| (0, d.payers[0]));
        let first = d.first_lower[p.first as usize].clone();
        let last = d.last_lower[p.last as usize].clone();
        let hit = |key: &str| d.search_payers(key)[i / 64] & (1 << (i % 64)) != 0;
        assert!(hit(&format!("{first} {last}")));
        assert!(hit(&format!("{} {}", last.to_uppercase(), first)));
        assert!(!hit(&format!("{first} zzzz")));
    }
}

/// An order without any payment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FreeOrder {
    pub org: u8,
    pub form: u16,
    pub payer: u32,
    pub date: Ticks,
    pub tickets: u8,
}
