-- +goose Up
-- Timing (issue #13): scheduled notifications, digest windows and collapse keys.
-- A notification that waits (sendAt, digest) lives in scheduled_notifications until it is
-- due; the releaser then writes the notifications row with the user's next seq, so SSE
-- ids stay gap-free. Times are unix ms.

-- collapse_key: the producer's publishInformation.collapseKey (NULL: none).
-- replaces: the older notification of the same key this one replaced (NULL: none).
-- replaced_by: set on the older one in the newer one's transaction; lists, counts and
-- replay skip rows where it is set. data: what notifyd adds (a digest's count, eventIds).
ALTER TABLE notifications ADD COLUMN collapse_key TEXT;
ALTER TABLE notifications ADD COLUMN replaces INTEGER;
ALTER TABLE notifications ADD COLUMN replaced_by INTEGER;
ALTER TABLE notifications ADD COLUMN data TEXT;
CREATE INDEX notifications_collapse ON notifications (user_id, collapse_key, replaced_by);
CREATE INDEX notifications_visible ON notifications (user_id, replaced_by, read_at);

-- One row per digest window. open_key (a hash of user, type and rendered key) is set while
-- the window is open and NULL once it closed: its unique index is where two replicas
-- opening the same window meet.
CREATE TABLE digests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    open_key         TEXT    UNIQUE,
    user_id          TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    digest_key       TEXT    NOT NULL,
    event_id         INTEGER NOT NULL REFERENCES events (id),
    role             TEXT    NOT NULL,
    channels         TEXT    NOT NULL,
    phone            TEXT    NOT NULL DEFAULT '',
    url              TEXT    NOT NULL DEFAULT '',
    message          TEXT    NOT NULL,
    data             TEXT,
    status           TEXT    NOT NULL,
    due_at           INTEGER NOT NULL,
    notification_id  INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX digests_due ON digests (status, due_at);

-- One row per event and recipient that waits. status: pending (sendAt), digested (waits
-- in digest_id's window), released (notification_id is its notification), cancelled.
CREATE TABLE scheduled_notifications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         INTEGER NOT NULL REFERENCES events (id),
    user_id          TEXT    NOT NULL,
    role             TEXT    NOT NULL,
    channels         TEXT    NOT NULL,
    phone            TEXT    NOT NULL DEFAULT '',
    type             TEXT    NOT NULL,
    message          TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    collapse_key     TEXT,
    digest_id        INTEGER REFERENCES digests (id),
    status           TEXT    NOT NULL,
    due_at           INTEGER NOT NULL,
    notification_id  INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE INDEX scheduled_due ON scheduled_notifications (status, due_at);
CREATE INDEX scheduled_digest ON scheduled_notifications (digest_id);

-- +goose Down
DROP TABLE scheduled_notifications;
DROP TABLE digests;
DROP INDEX notifications_visible;
DROP INDEX notifications_collapse;
ALTER TABLE notifications DROP COLUMN data;
ALTER TABLE notifications DROP COLUMN replaced_by;
ALTER TABLE notifications DROP COLUMN replaces;
ALTER TABLE notifications DROP COLUMN collapse_key;
