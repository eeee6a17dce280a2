-- +goose Up
-- The schema of internal/store/sqlite/migrations/00004_recipients.sql in PostgreSQL types.
CREATE TABLE user_profiles (
    user_id     TEXT COLLATE "C" PRIMARY KEY,
    phone       TEXT   NOT NULL DEFAULT '',
    email       TEXT   NOT NULL DEFAULT '',
    time_zone   TEXT   NOT NULL DEFAULT '',
    locale      TEXT   NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL
);

CREATE TABLE user_preferences (
    user_id     TEXT COLLATE "C" PRIMARY KEY,
    prefs       TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- 0 or 1, as in SQLite and MariaDB, so the shared SQL's "unless_read = 1" reads the same.
ALTER TABLE deliveries ADD COLUMN unless_read SMALLINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN unless_read;
DROP TABLE user_preferences;
DROP TABLE user_profiles;
