-- +goose Up
-- Retention of events (#28): an event (its idempotency key and payload) goes once none of
-- its notifications is left and it is older than both its type's retention and the dedupe
-- window. The purge walks each type's old events through events_age, a range that ends
-- at the cutoff, as notifications_age does for notifications; digests_event finds an
-- event's digest windows (the event is kept while one is open).
CREATE INDEX events_age ON events (type, created_at, id);
CREATE INDEX digests_event ON digests (event_id);

-- +goose Down
DROP INDEX digests_event;
DROP INDEX events_age;
