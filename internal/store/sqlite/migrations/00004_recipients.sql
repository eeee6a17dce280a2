-- +goose Up
-- What notifyd knows of a user beyond the events (PUT /v1/users/{userId}).
CREATE TABLE user_profiles (
    user_id     TEXT    PRIMARY KEY,
    phone       TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    time_zone   TEXT    NOT NULL DEFAULT '',
    locale      TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- A user's preferences, as one JSON document (channels, types, quietHours).
CREATE TABLE user_preferences (
    user_id     TEXT    PRIMARY KEY,
    prefs       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- unless_read: an escalated delivery, skipped (read_before_escalation) if its notification
-- is read while it is still scheduled.
ALTER TABLE deliveries ADD COLUMN unless_read INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN unless_read;
DROP TABLE user_preferences;
DROP TABLE user_profiles;
