-- The mirror's tables (PostgreSQL): dates are timestamptz, documents jsonb.

-- Every table carries the organization's slug: one database may mirror
-- several organizations (a partner's). `doc` is HelloAsso's whole document.

CREATE TABLE forms (
    organization_slug TEXT NOT NULL,
    form_type TEXT NOT NULL,
    form_slug TEXT NOT NULL,
    title TEXT,
    state TEXT,
    starts_at TIMESTAMPTZ,
    ends_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    doc JSONB NOT NULL,
    synced_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_slug, form_type, form_slug)
);

CREATE TABLE orders (
    id BIGINT PRIMARY KEY,
    organization_slug TEXT NOT NULL,
    form_type TEXT,
    form_slug TEXT,
    payer_first_name TEXT,
    payer_last_name TEXT,
    payer_email TEXT,
    total_cents BIGINT,
    ordered_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    doc JSONB NOT NULL,
    synced_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_org_form ON orders (organization_slug, form_type, form_slug);
CREATE INDEX orders_payer_email ON orders (payer_email);

CREATE TABLE items (
    id BIGINT PRIMARY KEY,
    organization_slug TEXT NOT NULL,
    order_id BIGINT,
    form_type TEXT,
    form_slug TEXT,
    tier_id BIGINT,
    tier_type TEXT,
    name TEXT,
    state TEXT,
    amount_cents BIGINT,
    user_first_name TEXT,
    user_last_name TEXT,
    payer_email TEXT,
    ordered_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    doc JSONB NOT NULL,
    synced_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX items_org_form ON items (organization_slug, form_type, form_slug);
CREATE INDEX items_order ON items (order_id);
CREATE INDEX items_payer_email ON items (payer_email);

-- One row per answer of an item (its `customFields`), rewritten with the item.
CREATE TABLE item_custom_fields (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    field_id BIGINT,
    name TEXT,
    field_type TEXT,
    answer TEXT,
    PRIMARY KEY (item_id, position)
);

CREATE TABLE payments (
    id BIGINT PRIMARY KEY,
    organization_slug TEXT NOT NULL,
    order_id BIGINT,
    form_type TEXT,
    form_slug TEXT,
    payer_first_name TEXT,
    payer_last_name TEXT,
    payer_email TEXT,
    amount_cents BIGINT,
    tip_cents BIGINT,
    refunded_cents BIGINT NOT NULL DEFAULT 0,
    state TEXT,
    payment_type TEXT,
    means TEXT,
    installment_number BIGINT,
    cash_out_state TEXT,
    payout_id BIGINT,
    paid_at TIMESTAMPTZ,
    cashed_out_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    doc JSONB NOT NULL,
    synced_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX payments_org_paid_at ON payments (organization_slug, paid_at);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_payout ON payments (payout_id);
CREATE INDEX payments_payer_email ON payments (payer_email);

-- Cash-outs, as payments name them (`idCashOut`): HelloAsso has no listing
-- of them, so the row is derived from the payments it holds.
CREATE TABLE payouts (
    id BIGINT PRIMARY KEY,
    organization_slug TEXT NOT NULL,
    cashed_out_at TIMESTAMPTZ,
    payment_count BIGINT NOT NULL DEFAULT 0,
    amount_cents BIGINT NOT NULL DEFAULT 0,
    synced_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE payout_payments (
    payout_id BIGINT NOT NULL REFERENCES payouts (id) ON DELETE CASCADE,
    payment_id BIGINT NOT NULL,
    organization_slug TEXT NOT NULL,
    PRIMARY KEY (payout_id, payment_id)
);
CREATE INDEX payout_payments_payment ON payout_payments (payment_id);

-- Where each organization's walk of each resource stands.
CREATE TABLE sync_cursors (
    id BIGSERIAL PRIMARY KEY,
    organization_slug TEXT NOT NULL,
    resource TEXT NOT NULL,
    continuation_token TEXT,
    completed_walks BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ,
    UNIQUE (organization_slug, resource)
);

-- Orders to read again because one of their items or payments changed.
CREATE TABLE pending_orders (
    order_id BIGINT PRIMARY KEY,
    organization_slug TEXT NOT NULL
);

-- The change feed: every new or changed record, in commit order.
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    organization_slug TEXT NOT NULL,
    resource TEXT NOT NULL,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    changed_paths JSONB NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
