package email

import (
	"fmt"
	"html"
	htmltemplate "html/template"
	"strings"
	"text/template"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// Content is a rendered email: its subject and both bodies.
type Content struct {
	Subject string
	Text    string
	HTML    string
}

// The default layout, for a type without an email template (or a template field left
// empty): the notification's message as subject and body, with its link.
const (
	defaultSubject = `{{.message}}`
	defaultText    = "{{.message}}\n{{with .url}}\n{{.}}\n{{end}}"
	defaultHTML    = `<!doctype html>
<html><head><meta charset="utf-8"><title>{{.message}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>{{.message}}</p>
{{with .url}}<p><a href="{{.}}">{{.}}</a></p>{{end}}
</body></html>
`
)

type templates struct {
	subject, text *template.Template
	html          *htmltemplate.Template
}

// Renderer renders a message's email from its type's template (NOTIFY_CONFIG
// `types.T.email`) or the default layout. It is read-only once built.
type Renderer struct {
	byType map[string]*templates
	def    *templates
}

// NewRenderer compiles the email templates of every type in reg (nil: defaults only).
func NewRenderer(reg *notify.Registry) (*Renderer, error) {
	def, err := compile("default", notify.EmailTemplate{})
	if err != nil {
		return nil, err
	}
	r := &Renderer{byType: map[string]*templates{}, def: def}
	if reg == nil {
		return r, nil
	}
	for _, name := range reg.Names() {
		t, _ := reg.Lookup(name)
		if t.Email == nil {
			continue
		}
		if r.byType[name], err = compile(name, *t.Email); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func compile(name string, e notify.EmailTemplate) (*templates, error) {
	or := func(s, def string) string {
		if strings.TrimSpace(s) == "" {
			return def
		}
		return s
	}
	var t templates
	var err error
	if t.subject, err = template.New(name + ".subject").Option("missingkey=error").Parse(or(e.Subject, defaultSubject)); err != nil {
		return nil, fmt.Errorf("email template %s: %w", name, err)
	}
	if t.text, err = template.New(name + ".text").Option("missingkey=error").Parse(or(e.Text, defaultText)); err != nil {
		return nil, fmt.Errorf("email template %s: %w", name, err)
	}
	if t.html, err = htmltemplate.New(name + ".html").Option("missingkey=error").Parse(or(e.HTML, defaultHTML)); err != nil {
		return nil, fmt.Errorf("email template %s: %w", name, err)
	}
	return &t, nil
}

// Render renders m's email over the event's data fields plus message, url and type (which
// win over data fields of the same name). A template that needs data the event does not
// carry is a permanent failure: retrying renders the same.
func (r *Renderer) Render(m notify.Message) (Content, error) {
	data := m.TemplateData()
	t := r.byType[m.Type]
	if t == nil {
		t = r.def
	}
	var c Content
	var b strings.Builder
	if err := t.subject.Execute(&b, data); err != nil {
		return c, channel.Permanent("template", err)
	}
	// A header is one line.
	c.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := t.text.Execute(&b, data); err != nil {
		return c, channel.Permanent("template", err)
	}
	c.Text = strings.TrimSpace(b.String()) + "\n"
	b.Reset()
	if err := t.html.Execute(&b, data); err != nil {
		return c, channel.Permanent("template", err)
	}
	c.HTML = b.String()
	return adMark(m, c), nil
}

// adMark puts the advertising marks on an advertisement's email: "(광고)" before the
// subject and the text, the footer line after the text, and both as paragraphs at the
// start and end of the HTML body.
func adMark(m notify.Message, c Content) Content {
	prefix, suffix := m.AdMarks()
	if prefix == "" {
		return c
	}
	c.Subject = prefix + c.Subject
	c.Text = m.AdText(strings.TrimSuffix(c.Text, "\n")) + "\n"
	head := "<p>" + html.EscapeString(notify.AdPrefix) + "</p>\n"
	foot := "\n<p>" + html.EscapeString(strings.TrimPrefix(suffix, "\n")) + "</p>\n"
	if i := strings.Index(strings.ToLower(c.HTML), "<body"); i >= 0 {
		if j := strings.Index(c.HTML[i:], ">"); j >= 0 {
			c.HTML = c.HTML[:i+j+1] + head + c.HTML[i+j+1:]
		}
	} else {
		c.HTML = head + c.HTML
	}
	if suffix == "" {
		return c
	}
	if i := strings.LastIndex(strings.ToLower(c.HTML), "</body>"); i >= 0 {
		c.HTML = c.HTML[:i] + foot + c.HTML[i:]
	} else {
		c.HTML += foot
	}
	return c
}
