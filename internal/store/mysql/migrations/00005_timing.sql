-- +goose Up
-- The schema of internal/store/sqlite/migrations/00005_timing.sql in MySQL/MariaDB types.
ALTER TABLE notifications
    ADD COLUMN collapse_key VARBINARY(255) NULL,
    ADD COLUMN replaces     BIGINT NULL,
    ADD COLUMN replaced_by  BIGINT NULL,
    ADD COLUMN data         TEXT NULL,
    ADD KEY notifications_collapse (user_id, collapse_key, replaced_by),
    ADD KEY notifications_visible (user_id, replaced_by, read_at);

CREATE TABLE digests (
    id               BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    open_key         CHAR(64)       CHARACTER SET ascii NULL,
    user_id          VARBINARY(128) NOT NULL,
    type             VARCHAR(128)   NOT NULL,
    digest_key       VARBINARY(255) NOT NULL,
    event_id         BIGINT         NOT NULL,
    role             VARCHAR(32)    NOT NULL,
    channels         VARCHAR(255)   CHARACTER SET ascii NOT NULL,
    phone            VARBINARY(64)  NOT NULL DEFAULT '',
    url              TEXT           NOT NULL,
    message          TEXT           NOT NULL,
    data             MEDIUMTEXT     NULL,
    status           VARCHAR(16)    CHARACTER SET ascii NOT NULL,
    due_at           BIGINT         NOT NULL,
    notification_id  BIGINT         NULL,
    created_at       BIGINT         NOT NULL,
    updated_at       BIGINT         NOT NULL,
    UNIQUE KEY digests_open (open_key),
    KEY digests_due (status, due_at),
    CONSTRAINT digests_event_fk FOREIGN KEY (event_id) REFERENCES events (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE scheduled_notifications (
    id               BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id         BIGINT         NOT NULL,
    user_id          VARBINARY(128) NOT NULL,
    role             VARCHAR(32)    NOT NULL,
    channels         VARCHAR(255)   CHARACTER SET ascii NOT NULL,
    phone            VARBINARY(64)  NOT NULL DEFAULT '',
    type             VARCHAR(128)   NOT NULL,
    message          TEXT           NOT NULL,
    url              TEXT           NOT NULL,
    collapse_key     VARBINARY(255) NULL,
    digest_id        BIGINT         NULL,
    status           VARCHAR(16)    CHARACTER SET ascii NOT NULL,
    due_at           BIGINT         NOT NULL,
    notification_id  BIGINT         NULL,
    created_at       BIGINT         NOT NULL,
    updated_at       BIGINT         NOT NULL,
    UNIQUE KEY scheduled_event_user (event_id, user_id),
    KEY scheduled_due (status, due_at),
    KEY scheduled_digest (digest_id),
    CONSTRAINT scheduled_event_fk FOREIGN KEY (event_id) REFERENCES events (id),
    CONSTRAINT scheduled_digest_fk FOREIGN KEY (digest_id) REFERENCES digests (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE scheduled_notifications;
DROP TABLE digests;
ALTER TABLE notifications
    DROP KEY notifications_visible,
    DROP KEY notifications_collapse,
    DROP COLUMN data,
    DROP COLUMN replaced_by,
    DROP COLUMN replaces,
    DROP COLUMN collapse_key;
