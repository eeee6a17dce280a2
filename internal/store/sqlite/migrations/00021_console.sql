-- +goose Up
-- The operator's console (#27). delivery_attempts keeps every attempt's outcome, written in
-- the transaction that records it on the delivery (which keeps only the last): the event
-- timeline lists them, and the charts count outcomes per channel and minute (attempts_at)
-- and read latency_ms, the time from the event's acceptance to the outcome.
CREATE TABLE delivery_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id  INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    provider     TEXT    NOT NULL DEFAULT '',
    provider_id  TEXT    NOT NULL DEFAULT '',
    error        TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    fallback     TEXT    NOT NULL DEFAULT '',
    latency_ms   INTEGER NOT NULL DEFAULT 0,
    at           INTEGER NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);
CREATE INDEX delivery_attempts_at ON delivery_attempts (at);

-- The activity feed pages newest first by event id: by type through events_type, by user
-- through notifications_user_event; the charts count events per minute through
-- events_created.
CREATE INDEX events_type ON events (type, id);
CREATE INDEX events_created ON events (created_at);
CREATE INDEX notifications_user_event ON notifications (user_id, event_id);

-- +goose Down
DROP INDEX notifications_user_event;
DROP INDEX events_created;
DROP INDEX events_type;
DROP TABLE delivery_attempts;
