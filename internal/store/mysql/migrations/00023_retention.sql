-- +goose Up
-- As internal/store/sqlite/migrations/00023_retention.sql: the purge's index per type and
-- age, the lookup of scheduled rows by their notification, and the singleton jobs' leases.
ALTER TABLE notifications ADD KEY notifications_age (type, created_at, id);
ALTER TABLE scheduled_notifications ADD KEY scheduled_notification (notification_id);
CREATE TABLE leases (
    name        VARCHAR(64)  CHARACTER SET ascii NOT NULL PRIMARY KEY,
    holder      VARCHAR(128) CHARACTER SET ascii NOT NULL,
    expires_at  BIGINT       NOT NULL
) ENGINE = InnoDB;

-- +goose Down
DROP TABLE leases;
ALTER TABLE scheduled_notifications DROP INDEX scheduled_notification;
ALTER TABLE notifications DROP INDEX notifications_age;
