package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/fault"
	"github.com/notifyd/notifyd/internal/store"
)

// The fan-out job statuses.
const (
	jobRunning   = "running"
	jobFinished  = "finished"
	jobCancelled = "cancelled"
)

// openTopicJob writes the fan-out job of a topic event, in the accepting transaction,
// with the subscribers it will reach: counted by the caller just before (counted, when
// above 0), or counted now. A topic nobody subscribes to gets a finished job: the status
// says 0, and no worker ever claims it. The count is what the answer shows; the pages
// reach whoever is subscribed when their turn comes, as of the accept.
func (s *Store) openTopicJob(ctx context.Context, tx *sql.Tx, eventID int64, topic string, counted int64, now time.Time) (*store.TopicProgress, error) {
	n := counted
	if n <= 0 { // also when the caller counted none: one may have subscribed since
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM topic_subscriptions WHERE topic = ? AND subscribed_at <= ?`, topic, ms(now)).Scan(&n); err != nil {
			return nil, dbErr("count subscribers", err)
		}
	}
	status := jobRunning
	if n == 0 {
		status = jobFinished
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO topic_jobs (event_id, topic, after_user, accepted_at, subscribers, done, status, attempts, lease_until, updated_at) VALUES (?, ?, '', ?, ?, 0, ?, 0, 0, ?)`,
		eventID, topic, ms(now), n, status, ms(now)); err != nil {
		return nil, dbErr("insert topic job", err)
	}
	return &store.TopicProgress{Name: topic, Subscribers: n, Finished: n == 0}, nil
}

// topicOf returns an event's fan-out progress; nil when it is not a topic event.
func (s *Store) topicOf(ctx context.Context, q queryer, eventID int64) (*store.TopicProgress, error) {
	var tp *store.TopicProgress
	err := queryEach(ctx, q, `SELECT topic, subscribers, done, status FROM topic_jobs WHERE event_id = ?`, []any{eventID}, func(r *sql.Rows) error {
		var status string
		tp = &store.TopicProgress{}
		if err := r.Scan(&tp.Name, &tp.Subscribers, &tp.Done, &status); err != nil {
			return err
		}
		tp.Finished, tp.Cancelled = status != jobRunning, status == jobCancelled
		return nil
	})
	return tp, dbErr("select topic job", err)
}

