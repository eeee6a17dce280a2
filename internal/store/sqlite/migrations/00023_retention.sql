-- +goose Up
-- Retention: the purge walks each type's notifications oldest first through
-- notifications_age, a range that ends at the type's cutoff, so a pass never reads the
-- rows it keeps. scheduled_notification finds the scheduled rows released into the
-- notifications a batch deletes. leases: one row per singleton job (the purge); the
-- replica whose holder id is there until expires_at (unix ms) runs it.
CREATE INDEX notifications_age ON notifications (type, created_at, id);
CREATE INDEX scheduled_notification ON scheduled_notifications (notification_id);
CREATE TABLE leases (
    name        TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE leases;
DROP INDEX scheduled_notification;
DROP INDEX notifications_age;
