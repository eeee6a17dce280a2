-- +goose Up
-- Lists and badge counts skip notifications replaced by a newer one of the same collapse
-- key (replaced_by IS NULL). The inbox indexes of 00003 carry replaced_by before seq, so
-- a page or a count is still one index range and never reads the rows it passes over.
-- notifications_visible (00005) walks a user's visible notifications in seq order: with
-- read_at in its place, a deep page of the default list was sorted from all of them.
ALTER TABLE notifications
    DROP INDEX notifications_unread,
    DROP INDEX notifications_archived,
    DROP INDEX notifications_unseen,
    DROP INDEX notifications_visible,
    ADD KEY notifications_visible (user_id, replaced_by, seq),
    ADD KEY notifications_unread (user_id, read_at, archived_at, replaced_by, seq),
    ADD KEY notifications_archived (user_id, archived_at, replaced_by, seq),
    ADD KEY notifications_unseen (user_id, seen_at, archived_at, replaced_by);

-- +goose Down
ALTER TABLE notifications
    DROP INDEX notifications_visible,
    DROP INDEX notifications_unseen,
    DROP INDEX notifications_archived,
    DROP INDEX notifications_unread,
    ADD KEY notifications_visible (user_id, replaced_by, read_at),
    ADD KEY notifications_unread (user_id, read_at, archived_at, seq),
    ADD KEY notifications_archived (user_id, archived_at, seq),
    ADD KEY notifications_unseen (user_id, seen_at, archived_at);
