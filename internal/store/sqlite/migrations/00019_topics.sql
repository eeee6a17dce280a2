-- +goose Up
-- Topics: who is subscribed to what, and one fan-out job per topic event. A job's
-- after_user is its cursor: every subscriber up to it has been worked, in user order.
-- Subscribers who came after the event was accepted (subscribed_at > accepted_at) are
-- not its audience.
CREATE TABLE topic_subscriptions (
    topic          TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    once           INTEGER NOT NULL DEFAULT 0,
    subscribed_at  INTEGER NOT NULL,
    PRIMARY KEY (topic, user_id)
) WITHOUT ROWID;
CREATE INDEX topic_subscriptions_user ON topic_subscriptions (user_id, topic);

CREATE TABLE topic_jobs (
    event_id     INTEGER PRIMARY KEY REFERENCES events (id),
    topic        TEXT    NOT NULL,
    after_user   TEXT    NOT NULL DEFAULT '',
    accepted_at  INTEGER NOT NULL,
    subscribers  INTEGER NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_until  INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX topic_jobs_due ON topic_jobs (status, lease_until);

-- One notification per event and user: a fan-out page written twice fails instead of
-- notifying twice. It replaces the index on event_id alone, which it covers.
CREATE UNIQUE INDEX notifications_event_user ON notifications (event_id, user_id);
DROP INDEX notifications_event;

-- +goose Down
CREATE INDEX notifications_event ON notifications (event_id);
DROP INDEX notifications_event_user;
DROP TABLE topic_jobs;
DROP TABLE topic_subscriptions;
