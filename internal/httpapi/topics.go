package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Topic subscriptions: the admin routes over anyone's, the caller's own under
// /v1/subscriptions.
func (s *Server) routeTopics() {
	s.Route("PUT /v1/topics/{topic}/subscribers/{userId}", s.handle(s.adminOnly(s.adminSubscribe)))
	s.Route("DELETE /v1/topics/{topic}/subscribers/{userId}", s.handle(s.adminOnly(s.adminUnsubscribe)))
	s.Route("GET /v1/topics/{topic}/subscribers", s.handle(s.adminOnly(s.topicSubscribers)))
	s.Route("PUT /v1/subscriptions/{topic}", s.handle(s.user(s.subscribeSelf)))
	s.Route("DELETE /v1/subscriptions/{topic}", s.handle(s.user(s.unsubscribeSelf)))
	s.Route("GET /v1/subscriptions", s.handle(s.user(s.withUser(userOf, s.listSubscriptions))))
}

// adminOnly is s.admin, except that a signed-in user without the admin token is told 403
// (they may only subscribe themselves, under /v1/subscriptions) rather than 401.
func (s *Server) adminOnly(h handlerFunc) handlerFunc {
	guarded := s.admin(h)
	return func(w http.ResponseWriter, r *http.Request) error {
		err := guarded(w, r)
		if notify.ErrorCode(err) != notify.CodeUnauthorized {
			return err
		}
		if _, uerr := s.o.Auth.Authenticate(r); uerr == nil {
			return notify.Errorf(notify.CodeForbidden, "a user subscribes only themselves: PUT /v1/subscriptions/{topic}; this route needs the admin token")
		}
		return err
	}
}

// subscriptionBody is the optional body of a subscribe: {} or {"once": true}.
type subscriptionBody struct {
	Once bool `json:"once"`
}

func pathTopic(r *http.Request) (string, error) {
	t := r.PathValue("topic")
	return t, notify.CheckTopic(t)
}

func (s *Server) adminSubscribe(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	return s.subscribe(w, r, u)
}

func (s *Server) subscribeSelf(w http.ResponseWriter, r *http.Request) error {
	return s.subscribe(w, r, userOf(r))
}

// subscribe answers 201 with the subscription when it is new, 200 when it was there
// (its once flag set as asked).
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request, user string) error {
	topic, err := pathTopic(r)
	if err != nil {
		return err
	}
	var body subscriptionBody
	if r.ContentLength != 0 {
		// No body at all (a chunked request may say nothing of its length) is {}.
		if err := s.decodeBody(w, r, &body); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
	sub := store.Subscription{Topic: topic, UserID: user, Once: body.Once, SubscribedAt: time.Now()}
	created, err := s.o.Store.Subscribe(r.Context(), sub, s.o.TopicsPerUser)
	if errors.Is(err, store.ErrTooManyTopics) {
		return notify.Errorf(notify.CodeTooManyTopics, "user %q is subscribed to %d topics, the most allowed (NOTIFY_TOPICS_PER_USER); unsubscribe from one first", user, s.o.TopicsPerUser)
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, sub)
	return nil
}

func (s *Server) adminUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	u, err := pathUser(r)
	if err != nil {
		return err
	}
	return s.unsubscribe(w, r, u)
}

func (s *Server) unsubscribeSelf(w http.ResponseWriter, r *http.Request) error {
	return s.unsubscribe(w, r, userOf(r))
}

// unsubscribe answers 204, or 404 when the user was not subscribed.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request, user string) error {
	topic, err := pathTopic(r)
	if err != nil {
		return err
	}
	ok, err := s.o.Store.Unsubscribe(r.Context(), topic, user)
	if err != nil {
		return err
	}
	if !ok {
		return notify.Errorf(notify.CodeNotFound, "user %q is not subscribed to %q", user, topic)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listSubscriptions lists a user's topics: the caller's, or (the admin twin) {userId}'s.
func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request, userID string) error {
	subs, err := s.o.Store.UserTopics(r.Context(), userID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": subs})
	return nil
}

// topicSubscribers pages through a topic's subscribers by user id: ?after= (the last
// userId of the page before) and ?limit=, with the count of them all and the next page's
// after ("" on the last).
func (s *Server) topicSubscribers(w http.ResponseWriter, r *http.Request) error {
	topic, err := pathTopic(r)
	if err != nil {
		return err
	}
	limit := defaultLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return notify.FieldErrorf(notify.CodeInvalidQuery, "limit", "must be an integer from 1 to %d", maxLimit)
		}
		limit = n
	}
	subs, total, err := s.o.Store.TopicSubscribers(r.Context(), topic, r.URL.Query().Get("after"), limit+1)
	if err != nil {
		return err
	}
	next := ""
	if len(subs) > limit {
		subs = subs[:limit]
		next = subs[limit-1].UserID
	}
	writeJSON(w, http.StatusOK, map[string]any{"topic": topic, "count": total, "subscribers": subs, "next": next})
	return nil
}
