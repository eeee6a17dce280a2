-- +goose Up
-- As internal/store/sqlite/migrations/00026_event_retention.sql: the event purge's index
-- per type and age. An event's digest windows are found through the index of the
-- foreign key digests_event_fk.
ALTER TABLE events ADD KEY events_age (type, created_at, id);

-- +goose Down
ALTER TABLE events DROP KEY events_age;
