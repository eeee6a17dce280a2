-- +goose Up
-- As internal/store/sqlite/migrations/00023_retention.sql: the purge's index per type and
-- age, the lookup of scheduled rows by their notification, and the singleton jobs' leases.
CREATE INDEX notifications_age ON notifications (type, created_at, id);
CREATE INDEX scheduled_notification ON scheduled_notifications (notification_id);
CREATE TABLE leases (
    name        TEXT   PRIMARY KEY,
    holder      TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE leases;
DROP INDEX scheduled_notification;
DROP INDEX notifications_age;
