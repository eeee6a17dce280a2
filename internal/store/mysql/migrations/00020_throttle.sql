-- +goose Up
-- The schema of internal/store/sqlite/migrations/00020_throttle.sql in MySQL/MariaDB types.
CREATE TABLE throttle_windows (
    window_key  CHAR(64)       CHARACTER SET ascii NOT NULL PRIMARY KEY,
    user_id     VARBINARY(128) NOT NULL,
    started_at  BIGINT         NOT NULL,
    used        INT            NOT NULL,
    KEY throttle_windows_user (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE throttled (
    event_id    BIGINT         NOT NULL,
    user_id     VARBINARY(128) NOT NULL,
    created_at  BIGINT         NOT NULL,
    PRIMARY KEY (event_id, user_id),
    KEY throttled_user (user_id),
    CONSTRAINT throttled_event_fk FOREIGN KEY (event_id) REFERENCES events (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE throttled;
DROP TABLE throttle_windows;
