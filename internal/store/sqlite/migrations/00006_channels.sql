-- +goose Up
-- Web push subscriptions: one per browser (endpoint), many per user. The endpoint is
-- unique through its SHA-256 (hex), as in MariaDB where a long URL cannot be a unique key.
CREATE TABLE push_subscriptions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        TEXT    NOT NULL,
    endpoint_hash  TEXT    NOT NULL UNIQUE,
    endpoint       TEXT    NOT NULL,
    p256dh         TEXT    NOT NULL,
    auth           TEXT    NOT NULL,
    user_agent     TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- Outbound webhooks: one row per state change and endpoint, written in the transaction
-- that changes the state; its id is the webhook-id. A dispatcher claims due rows with a
-- lease (status sending, next_attempt_at = the lease's end), as the delivery worker does.
CREATE TABLE webhook_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint         TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at);

-- +goose Down
DROP TABLE webhook_outbox;
DROP TABLE push_subscriptions;
