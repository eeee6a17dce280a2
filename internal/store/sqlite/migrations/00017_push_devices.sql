-- +goose Up
-- Mobile push devices: one per app installation (token), many per user. The token is
-- unique through its SHA-256 (hex), as push subscriptions' endpoints are.
CREATE TABLE push_devices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT    NOT NULL,
    platform    TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    token       TEXT    NOT NULL,
    locale      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX push_devices_user ON push_devices (user_id);

-- Which devices a mobile delivery has reached: its retry skips them.
CREATE TABLE push_device_sends (
    delivery_id  INTEGER NOT NULL,
    token_hash   TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, token_hash)
);
CREATE INDEX push_device_sends_user ON push_device_sends (user_id);
CREATE INDEX push_device_sends_created ON push_device_sends (created_at);

-- +goose Down
DROP TABLE push_device_sends;
DROP TABLE push_devices;
