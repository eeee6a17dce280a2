-- +goose Up
-- The schema of internal/store/sqlite/migrations/00004_recipients.sql in MySQL/MariaDB types.
CREATE TABLE user_profiles (
    user_id     VARBINARY(128) NOT NULL PRIMARY KEY,
    phone       VARCHAR(32)    CHARACTER SET ascii NOT NULL DEFAULT '',
    email       VARCHAR(254)   NOT NULL DEFAULT '',
    time_zone   VARCHAR(64)    CHARACTER SET ascii NOT NULL DEFAULT '',
    locale      VARCHAR(8)     CHARACTER SET ascii NOT NULL DEFAULT '',
    updated_at  BIGINT         NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE user_preferences (
    user_id     VARBINARY(128) NOT NULL PRIMARY KEY,
    prefs       TEXT           NOT NULL,
    updated_at  BIGINT         NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE deliveries ADD COLUMN unless_read TINYINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN unless_read;
DROP TABLE user_preferences;
DROP TABLE user_profiles;
