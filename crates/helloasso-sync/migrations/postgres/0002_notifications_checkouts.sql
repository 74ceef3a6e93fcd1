-- Notifications a listener accepted (`helloasso webhook listen --db`), and
-- checkout intents the sync follows up (PostgreSQL).

-- One row per notification body (the key is the SHA-256 of the raw body):
-- a replay or HelloAsso's retry of a stored body finds its key here. Written
-- in the transaction that stores the notification's object in the mirror.
CREATE TABLE notifications (
    key TEXT PRIMARY KEY,
    organization_slug TEXT,
    event_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    data JSONB NOT NULL,
    metadata JSONB,
    handled_at TIMESTAMPTZ
);
CREATE INDEX notifications_unhandled ON notifications (handled_at, received_at);

-- Checkout intents to read back until they have an outcome: `pending`
-- (no order yet), `paid`, `refunded` or `no_payment`.
CREATE TABLE checkout_intents (
    id BIGINT PRIMARY KEY,
    organization_slug TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'pending',
    order_id BIGINT,
    checks_done BIGINT NOT NULL DEFAULT 0,
    checked_at TIMESTAMPTZ,
    doc JSONB
);
CREATE INDEX checkout_intents_open ON checkout_intents (organization_slug, outcome);
