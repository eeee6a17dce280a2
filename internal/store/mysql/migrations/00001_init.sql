-- +goose Up
-- The schema of internal/store/sqlite/migrations/00001_init.sql in MySQL/MariaDB types.
-- Identity columns (idempotency keys, user ids, source message ids) are VARBINARY: they
-- compare byte for byte as in SQLite, with no case folding and no PAD SPACE collation
-- ("a" = "a " in utf8mb4_bin), so two users or two keys can never meet in one row.
-- Their lengths fit the validation limits (user id 128 bytes) and keep unique indexes small.
-- Text shown to people is utf8mb4 (Korean and emoji round-trip). Times are unix ms.
CREATE TABLE events (
    id            BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    idem_key      VARBINARY(255) NOT NULL,
    payload_hash  VARCHAR(128)  CHARACTER SET ascii NOT NULL,
    type          VARCHAR(128)  NOT NULL,
    source        VARCHAR(512)  NOT NULL,
    payload       MEDIUMTEXT    NOT NULL,
    trace_parent  VARCHAR(255)  NOT NULL DEFAULT '',
    accept_token  VARCHAR(64)   CHARACTER SET ascii NOT NULL,
    created_at    BIGINT        NOT NULL,
    UNIQUE KEY events_key (idem_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per user: the last sequence number given to one of their notifications. The
-- accepting transaction locks it (SELECT … FOR UPDATE), so seq n+1 never commits before n.
CREATE TABLE recipients (
    user_id   VARBINARY(128) NOT NULL PRIMARY KEY,
    last_seq  BIGINT         NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE notifications (
    id          BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id    BIGINT         NOT NULL,
    user_id     VARBINARY(128) NOT NULL,
    seq         BIGINT         NOT NULL,
    role        VARCHAR(32)    NOT NULL,
    type        VARCHAR(128)   NOT NULL,
    message     TEXT           NOT NULL,
    url         TEXT           NOT NULL,
    created_at  BIGINT         NOT NULL,
    read_at     BIGINT         NULL,
    UNIQUE KEY notifications_user_seq (user_id, seq),
    KEY notifications_event (event_id),
    KEY notifications_unread (user_id, read_at),
    CONSTRAINT notifications_event_fk FOREIGN KEY (event_id) REFERENCES events (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE deliveries (
    id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    notification_id  BIGINT        NOT NULL,
    channel          VARCHAR(32)   CHARACTER SET ascii NOT NULL,
    address          VARBINARY(255) NOT NULL DEFAULT '',
    status           VARCHAR(16)   CHARACTER SET ascii NOT NULL,
    attempts         INT           NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT        NOT NULL,
    last_error       TEXT          NOT NULL DEFAULT (''),
    reason           TEXT          NOT NULL DEFAULT (''),
    provider_id      VARCHAR(255)  NOT NULL DEFAULT '',
    sent_at          BIGINT        NULL,
    updated_at       BIGINT        NOT NULL,
    UNIQUE KEY deliveries_notification_channel (notification_id, channel),
    KEY deliveries_due (status, channel, next_attempt_at),
    KEY deliveries_address (address, channel),
    CONSTRAINT deliveries_notification_fk FOREIGN KEY (notification_id) REFERENCES notifications (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE rejected_messages (
    id             BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    source         VARBINARY(512) NOT NULL,
    queue          VARCHAR(512)   NOT NULL DEFAULT '',
    message_id     VARBINARY(255) NULL,
    body           MEDIUMTEXT     NOT NULL,
    code           VARCHAR(64)    NOT NULL,
    reason         TEXT           NOT NULL,
    receive_count  INT            NOT NULL DEFAULT 1,
    status         VARCHAR(16)    CHARACTER SET ascii NOT NULL,
    event_key      VARBINARY(255) NOT NULL DEFAULT '',
    created_at     BIGINT         NOT NULL,
    replayed_at    BIGINT         NULL,
    UNIQUE KEY rejected_source_message (source, message_id),
    KEY rejected_status (status, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE rejected_messages;
DROP TABLE deliveries;
DROP TABLE notifications;
DROP TABLE recipients;
DROP TABLE events;
