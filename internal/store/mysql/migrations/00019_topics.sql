-- +goose Up
-- The schema of internal/store/sqlite/migrations/00019_topics.sql in MySQL/MariaDB types.
-- Topic names are ASCII and case-sensitive.
CREATE TABLE topic_subscriptions (
    topic          VARCHAR(200)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id        VARBINARY(128) NOT NULL,
    once           TINYINT        NOT NULL DEFAULT 0,
    subscribed_at  BIGINT         NOT NULL,
    PRIMARY KEY (topic, user_id),
    KEY topic_subscriptions_user (user_id, topic)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE topic_jobs (
    event_id     BIGINT         NOT NULL PRIMARY KEY,
    topic        VARCHAR(200)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    after_user   VARBINARY(128) NOT NULL DEFAULT '',
    accepted_at  BIGINT         NOT NULL,
    subscribers  BIGINT         NOT NULL,
    done         BIGINT         NOT NULL DEFAULT 0,
    status       VARCHAR(16)    CHARACTER SET ascii NOT NULL,
    attempts     INT            NOT NULL DEFAULT 0,
    lease_until  BIGINT         NOT NULL,
    updated_at   BIGINT         NOT NULL,
    KEY topic_jobs_due (status, lease_until),
    CONSTRAINT topic_jobs_event_fk FOREIGN KEY (event_id) REFERENCES events (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE notifications ADD UNIQUE KEY notifications_event_user (event_id, user_id), DROP KEY notifications_event;

-- +goose Down
ALTER TABLE notifications ADD KEY notifications_event (event_id), DROP KEY notifications_event_user;
DROP TABLE topic_jobs;
DROP TABLE topic_subscriptions;
