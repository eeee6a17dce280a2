package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/notifyd/notifyd/internal/channel/kakao"
	"github.com/notifyd/notifyd/internal/channel/krtext"
	"github.com/notifyd/notifyd/internal/channel/nhn"
	"github.com/notifyd/notifyd/internal/channel/solapi"
	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/httpapi"
)

// kakaoChannel builds the kakao channel: AlimTalks rendered from the registry's templates,
// sent through NOTIFY_KAKAO_PROVIDER (a comma list fails over in order).
func (a *App) kakaoChannel(ctx context.Context) (*delivery.Options, error) {
	var chain kakao.Failover
	for _, name := range strings.Split(a.cfg.KakaoProvider, ",") {
		name = strings.TrimSpace(name)
		var p kakao.Provider
		switch name {
		case "log":
			p = kakao.Log{Logger: a.log}
		case "solapi":
			c, err := a.solapiClient("NOTIFY_KAKAO_PROVIDER")
			if err != nil {
				return nil, err
			}
			p = solapi.AlimTalk{Client: c}
		case "nhn":
			c, err := a.nhnClient("NOTIFY_KAKAO_PROVIDER")
			if err != nil {
				return nil, err
			}
			p = nhn.AlimTalk{Client: c}
		default:
			return nil, fmt.Errorf("NOTIFY_KAKAO_PROVIDER: %q is not log, solapi or nhn (or a comma list of them)", name)
		}
		for _, n := range chain {
			if n.Name == name {
				return nil, fmt.Errorf("NOTIFY_KAKAO_PROVIDER: %q names %s twice", a.cfg.KakaoProvider, name)
			}
		}
		if name != "log" && a.cfg.KakaoSenderKey == "" {
			return nil, fmt.Errorf("NOTIFY_KAKAO_PROVIDER=%s needs NOTIFY_KAKAO_SENDER_KEY (the Kakao channel's sender key)", name)
		}
		chain = append(chain, kakao.Named{Name: name, Provider: p})
	}
	var p kakao.Provider = chain
	if len(chain) == 1 {
		p = chain[0].Provider
	}
	return &delivery.Options{Sender: kakao.Sender{Types: a.registry, Provider: p}, Provider: a.cfg.KakaoProvider,
		Concurrency: a.cfg.KakaoConcurrency, RatePerSecond: a.cfg.SMSRate, CapPerRecipient: a.cfg.SMSCapPerRecipient, CapWindow: a.cfg.SMSCapWindow}, nil
}

// smsFrom is NOTIFY_SMS_FROM in the national form Korean providers take.
func (a *App) smsFrom(setting string) (string, error) {
	from := strings.ReplaceAll(a.cfg.SMSFrom, "-", "")
	if strings.HasPrefix(from, "+") {
		d, ok := krtext.Domestic(from)
		if !ok {
			return "", fmt.Errorf("NOTIFY_SMS_FROM: %q is not a Korean number", a.cfg.SMSFrom)
		}
		from = d
	}
	if from == "" || strings.Trim(from, "0123456789") != "" {
		return "", fmt.Errorf("%s with a Korean provider needs NOTIFY_SMS_FROM, the registered sender number (e.g. 021234567), not %q", setting, a.cfg.SMSFrom)
	}
	return from, nil
}

// solapiClient is the one Solapi client of the process (the kakao and sms channels share it).
func (a *App) solapiClient(setting string) (*solapi.Client, error) {
	if a.solapi != nil {
		return a.solapi, nil
	}
	if a.cfg.SolapiAPIKey == "" || a.cfg.SolapiAPISecret == "" {
		return nil, fmt.Errorf("%s=solapi needs NOTIFY_SOLAPI_API_KEY and NOTIFY_SOLAPI_API_SECRET", setting)
	}
	from, err := a.smsFrom(setting)
	if err != nil {
		return nil, err
	}
	a.solapi = &solapi.Client{APIKey: a.cfg.SolapiAPIKey, APISecret: a.cfg.SolapiAPISecret, URL: strings.TrimRight(a.cfg.SolapiURL, "/"), PfID: a.cfg.KakaoSenderKey, From: from}
	return a.solapi, nil
}

// nhnClient is the one NHN Cloud client of the process.
func (a *App) nhnClient(setting string) (*nhn.Client, error) {
	if a.nhn != nil {
		return a.nhn, nil
	}
	if a.cfg.NHNAppKey == "" || a.cfg.NHNSecretKey == "" {
		return nil, fmt.Errorf("%s=nhn needs NOTIFY_NHN_APP_KEY and NOTIFY_NHN_SECRET_KEY", setting)
	}
	from, err := a.smsFrom(setting)
	if err != nil {
		return nil, err
	}
	a.nhn = &nhn.Client{AppKey: a.cfg.NHNAppKey, SecretKey: a.cfg.NHNSecretKey, KakaoURL: a.cfg.NHNKakaoURL, SMSURL: a.cfg.NHNSMSURL,
		SenderKey: a.cfg.KakaoSenderKey, From: from}
	return a.nhn, nil
}

// reportParsers are the providers that call back with results, for POST
// /v1/providers/{provider}/reports.
func (a *App) reportParsers() map[string]httpapi.ReportParser {
	out := map[string]httpapi.ReportParser{}
	if a.nhn != nil {
		out["nhn"] = nhn.Reports{Signature: a.cfg.NHNWebhookSignature}
	}
	return out
}

// reportsKept is how long a report for a message notifyd does not know is kept, in case
// its send's commit comes after it.
const reportsKept = 24 * time.Hour

// runReports applies, every ReportPoll, the kept reports whose send is now recorded, and
// asks Solapi (which does not call back) for the results of its sent messages.
func (a *App) runReports(ctx context.Context) {
	t := time.NewTicker(a.cfg.ReportPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		if n, err := a.Store.ApplyPendingReports(ctx, now, now.Add(-reportsKept), 500); err != nil {
			a.log.Warn("applying kept delivery reports failed", "err", err)
		} else if n > 0 {
			a.kickWorkers()
		}
		if a.solapi != nil {
			a.pollSolapi(ctx, now)
		}
	}
}

func (a *App) pollSolapi(ctx context.Context, now time.Time) {
	aw, err := a.Store.AwaitingReport(ctx, "solapi", now, 100)
	if err != nil || len(aw) == 0 {
		return
	}
	ids := make([]string, len(aw))
	for i, d := range aw {
		ids[i] = d.ProviderID
	}
	reports, err := a.solapi.Results(ctx, ids)
	if err != nil {
		a.log.Warn("asking solapi for results failed", "err", err)
	}
	for _, r := range reports {
		res, err := a.Store.ApplyReport(ctx, r)
		if err != nil {
			a.log.Warn("applying a solapi result failed", "err", err)
			return
		}
		if res.FallbackID != 0 {
			a.kickWorkers()
		}
	}
}
