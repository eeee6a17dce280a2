-- +goose Up
-- As internal/store/sqlite/migrations/00008_collapse_partial.sql: the collapse lookup
-- (user_id = $1 AND collapse_key = $2) implies collapse_key IS NOT NULL, so the index
-- holds only notifications with a key and accepting one without a key writes one index
-- fewer (#16).
DROP INDEX notifications_collapse;
CREATE INDEX notifications_collapse ON notifications (user_id, collapse_key, replaced_by) WHERE collapse_key IS NOT NULL;

-- +goose Down
DROP INDEX notifications_collapse;
CREATE INDEX notifications_collapse ON notifications (user_id, collapse_key, replaced_by);
