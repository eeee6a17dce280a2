-- +goose Up
-- The schema of internal/store/sqlite/migrations/00017_push_devices.sql in MySQL/MariaDB
-- types. A token can be long: it is unique through its SHA-256 (hex).
CREATE TABLE push_devices (
    id          BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id     VARBINARY(128) NOT NULL,
    platform    VARCHAR(8)     CHARACTER SET ascii NOT NULL,
    token_hash  CHAR(64)       CHARACTER SET ascii NOT NULL,
    token       TEXT           CHARACTER SET ascii NOT NULL,
    locale      VARCHAR(35)    CHARACTER SET ascii NOT NULL DEFAULT '',
    created_at  BIGINT         NOT NULL,
    UNIQUE KEY push_devices_token (token_hash),
    KEY push_devices_user (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE push_device_sends (
    delivery_id  BIGINT         NOT NULL,
    token_hash   CHAR(64)       CHARACTER SET ascii NOT NULL,
    user_id      VARBINARY(128) NOT NULL,
    created_at   BIGINT         NOT NULL,
    PRIMARY KEY (delivery_id, token_hash),
    KEY push_device_sends_user (user_id),
    KEY push_device_sends_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE push_device_sends;
DROP TABLE push_devices;
