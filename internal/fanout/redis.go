package fanout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	notify "github.com/notifyd/notifyd"
)

// RedisOptions tune Redis. Zero values take the defaults.
type RedisOptions struct {
	// Prefix names the channels: "<Prefix>.0" … "<Prefix>.<Shards-1>"
	// (default "notifyd.notifications"). Replicas of one deployment must agree on it and
	// on Shards; two deployments sharing a Redis need different prefixes.
	Prefix string
	// Shards is how many channels users are spread over (default 8). Every replica
	// subscribes to all of them; sharding keeps each message small and lets a Redis
	// Cluster spread the channels, and keeps each user's messages on one channel.
	Shards int
	// MaxBatch bounds the notifications in one message (default 256).
	MaxBatch int
	// Queue is how many Publish calls may wait for the publisher goroutine (default 1024).
	// When it is full (Redis far slower than commits) a batch is dropped for the other
	// replicas, counted and logged; they heal at their next resync.
	Queue int
	// PublishTimeout bounds one pipelined publish (default 2s).
	PublishTimeout time.Duration
	// HealthInterval: the subscription pings Redis when it has been quiet this long and
	// is re-established when the ping is not answered within another (default 5s).
	HealthInterval time.Duration
	// MaxBackoff caps the wait between attempts to re-subscribe (default 2s).
	MaxBackoff time.Duration
	Logger     *slog.Logger
	Metrics    prometheus.Registerer // nil: not registered
}

func (o RedisOptions) withDefaults() RedisOptions {
	if o.Prefix == "" {
		o.Prefix = "notifyd.notifications"
	}
	if o.Shards <= 0 {
		o.Shards = 8
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.Queue <= 0 {
		o.Queue = 1024
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = 2 * time.Second
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = 5 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Redis fans committed notifications out to every replica through Redis pub/sub.
//
// Publish delivers to this replica's own streams at once, then queues the batch for a
// publisher goroutine that PUBLISHes it, pipelined, one message per shard; commits never
// wait for Redis. A subscriber goroutine receives the other replicas' messages and
// delivers them to the local hub, ignoring this replica's own. Each time the subscription
// is established (at start and after every drop) it calls the hub's Resync, so streams
// catch up from the store on whatever was published while the subscription was down.
// Close stops both goroutines and waits for them.
type Redis struct {
	*relay
	client   *redis.Client
	o        RedisOptions
	channels []string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ps     *redis.PubSub // guarded by the relay's mu
}

// NewRedis connects the fan-out to the Redis at rawURL (redis://[user:pass@]host:port/db,
// or rediss:// for TLS) and starts its goroutines. It does not wait for Redis to be up:
// the subscriber keeps trying, and Ping tells readiness.
func NewRedis(rawURL string, hub Hub, o RedisOptions) (*Redis, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fanout: redis url: %w", err)
	}
	o = o.withDefaults()
	opt.ContextTimeoutEnabled = true
	opt.DialTimeout = min(opt.DialTimeout, o.PublishTimeout)
	opt.DialerRetries = 2 // the subscriber retries with its own backoff
	rl, err := newRelay(hub, "redis", o.Queue, o.Logger, o.Metrics)
	if err != nil {
		return nil, err
	}
	r := &Redis{relay: rl, client: redis.NewClient(opt), o: o}
	for i := range o.Shards {
		r.channels = append(r.channels, channelName(o.Prefix, i))
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		r.publishLoop(r.publish)
	}()
	go r.subscribeLoop()
	return r, nil
}

// CloseUsers closes the users' streams here and, through Redis, on every other replica
// (the users were erased). Unlike Publish it waits for Redis, up to PublishTimeout.
func (r *Redis) CloseUsers(ctx context.Context, users []string) error {
	byShard := map[int][]string{}
	for _, u := range users {
		r.hub.CloseUser(u)
		s := shardOf(u, r.o.Shards)
		byShard[s] = append(byShard[s], u)
	}
	ctx, cancel := context.WithTimeout(ctx, r.o.PublishTimeout)
	defer cancel()
	pipe := r.client.Pipeline()
	for s, us := range byShard {
		payload, err := json.Marshal(message{Origin: r.origin, N: []wireNotification{}, Close: us})
		if err != nil {
			return err
		}
		pipe.Publish(ctx, r.channels[s], payload)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("fanout: close streams on other replicas: %w", err)
	}
	return nil
}

// Ping checks that Redis answers (readiness).
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("fanout: redis: %w", err)
	}
	return nil
}

// Close publishes what is queued (each batch within PublishTimeout), stops the
// subscriber, waits for both goroutines and closes the connections.
func (r *Redis) Close() error {
	if !r.shut(func() {
		r.cancel()
		if r.ps != nil {
			_ = r.ps.Close() // unblocks the subscriber's read
		}
	}) {
		return nil
	}
	r.wg.Wait()
	return r.client.Close()
}

// publish sends one batch: one PUBLISH per shard (and per MaxBatch notifications),
// pipelined, pipelineMessages to a round trip. State changes go on their user's shard
// too, so they follow that user's notifications in order.
func (r *Redis) publish(b batch) error {
	byShard := make(map[int][]notify.Notification)
	states := make(map[int][]notify.StateChange)
	var order []int
	note := func(user string) int {
		s := shardOf(user, r.o.Shards)
		if _, ok := byShard[s]; !ok {
			if _, ok := states[s]; !ok {
				order = append(order, s)
			}
		}
		return s
	}
	for _, n := range b.ns {
		s := note(n.UserID)
		byShard[s] = append(byShard[s], n)
	}
	for _, sc := range b.states {
		s := note(sc.UserID)
		states[s] = append(states[s], sc)
	}
	pipe := r.client.Pipeline()
	// flush sends what is queued, under its own PublishTimeout: a broadcast to 95,000 users
	// is hundreds of messages (tens of MB), which one deadline for the whole batch cut off.
	flush := func() error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), r.o.PublishTimeout)
		defer cancel()
		_, err := pipe.Exec(ctx)
		return err
	}
	add := func(s int, payload []byte) error {
		pipe.Publish(r.ctx, r.channels[s], payload)
		if pipe.Len() < pipelineMessages {
			return nil
		}
		return flush()
	}
	for _, s := range order {
		part := byShard[s]
		for lo := 0; lo < len(part); lo += r.o.MaxBatch {
			payload, err := encode(r.origin, part[lo:min(lo+r.o.MaxBatch, len(part))], nil)
			if err != nil {
				return err
			}
			if err := add(s, payload); err != nil {
				return err
			}
		}
		if len(states[s]) > 0 {
			payload, err := encode(r.origin, nil, states[s])
			if err != nil {
				return err
			}
			if err := add(s, payload); err != nil {
				return err
			}
		}
	}
	if pipe.Len() == 0 {
		return nil
	}
	return flush()
}

// pipelineMessages is how many PUBLISHes go in one round trip (and one PublishTimeout):
// 32 full messages of 256 notifications are about 2.5 MB.
const pipelineMessages = 32
