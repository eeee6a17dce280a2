-- +goose Up
-- The schema of internal/store/sqlite/migrations/00006_channels.sql in PostgreSQL types.
-- A push endpoint is a long URL: it is unique through its SHA-256 (hex), as in the others.
CREATE TABLE push_subscriptions (
    id             BIGSERIAL PRIMARY KEY,
    user_id        TEXT COLLATE "C" NOT NULL,
    endpoint_hash  TEXT COLLATE "C" NOT NULL,
    endpoint       TEXT   NOT NULL,
    p256dh         TEXT   NOT NULL,
    auth           TEXT   NOT NULL,
    user_agent     TEXT   NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    CONSTRAINT push_subscriptions_endpoint UNIQUE (endpoint_hash)
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

CREATE TABLE webhook_outbox (
    id               BIGSERIAL PRIMARY KEY,
    endpoint         TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    last_error       TEXT    NOT NULL DEFAULT '',
    created_at       BIGINT  NOT NULL,
    delivered_at     BIGINT,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at);

-- +goose Down
DROP TABLE webhook_outbox;
DROP TABLE push_subscriptions;
