-- +goose Up
-- Throttle windows: one row per user, type and rendered throttle key (window_key is
-- their SHA-256, hex), counting the notifications let through since started_at.
-- throttled lists who an event did not reach because of it.
CREATE TABLE throttle_windows (
    window_key  TEXT    PRIMARY KEY,
    user_id     TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    used        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX throttle_windows_user ON throttle_windows (user_id);

CREATE TABLE throttled (
    event_id    INTEGER NOT NULL REFERENCES events (id),
    user_id     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;
CREATE INDEX throttled_user ON throttled (user_id);

-- +goose Down
DROP TABLE throttled;
DROP TABLE throttle_windows;
