-- +goose Up
CREATE TABLE events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    idem_key      TEXT    NOT NULL UNIQUE,
    payload_hash  TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    trace_parent  TEXT    NOT NULL DEFAULT '',
    accept_token  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- One row per user: the last sequence number given to one of their notifications.
CREATE TABLE recipients (
    user_id   TEXT    PRIMARY KEY,
    last_seq  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    INTEGER NOT NULL REFERENCES events (id),
    user_id     TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    role        TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,
    UNIQUE (user_id, seq)
);
CREATE INDEX notifications_event ON notifications (event_id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id  INTEGER NOT NULL REFERENCES notifications (id),
    channel          TEXT    NOT NULL,
    address          TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT    NOT NULL DEFAULT '',
    reason           TEXT    NOT NULL DEFAULT '',
    provider_id      TEXT    NOT NULL DEFAULT '',
    sent_at          INTEGER,
    updated_at       INTEGER NOT NULL,
    UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries (status, channel, next_attempt_at);
CREATE INDEX deliveries_address ON deliveries (address, channel);

CREATE TABLE rejected_messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    source         TEXT    NOT NULL,
    queue          TEXT    NOT NULL DEFAULT '',
    message_id     TEXT,
    body           TEXT    NOT NULL,
    code           TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    receive_count  INTEGER NOT NULL DEFAULT 1,
    status         TEXT    NOT NULL,
    event_key      TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    replayed_at    INTEGER,
    UNIQUE (source, message_id)
);
CREATE INDEX rejected_status ON rejected_messages (status, id);

-- +goose Down
DROP TABLE rejected_messages;
DROP TABLE deliveries;
DROP TABLE notifications;
DROP TABLE recipients;
DROP TABLE events;
