-- +goose Up
-- The schema of internal/store/sqlite/migrations/00021_console.sql in PostgreSQL types.
CREATE TABLE delivery_attempts (
    id           BIGSERIAL PRIMARY KEY,
    delivery_id  BIGINT  NOT NULL,
    attempt      INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    provider     TEXT    NOT NULL DEFAULT '',
    provider_id  TEXT    NOT NULL DEFAULT '',
    error        TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    fallback     TEXT    NOT NULL DEFAULT '',
    latency_ms   BIGINT  NOT NULL DEFAULT 0,
    at           BIGINT  NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);
CREATE INDEX delivery_attempts_at ON delivery_attempts (at);
CREATE INDEX events_type ON events (type, id);
CREATE INDEX events_created ON events (created_at);
CREATE INDEX notifications_user_event ON notifications (user_id, event_id);

-- +goose Down
DROP INDEX notifications_user_event;
DROP INDEX events_created;
DROP INDEX events_type;
DROP TABLE delivery_attempts;
