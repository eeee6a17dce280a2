-- +goose Up
-- The schema of internal/store/sqlite/migrations/00006_channels.sql in MySQL/MariaDB types.
-- A push endpoint is a long URL: it is unique through its SHA-256 (hex).
CREATE TABLE push_subscriptions (
    id             BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id        VARBINARY(128) NOT NULL,
    endpoint_hash  CHAR(64)       CHARACTER SET ascii NOT NULL,
    endpoint       TEXT           NOT NULL,
    p256dh         VARCHAR(255)   CHARACTER SET ascii NOT NULL,
    auth           VARCHAR(255)   CHARACTER SET ascii NOT NULL,
    user_agent     VARCHAR(512)   NOT NULL DEFAULT '',
    created_at     BIGINT         NOT NULL,
    UNIQUE KEY push_subscriptions_endpoint (endpoint_hash),
    KEY push_subscriptions_user (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE webhook_outbox (
    id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    endpoint         TEXT          NOT NULL,
    event            VARCHAR(64)   CHARACTER SET ascii NOT NULL,
    payload          MEDIUMTEXT    NOT NULL,
    status           VARCHAR(16)   CHARACTER SET ascii NOT NULL,
    attempts         INT           NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT        NOT NULL,
    last_error       TEXT          NOT NULL DEFAULT (''),
    created_at       BIGINT        NOT NULL,
    delivered_at     BIGINT        NULL,
    updated_at       BIGINT        NOT NULL,
    KEY webhook_outbox_due (status, next_attempt_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE webhook_outbox;
DROP TABLE push_subscriptions;
