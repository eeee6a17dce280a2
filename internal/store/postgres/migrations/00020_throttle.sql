-- +goose Up
-- The schema of internal/store/sqlite/migrations/00020_throttle.sql in PostgreSQL types.
CREATE TABLE throttle_windows (
    window_key  TEXT COLLATE "C" PRIMARY KEY,
    user_id     TEXT COLLATE "C" NOT NULL,
    started_at  BIGINT  NOT NULL,
    used        INTEGER NOT NULL
);
CREATE INDEX throttle_windows_user ON throttle_windows (user_id);

CREATE TABLE throttled (
    event_id    BIGINT NOT NULL REFERENCES events (id),
    user_id     TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX throttled_user ON throttled (user_id);

-- +goose Down
DROP TABLE throttled;
DROP TABLE throttle_windows;
