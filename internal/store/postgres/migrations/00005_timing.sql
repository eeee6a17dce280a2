-- +goose Up
-- The schema of internal/store/sqlite/migrations/00005_timing.sql in PostgreSQL types.
-- Keys (collapse keys, digest keys, user ids, phones) are TEXT COLLATE "C", as in 00001:
-- they compare byte for byte, as in SQLite and as MariaDB's VARBINARY.
ALTER TABLE notifications
    ADD COLUMN collapse_key TEXT COLLATE "C",
    ADD COLUMN replaces     BIGINT,
    ADD COLUMN replaced_by  BIGINT,
    ADD COLUMN data         TEXT;
CREATE INDEX notifications_collapse ON notifications (user_id, collapse_key, replaced_by);
CREATE INDEX notifications_visible ON notifications (user_id, replaced_by, read_at);

-- open_key is set while the window is open and NULL once it closed: its unique constraint
-- (NULLs distinct) is where two replicas opening the same window meet.
CREATE TABLE digests (
    id               BIGSERIAL PRIMARY KEY,
    open_key         TEXT COLLATE "C",
    user_id          TEXT COLLATE "C" NOT NULL,
    type             TEXT   NOT NULL,
    digest_key       TEXT COLLATE "C" NOT NULL,
    event_id         BIGINT NOT NULL REFERENCES events (id),
    role             TEXT   NOT NULL,
    channels         TEXT   NOT NULL,
    phone            TEXT COLLATE "C" NOT NULL DEFAULT '',
    url              TEXT   NOT NULL DEFAULT '',
    message          TEXT   NOT NULL,
    data             TEXT,
    status           TEXT   NOT NULL,
    due_at           BIGINT NOT NULL,
    notification_id  BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT digests_open UNIQUE (open_key)
);
CREATE INDEX digests_due ON digests (status, due_at);

CREATE TABLE scheduled_notifications (
    id               BIGSERIAL PRIMARY KEY,
    event_id         BIGINT NOT NULL REFERENCES events (id),
    user_id          TEXT COLLATE "C" NOT NULL,
    role             TEXT   NOT NULL,
    channels         TEXT   NOT NULL,
    phone            TEXT COLLATE "C" NOT NULL DEFAULT '',
    type             TEXT   NOT NULL,
    message          TEXT   NOT NULL,
    url              TEXT   NOT NULL,
    collapse_key     TEXT COLLATE "C",
    digest_id        BIGINT REFERENCES digests (id),
    status           TEXT   NOT NULL,
    due_at           BIGINT NOT NULL,
    notification_id  BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT scheduled_event_user UNIQUE (event_id, user_id)
);
CREATE INDEX scheduled_due ON scheduled_notifications (status, due_at);
CREATE INDEX scheduled_digest ON scheduled_notifications (digest_id);

-- +goose Down
DROP TABLE scheduled_notifications;
DROP TABLE digests;
DROP INDEX notifications_visible;
DROP INDEX notifications_collapse;
ALTER TABLE notifications
    DROP COLUMN data,
    DROP COLUMN replaced_by,
    DROP COLUMN replaces,
    DROP COLUMN collapse_key;
