-- +goose Up
-- The schema of internal/store/sqlite/migrations/00017_push_devices.sql in PostgreSQL types.
CREATE TABLE push_devices (
    id          BIGSERIAL PRIMARY KEY,
    user_id     TEXT COLLATE "C" NOT NULL,
    platform    TEXT   NOT NULL,
    token_hash  TEXT COLLATE "C" NOT NULL,
    token       TEXT   NOT NULL,
    locale      TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    CONSTRAINT push_devices_token UNIQUE (token_hash)
);
CREATE INDEX push_devices_user ON push_devices (user_id);

CREATE TABLE push_device_sends (
    delivery_id  BIGINT NOT NULL,
    token_hash   TEXT COLLATE "C" NOT NULL,
    user_id      TEXT COLLATE "C" NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, token_hash)
);
CREATE INDEX push_device_sends_user ON push_device_sends (user_id);
CREATE INDEX push_device_sends_created ON push_device_sends (created_at);

-- +goose Down
DROP TABLE push_device_sends;
DROP TABLE push_devices;
