package console

import (
	"crypto/subtle"
	"net/http"

	"github.com/sluicehq/sluice/local/guard"
)

// errNoToken refuses an action without the console's token.
const errNoToken guard.Refusal = "Console actions need the console's token (" + guard.TokenHeader + " or the form field token): open the console and act from its pages"

// checkAction decides whether r may act (start, stop, re-run, redrive): it must pass the endpoint's
// guard (Host, Origin, Sec-Fetch-Site: package guard) and, always, carry the per-process token in
// guard.TokenHeader or the form field "token". Only the console's own pages hold the token (a page of
// another origin cannot read them), and a form on another site is refused by its Origin anyway.
func (c *Console) checkAction(r *http.Request) error {
	if r.Method != http.MethodPost {
		return guard.Refusal("Console actions are POST requests")
	}
	if err := c.guard.Check(r); err != nil {
		return err
	}
	tok := r.Header.Get(guard.TokenHeader)
	if tok == "" {
		tok = r.PostFormValue("token")
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(c.guard.Token())) != 1 {
		return errNoToken
	}
	return nil
}
