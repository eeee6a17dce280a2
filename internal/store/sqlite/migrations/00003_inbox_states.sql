-- +goose Up
-- Inbox states (#15): seen (the bell was opened), archived (put away). Indexes serve the
-- inbox list newest first under each filter, and the badge counts, for users with many
-- notifications: IS NULL is an equality for the index, so each default view walks one
-- index range in seq order, and each badge count is one covering index range.
-- archived=only (a range on archived_at) walks (user_id, seq) backwards instead.
ALTER TABLE notifications ADD COLUMN seen_at INTEGER;
ALTER TABLE notifications ADD COLUMN archived_at INTEGER;
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
ALTER TABLE notifications DROP COLUMN archived_at;
ALTER TABLE notifications DROP COLUMN seen_at;
