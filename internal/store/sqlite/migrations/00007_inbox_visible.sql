-- +goose Up
-- Lists and badge counts skip notifications replaced by a newer one of the same collapse
-- key (replaced_by IS NULL). The inbox indexes of 00003 carry replaced_by before seq, so
-- a page or a count is still one index range and never reads the rows it passes over.
-- notifications_visible (00005) walks a user's visible notifications in seq order: with
-- read_at in its place, a deep page of the default list was sorted from all of them.
DROP INDEX notifications_unread;
DROP INDEX notifications_archived;
DROP INDEX notifications_unseen;
DROP INDEX notifications_visible;
CREATE INDEX notifications_visible ON notifications (user_id, replaced_by, seq);
CREATE INDEX notifications_unread ON notifications (user_id, read_at, archived_at, replaced_by, seq);
CREATE INDEX notifications_archived ON notifications (user_id, archived_at, replaced_by, seq);
CREATE INDEX notifications_unseen ON notifications (user_id, seen_at, archived_at, replaced_by);

-- +goose Down
DROP INDEX notifications_visible;
CREATE INDEX notifications_visible ON notifications (user_id, replaced_by, read_at);
DROP INDEX notifications_unseen;
DROP INDEX notifications_archived;
DROP INDEX notifications_unread;
CREATE INDEX notifications_unread ON notifications (user_id, read_at, archived_at, seq);
CREATE INDEX notifications_archived ON notifications (user_id, archived_at, seq);
CREATE INDEX notifications_unseen ON notifications (user_id, seen_at, archived_at);
