-- +goose Up
-- As internal/store/sqlite/migrations/00026_event_retention.sql: the event purge's index
-- per type and age, and an event's digest windows.
CREATE INDEX events_age ON events (type, created_at, id);
CREATE INDEX digests_event ON digests (event_id);

-- +goose Down
DROP INDEX digests_event;
DROP INDEX events_age;
