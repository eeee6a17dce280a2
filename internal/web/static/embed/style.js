// The element's styles (inside its shadow root) and the bell icon.
const CSS = `
[hidden] { display: none !important; }
:host { position: relative; display: inline-block; font: 14px/1.4 system-ui, sans-serif; color: #1f2328; }
button { font: inherit; cursor: pointer; }
.bell { position: relative; border: 0; background: transparent; padding: 6px; border-radius: 8px; color: inherit; }
.bell:focus-visible, button:focus-visible, a:focus-visible { outline: 2px solid #0b57d0; outline-offset: 2px; }
.bell svg { width: 24px; height: 24px; display: block; }
.badge { position: absolute; top: 0; right: 0; min-width: 18px; height: 18px; padding: 0 5px; box-sizing: border-box;
border-radius: 9px; background: #b3261e; color: #fff; font-size: 11px; font-weight: 700; line-height: 18px; text-align: center; }
.panel { position: absolute; right: 0; top: 100%; z-index: 1000; width: min(380px, 92vw); max-height: 70vh; overflow: auto;
background: #fff; border: 1px solid #d0d7de; border-radius: 12px; box-shadow: 0 8px 24px rgba(0,0,0,.15); }
header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; border-bottom: 1px solid #eaeef2; }
h2 { font-size: 16px; margin: 0; flex: 1; }
.link { border: 0; background: none; color: #0b57d0; padding: 4px; border-radius: 4px; }
[role=tablist] { display: flex; gap: 4px; padding: 6px 12px; border-bottom: 1px solid #eaeef2; }
[role=tab] { border: 0; background: none; padding: 6px 10px; border-radius: 16px; color: #57606a; }
[role=tab][aria-selected=true] { background: #dbe7fd; color: #0b3d91; font-weight: 600; }
ul { list-style: none; margin: 0; padding: 0; }
li { display: flex; gap: 8px; padding: 10px 12px; border-bottom: 1px solid #f0f2f4; }
li.unread { background: #f4f8ff; }
li.unread .msg::before { content: ''; display: inline-block; width: 8px; height: 8px; margin-right: 6px; border-radius: 50%; background: #0b57d0; }
.body { flex: 1; min-width: 0; }
.msg { display: block; color: inherit; text-decoration: none; word-break: break-word; }
a.msg:hover { text-decoration: underline; }
time { display: block; color: #57606a; font-size: 12px; margin-top: 2px; }
.acts { display: flex; flex-direction: column; gap: 2px; }
.acts button { border: 1px solid #d0d7de; background: #fff; border-radius: 6px; padding: 2px 6px; font-size: 12px; color: #1f2328; }
.empty, .err, .note { padding: 16px 12px; color: #57606a; margin: 0; }
.err { color: #b3261e; }
.more { display: block; width: 100%; border: 0; background: #f6f8fa; padding: 8px; }
.conn { padding: 4px 12px; font-size: 12px; color: #57606a; }
fieldset { border: 0; margin: 0; padding: 8px 12px; }
legend { font-weight: 600; padding: 0; }
fieldset.type { padding: 4px 0 4px 8px; }
fieldset.type legend { font-weight: 400; color: #57606a; font-size: 12px; }
.times { display: flex; gap: 12px; }
input[type=time] { font: inherit; }
label { display: flex; gap: 8px; align-items: center; padding: 4px 0; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
const BELL = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"/></svg>';

