-- +goose Up
-- The schema of internal/store/sqlite/migrations/00019_topics.sql in PostgreSQL types.
CREATE TABLE topic_subscriptions (
    topic          TEXT COLLATE "C" NOT NULL,
    user_id        TEXT COLLATE "C" NOT NULL,
    once           SMALLINT NOT NULL DEFAULT 0,
    subscribed_at  BIGINT   NOT NULL,
    PRIMARY KEY (topic, user_id)
);
CREATE INDEX topic_subscriptions_user ON topic_subscriptions (user_id, topic);

CREATE TABLE topic_jobs (
    event_id     BIGINT PRIMARY KEY REFERENCES events (id),
    topic        TEXT COLLATE "C" NOT NULL,
    after_user   TEXT COLLATE "C" NOT NULL DEFAULT '',
    accepted_at  BIGINT  NOT NULL,
    subscribers  BIGINT  NOT NULL,
    done         BIGINT  NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_until  BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX topic_jobs_due ON topic_jobs (status, lease_until);

CREATE UNIQUE INDEX notifications_event_user ON notifications (event_id, user_id);
DROP INDEX notifications_event;

-- +goose Down
CREATE INDEX notifications_event ON notifications (event_id);
DROP INDEX notifications_event_user;
DROP TABLE topic_jobs;
DROP TABLE topic_subscriptions;
