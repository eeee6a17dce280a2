-- +goose Up
-- Inbox states (#15): seen (the bell was opened), archived (put away). Indexes serve the
-- inbox list newest first under each filter, and the badge counts, for users with many
-- notifications: IS NULL is an equality for the index, so each default view walks one
-- index range in seq order, and each badge count is one covering index range.
-- archived=only (a range on archived_at) walks (user_id, seq) backwards instead.
ALTER TABLE notifications
    ADD COLUMN seen_at BIGINT NULL,
    ADD COLUMN archived_at BIGINT NULL,
    DROP INDEX notifications_unread,
    ADD KEY notifications_unread (user_id, read_at, archived_at, seq),
    ADD KEY notifications_archived (user_id, archived_at, seq),
    ADD KEY notifications_unseen (user_id, seen_at, archived_at),
    ADD KEY notifications_type (user_id, type, seq);

-- +goose Down
ALTER TABLE notifications
    DROP INDEX notifications_type,
    DROP INDEX notifications_unseen,
    DROP INDEX notifications_archived,
    DROP INDEX notifications_unread,
    ADD KEY notifications_unread (user_id, read_at),
    DROP COLUMN archived_at,
    DROP COLUMN seen_at;
