-- +goose Up
-- The schema of internal/store/sqlite/migrations/00001_init.sql in PostgreSQL types.
-- Identity columns (idempotency keys, user ids, source message ids) are TEXT COLLATE "C":
-- they compare and sort byte for byte, as in SQLite and as MariaDB's VARBINARY, so two
-- users or two keys never meet in one row and rows lock in the order Go sorts them.
-- Text shown to people is TEXT in the database encoding (UTF-8). Times are unix ms.
CREATE TABLE events (
    id            BIGSERIAL PRIMARY KEY,
    idem_key      TEXT COLLATE "C" NOT NULL,
    payload_hash  TEXT   NOT NULL,
    type          TEXT   NOT NULL,
    source        TEXT   NOT NULL,
    payload       TEXT   NOT NULL,
    trace_parent  TEXT   NOT NULL DEFAULT '',
    accept_token  TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    CONSTRAINT events_key UNIQUE (idem_key)
);

-- One row per user: the last sequence number given to one of their notifications. The
-- accepting transaction locks it (SELECT … FOR UPDATE), so seq n+1 never commits before n.
CREATE TABLE recipients (
    user_id   TEXT COLLATE "C" PRIMARY KEY,
    last_seq  BIGINT NOT NULL
);

CREATE TABLE notifications (
    id          BIGSERIAL PRIMARY KEY,
    event_id    BIGINT NOT NULL REFERENCES events (id),
    user_id     TEXT COLLATE "C" NOT NULL,
    seq         BIGINT NOT NULL,
    role        TEXT   NOT NULL,
    type        TEXT   NOT NULL,
    message     TEXT   NOT NULL,
    url         TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT,
    CONSTRAINT notifications_user_seq UNIQUE (user_id, seq)
);
CREATE INDEX notifications_event ON notifications (event_id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);

CREATE TABLE deliveries (
    id               BIGSERIAL PRIMARY KEY,
    notification_id  BIGINT  NOT NULL REFERENCES notifications (id),
    channel          TEXT    NOT NULL,
    address          TEXT COLLATE "C" NOT NULL DEFAULT '',
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    last_error       TEXT    NOT NULL DEFAULT '',
    reason           TEXT    NOT NULL DEFAULT '',
    provider_id      TEXT    NOT NULL DEFAULT '',
    sent_at          BIGINT,
    updated_at       BIGINT  NOT NULL,
    CONSTRAINT deliveries_notification_channel UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries (status, channel, next_attempt_at);
CREATE INDEX deliveries_address ON deliveries (address, channel);

CREATE TABLE rejected_messages (
    id             BIGSERIAL PRIMARY KEY,
    source         TEXT COLLATE "C" NOT NULL,
    queue          TEXT    NOT NULL DEFAULT '',
    message_id     TEXT COLLATE "C",
    body           TEXT    NOT NULL,
    code           TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    receive_count  INTEGER NOT NULL DEFAULT 1,
    status         TEXT    NOT NULL,
    event_key      TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at     BIGINT  NOT NULL,
    replayed_at    BIGINT,
    CONSTRAINT rejected_source_message UNIQUE (source, message_id)
);
CREATE INDEX rejected_status ON rejected_messages (status, id);

-- +goose Down
DROP TABLE rejected_messages;
DROP TABLE deliveries;
DROP TABLE notifications;
DROP TABLE recipients;
DROP TABLE events;
