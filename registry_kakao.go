package notify

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/template"
)

// AlimTalkTemplate is one Kakao-approved AlimTalk template (NOTIFY_CONFIG `alimtalk:`),
// its text exactly as approved: each #{name} is filled at send time from the variables of
// the type that uses it. Kakao refuses a message whose text differs from the approved one.
type AlimTalkTemplate struct {
	Text    string        `yaml:"text"`
	Buttons []KakaoButton `yaml:"buttons"`
}

// KakaoButton is a button of an AlimTalk: its kind (WL web link, AL app link, DS delivery
// search, BK bot keyword, MD message delivery), its name as approved and, for links, a
// URL rendered like the message (text/template over the event's data, message, url, type).
type KakaoButton struct {
	Type string `yaml:"type"`
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
}

// KakaoFallback says what becomes of an AlimTalk Kakao cannot deliver to the person.
const (
	KakaoFallbackSMS  = "sms"  // the same text as SMS or LMS, once (the default)
	KakaoFallbackNone = "none" // nothing more
)

// Kakao is a type's `kakao:` block: which template, and how each #{variable} is filled.
type Kakao struct {
	Template  string            `yaml:"template"`
	Variables map[string]string `yaml:"variables"`
	Buttons   []KakaoButton     `yaml:"buttons"` // replace the template's buttons (their URLs), when set
	Fallback  string            `yaml:"fallback"`

	tpl      *AlimTalkTemplate
	vars     map[string]*template.Template
	buttons  []*template.Template
	btnSpecs []KakaoButton
}

// kakaoVar matches a #{name} placeholder of an AlimTalk template.
var kakaoVar = regexp.MustCompile(`#\{([^{}]+)\}`)

// Placeholders lists the #{…} names of a template's text, in order, each once.
func (t AlimTalkTemplate) Placeholders() []string {
	var out []string
	for _, m := range kakaoVar.FindAllStringSubmatch(t.Text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// compile checks the block against the templates at start-up: a known template, every
// placeholder filled, no variable the template lacks, parseable variables and buttons.
func (k *Kakao) compile(typ string, tpls map[string]AlimTalkTemplate) error {
	where := "types." + typ + ".kakao"
	if strings.TrimSpace(k.Template) == "" {
		return fmt.Errorf("config: %s.template: is required", where)
	}
	tpl, ok := tpls[k.Template]
	if !ok {
		return fmt.Errorf("config: %s.template: %q is not a template of alimtalk: (known: %s)", where, k.Template, strings.Join(slices.Sorted(maps.Keys(tpls)), ", "))
	}
	for _, name := range tpl.Placeholders() {
		if _, ok := k.Variables[name]; !ok {
			return fmt.Errorf("config: %s.variables: template %s's #{%s} is not filled (type %s, variable %s)", where, k.Template, name, typ, name)
		}
	}
	k.vars = map[string]*template.Template{}
	for name, text := range k.Variables {
		if !slices.Contains(tpl.Placeholders(), name) {
			return fmt.Errorf("config: %s.variables.%s: template %s has no #{%s}", where, name, k.Template, name)
		}
		t, err := template.New(typ + ".kakao." + name).Option("missingkey=error").Parse(text)
		if err != nil {
			return fmt.Errorf("config: %s.variables.%s: %w", where, name, err)
		}
		k.vars[name] = t
	}
	switch k.Fallback {
	case "":
		k.Fallback = KakaoFallbackSMS
	case KakaoFallbackSMS, KakaoFallbackNone:
	default:
		return fmt.Errorf("config: %s.fallback: %q is not sms or none", where, k.Fallback)
	}
	k.btnSpecs = tpl.Buttons
	if k.Buttons != nil {
		k.btnSpecs = k.Buttons
	}
	k.buttons = nil
	for i, b := range k.btnSpecs {
		if b.Type == "" || b.Name == "" {
			return fmt.Errorf("config: %s.buttons[%d]: needs type and name", where, i)
		}
		t, err := template.New(fmt.Sprintf("%s.kakao.buttons[%d]", typ, i)).Option("missingkey=error").Parse(b.URL)
		if err != nil {
			return fmt.Errorf("config: %s.buttons[%d].url: %w", where, i, err)
		}
		k.buttons = append(k.buttons, t)
	}
	k.tpl = &tpl
	return nil
}

// Approved is the registered template the block was checked against at start-up (its
// text with the #{…} placeholders, as Kakao approved it); zero before the check.
func (k *Kakao) Approved() AlimTalkTemplate {
	if k == nil || k.tpl == nil {
		return AlimTalkTemplate{}
	}
	return *k.tpl
}

// AlimTalk is an AlimTalk ready to send: the template code, the filled variables, the
// text as the template reads with them and the buttons with their links.
type AlimTalk struct {
	Template  string
	Variables map[string]string // name (without #{}) → value
	Text      string
	Buttons   []KakaoButton
	Fallback  string // sms or none
}

// EmptyVariableError is a variable that rendered empty (or needed data the event did not
// carry): the AlimTalk cannot go out, as Kakao refuses a template with a hole.
type EmptyVariableError struct {
	Type, Variable string
	Err            error
}

func (e *EmptyVariableError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("type %s: kakao variable #{%s} is empty: %v", e.Type, e.Variable, e.Err)
	}
	return fmt.Sprintf("type %s: kakao variable #{%s} is empty", e.Type, e.Variable)
}

func (e *EmptyVariableError) Unwrap() error { return e.Err }

// AlimTalk renders the type's AlimTalk for m over the event's data plus message, url and
// type. A variable that renders empty is an *EmptyVariableError.
func (t *EventType) AlimTalk(m Message) (AlimTalk, error) {
	k := t.Kakao
	if k == nil || k.tpl == nil {
		return AlimTalk{}, fmt.Errorf("type %s has no kakao block", t.Name)
	}
	data := m.TemplateData()
	a := AlimTalk{Template: k.Template, Variables: make(map[string]string, len(k.vars)), Fallback: k.Fallback}
	var b strings.Builder
	for _, name := range k.tpl.Placeholders() {
		b.Reset()
		err := k.vars[name].Execute(&b, data)
		v := strings.TrimSpace(b.String())
		if err != nil || v == "" {
			return AlimTalk{}, &EmptyVariableError{Type: t.Name, Variable: name, Err: err}
		}
		a.Variables[name] = v
	}
	a.Text = kakaoVar.ReplaceAllStringFunc(k.tpl.Text, func(s string) string { return a.Variables[s[2:len(s)-1]] })
	for i, bt := range k.btnSpecs {
		b.Reset()
		if err := k.buttons[i].Execute(&b, data); err != nil {
			return AlimTalk{}, fmt.Errorf("type %s: kakao button %s: %w", t.Name, bt.Name, err)
		}
		a.Buttons = append(a.Buttons, KakaoButton{Type: bt.Type, Name: bt.Name, URL: strings.TrimSpace(b.String())})
	}
	return a, nil
}

// checkKakao is the start-up check of a type's channels against its kakao block: a type
// routed to kakao needs one, and an advertising type may not use kakao (AlimTalk is for
// information only; Kakao bars advertising from it).
func (t *EventType) checkKakao() error {
	uses := false
	for _, cs := range t.Channels {
		uses = uses || slices.Contains(cs, ChannelKakao)
	}
	switch {
	case uses && t.Advertising:
		return fmt.Errorf("config: types.%s: channel kakao on an advertising type (advertising: true): AlimTalk may not carry advertising", t.Name)
	case uses && t.Kakao == nil:
		return fmt.Errorf("config: types.%s.kakao: is required when a role's channels name kakao", t.Name)
	}
	return nil
}
