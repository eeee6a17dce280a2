-- +goose Up
-- The schema of internal/store/sqlite/migrations/00021_console.sql in MySQL/MariaDB types.
CREATE TABLE delivery_attempts (
    id           BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    delivery_id  BIGINT        NOT NULL,
    attempt      INT           NOT NULL,
    channel      VARCHAR(32)   CHARACTER SET ascii NOT NULL,
    status       VARCHAR(16)   CHARACTER SET ascii NOT NULL,
    provider     VARCHAR(64)   NOT NULL DEFAULT '',
    provider_id  VARCHAR(255)  NOT NULL DEFAULT '',
    error        TEXT          NOT NULL DEFAULT (''),
    reason       TEXT          NOT NULL DEFAULT (''),
    fallback     VARCHAR(16)   CHARACTER SET ascii NOT NULL DEFAULT '',
    latency_ms   BIGINT        NOT NULL DEFAULT 0,
    at           BIGINT        NOT NULL,
    KEY delivery_attempts_delivery (delivery_id),
    KEY delivery_attempts_at (at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE INDEX events_type ON events (type, id);
CREATE INDEX events_created ON events (created_at);
CREATE INDEX notifications_user_event ON notifications (user_id, event_id);

-- +goose Down
DROP INDEX notifications_user_event ON notifications;
DROP INDEX events_created ON events;
DROP INDEX events_type ON events;
DROP TABLE delivery_attempts;
