-- +goose Up
-- The schema of internal/store/sqlite/migrations/00003_inbox_states.sql in PostgreSQL types:
-- seen (the bell was opened) and archived (put away), with the indexes that serve the inbox
-- list newest first under each filter and the badge counts.
ALTER TABLE notifications
    ADD COLUMN seen_at BIGINT,
    ADD COLUMN archived_at BIGINT;
DROP INDEX notifications_unread;
CREATE INDEX notifications_unread ON notifications (user_id, read_at, archived_at, seq);
CREATE INDEX notifications_archived ON notifications (user_id, archived_at, seq);
CREATE INDEX notifications_unseen ON notifications (user_id, seen_at, archived_at);
CREATE INDEX notifications_type ON notifications (user_id, type, seq);

-- +goose Down
DROP INDEX notifications_type;
DROP INDEX notifications_unseen;
DROP INDEX notifications_archived;
DROP INDEX notifications_unread;
CREATE INDEX notifications_unread ON notifications (user_id, read_at);
ALTER TABLE notifications DROP COLUMN archived_at, DROP COLUMN seen_at;
