package app

import (
	"fmt"

	notify "github.com/notifyd/notifyd"
)

// checkAdFooter refuses to start when an advertising type exists and NOTIFY_AD_FOOTER is
// empty: the Korean Network Act (§50) wants every advertisement to end with the sender's
// name and a free way to opt out, and notifyd would otherwise send them without it.
func checkAdFooter(r *notify.Registry, footer string) error {
	if footer != "" {
		return nil
	}
	for _, name := range r.Names() {
		if t, ok := r.Lookup(name); ok && t.Advertising {
			return fmt.Errorf("NOTIFY_AD_FOOTER is empty, but type %s is advertising (advertising: true): every advertisement must end with the sender's name and a free opt-out line, e.g. NOTIFY_AD_FOOTER=\"notifyd 샵 무료수신거부 080-000-0000\"", name)
		}
	}
	return nil
}