// ClaimTopicJob implements store.Store.
func (s *Store) ClaimTopicJob(ctx context.Context, now time.Time, lease time.Duration) (*store.TopicJob, error) {
	var job *store.TopicJob
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		job = nil
		ids, err := queryIDs(ctx, tx, `SELECT event_id FROM topic_jobs WHERE status = ? AND lease_until <= ? ORDER BY lease_until, event_id LIMIT 1`+s.d.SkipLocked(), jobRunning, ms(now))
		if err != nil || len(ids) == 0 {
			return dbErr("select due topic job", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topic_jobs SET attempts = attempts + 1, lease_until = ?, updated_at = ? WHERE event_id = ?`, ms(now.Add(lease)), ms(now), ids[0]); err != nil {
			return dbErr("claim topic job", err)
		}
		j := &store.TopicJob{EventID: ids[0]}
		var accepted int64
		var payload string
		if err := tx.QueryRowContext(ctx, `SELECT e.idem_key, e.payload, e.source, j.topic, j.accepted_at, j.attempts FROM topic_jobs j JOIN events e ON e.id = j.event_id WHERE j.event_id = ?`, ids[0]).
			Scan(&j.EventKey, &payload, &j.Source, &j.Topic, &accepted, &j.Attempt); err != nil {
			return dbErr("read topic job", err)
		}
		j.Payload, j.AcceptedAt = []byte(payload), fromMS(accepted)
		job = j
		return nil
	})
	return job, err
}

// singleWriter reports whether the database has one writer that every write transaction
// waits for (SQLite), where no row lock is taken because the transaction holds them all.
func (s *Store) singleWriter() bool { return s.d.ForUpdate() == "" }

// FanOutPage implements store.Store.
func (s *Store) FanOutPage(ctx context.Context, job *store.TopicJob, in store.FanOutInput) (*store.FanOutResult, error) {
	if in.Prepared == nil || in.Prepared.Topic == nil {
		return nil, fmt.Errorf("fan-out of %s: the event is not prepared for a topic", job.EventKey)
	}
	// Accepts waiting for the writer go first: the page waits for their turn.
	if err := s.turns.background(ctx); err != nil {
		return nil, err
	}
	var res *store.FanOutResult
	var began time.Time
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		began = time.Now()
		res = &store.FanOutResult{}
		var after, status string
		var attempts int
		var accepted int64
		if err := tx.QueryRowContext(ctx, `SELECT after_user, accepted_at, done, status, attempts FROM topic_jobs WHERE event_id = ?`+s.d.ForUpdate(), job.EventID).
			Scan(&after, &accepted, &res.Done, &status, &attempts); err != nil {
			return dbErr("lock topic job", err)
		}
		if attempts != job.Attempt || status != jobRunning {
			return store.ErrLeaseLost
		}
		targets, onceUsers, err := s.pageOf(ctx, tx, job, in, after, accepted)
		if err != nil {
			return err
		}
		if len(targets) > 0 {
			if err := s.writePage(ctx, tx, job, in, targets, onceUsers, res); err != nil {
				return err
			}
			after = targets[len(targets)-1].UserID
		}
		res.Page = len(targets)
		res.Done += int64(len(targets))
		res.Finished = len(targets) < in.Size
		status = jobRunning
		if res.Finished {
			status = jobFinished
		}
		fault.Hit("topic.page")
		_, err = s.exec(ctx, tx, `UPDATE topic_jobs SET after_user = ?, done = ?, status = ?, lease_until = ?, updated_at = ? WHERE event_id = ?`,
			after, res.Done, status, ms(in.Now.Add(in.Lease)), ms(in.Now), job.EventID)
		return dbErr("move topic cursor", err)
	})
	if err != nil {
		return nil, err
	}
	if s.singleWriter() {
		res.Held = time.Since(began)
	}
	return res, nil
}

// pageOf reads the next page of a job's subscribers: those after the cursor who
// subscribed before the event was accepted, in user order, as targets like the event's
// topic target (its role and channels); onceUsers are those whose subscription ends with
// this notification.
func (s *Store) pageOf(ctx context.Context, tx *sql.Tx, job *store.TopicJob, in store.FanOutInput, after string, accepted int64) ([]notify.Target, []string, error) {
	var targets []notify.Target
	var onceUsers []string
	tmpl := in.Prepared.Topic
	err := queryEach(ctx, tx, `SELECT user_id, once FROM topic_subscriptions WHERE topic = ? AND user_id > ? AND subscribed_at <= ? ORDER BY user_id LIMIT ?`,
		[]any{job.Topic, after, accepted, in.Size}, func(r *sql.Rows) error {
			var u string
			var once int
			if err := r.Scan(&u, &once); err != nil {
				return err
			}
			targets = append(targets, notify.Target{Recipient: notify.Recipient{UserID: u, Role: tmpl.Role}, Channels: tmpl.Channels})
			if once != 0 {
				onceUsers = append(onceUsers, u)
			}
			return nil
		})
	return targets, onceUsers, dbErr("select page of subscribers", err)
}

// writePage makes one page of subscribers what Accept would make them (planEvent, then
// writeNotes) and ends their `once` subscriptions, those the throttle dropped excepted:
// they have not been told yet.
func (s *Store) writePage(ctx context.Context, tx *sql.Tx, job *store.TopicJob, in store.FanOutInput, targets []notify.Target, onceUsers []string, res *store.FanOutResult) error {
	plan, err := s.planEvent(ctx, tx, job.EventID, job.EventKey, in.Prepared, targets, in.Defaults, in.Now)
	if err != nil {
		return err
	}
	res.Scheduled, res.Throttled = len(plan.scheduled), len(plan.throttled)
	if len(plan.notes) > 0 {
		if res.Notifications, err = s.writeNotes(ctx, tx, plan.notes, in.Now); err != nil {
			return err
		}
	}
	dropped := make(map[string]bool, len(plan.throttled))
	for _, u := range plan.throttled {
		dropped[u] = true
	}
	var ended []string
	for _, u := range onceUsers {
		if !dropped[u] {
			ended = append(ended, u)
		}
	}
	return chunks(len(ended), maxRowsPerInsert, func(lo, hi int) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM topic_subscriptions WHERE topic = ? AND once = 1 AND user_id IN (`+placeholders(hi-lo)+`)`,
			append([]any{job.Topic}, anys(ended[lo:hi])...)...)
		return dbErr("end once subscriptions", err)
	})
}

// cancelTopicJob stops an event's fan-out, in the cancelling transaction: no page after
// it is written (a page being written meanwhile holds the job's row, and the cancel waits
// for it).
func (s *Store) cancelTopicJob(ctx context.Context, tx *sql.Tx, eventID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE topic_jobs SET status = ?, updated_at = ? WHERE event_id = ? AND status = ?`, jobCancelled, ms(at), eventID, jobRunning)
	return dbErr("cancel topic job", err)
}
