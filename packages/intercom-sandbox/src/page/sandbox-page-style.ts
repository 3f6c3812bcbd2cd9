/** The inbox page's CSS (inline: the sandbox has no front-end build step). */
export const inboxStyle = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f5f4;color:#1c1917;height:100vh;display:flex;flex-direction:column}
.top{display:flex;align-items:baseline;gap:12px;background:#1c1917;color:#fafaf9;padding:10px 18px}
.top h1{margin:0;font-size:16px;font-weight:600}.top-note{color:#a8a29e;font-size:12px}
.live{margin-left:auto;font-size:12px;color:#86efac}.live.stale{color:#fca5a5}
.inbox{flex:1;display:grid;grid-template-columns:300px minmax(0,1fr) 280px;min-height:0}
.list-pane{border-right:1px solid #e7e5e4;background:#fff;overflow-y:auto}
.conversation-list{list-style:none;margin:0;padding:0}
.item{display:block;padding:10px 14px;border-bottom:1px solid #f5f5f4;color:inherit;text-decoration:none}
.item:hover{background:#fafaf9}.item.selected{background:#eff6ff;box-shadow:inset 3px 0 #2563eb}
.item-top{display:flex;justify-content:space-between;gap:8px}.item-top time{color:#78716c;font-size:12px}
.item .contact-name{font-weight:600}
.item-text{display:block;color:#44403c;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.item-meta{display:block;color:#78716c;font-size:12px;margin-top:2px}
.thread-pane{overflow-y:auto;padding:0 0 24px}
.thread-header{position:sticky;top:0;z-index:1;display:flex;justify-content:space-between;gap:12px;align-items:flex-start;background:#fff;border-bottom:1px solid #e7e5e4;padding:12px 20px}
.thread-header h2{margin:0;font-size:17px}.meta{color:#78716c;font-size:12px}
.thread-controls{display:flex;gap:8px;align-items:center;white-space:nowrap}.actions{display:flex}
.actions button{font:inherit;font-size:12px;padding:3px 10px;border:1px solid #d6d3d1;border-radius:6px;background:#fff;cursor:pointer;margin-left:4px}
.actions button:hover{background:#f5f5f4}
.state{display:inline-block;border-radius:999px;padding:0 8px;font-size:11px;font-weight:600;color:#fff;text-transform:uppercase;letter-spacing:.03em}
.state.open{background:#15803d}.state.closed{background:#57534e}.state.snoozed{background:#b45309}
.parts{padding:16px 20px;display:flex;flex-direction:column;gap:12px;max-width:760px}
.part.comment{align-self:flex-start;max-width:80%}
.bubble{background:#fff;border:1px solid #e7e5e4;border-radius:12px 12px 12px 4px;padding:8px 12px}
.bubble p{margin:0}
.part.note{background:#fef9c3;border:1px solid #fde68a;border-radius:8px;padding:10px 14px}
.note-label{font-size:12px;font-weight:600;color:#854d0e;margin-bottom:6px}
.note-label::before{content:"";display:inline-block;width:8px;height:8px;border-radius:2px;background:#ca8a04;margin-right:6px}
.part.note .body p{margin:2px 0}
.part.note .body p:first-child i{color:#78716c}
.part.note.redacted{background:#f5f5f4;border-color:#e7e5e4;color:#78716c}
.pause-break{display:flex;align-items:center;gap:8px;color:#a16207;font-size:11px;margin:8px 0}
.pause-break::before,.pause-break::after{content:"";flex:1;border-top:1px dashed #eab308}
.part-meta{margin-top:6px;color:#78716c;font-size:11px}
.reference{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:rgba(0,0,0,.04);border-radius:4px;padding:0 4px}
.part.event{align-self:center;color:#78716c;font-size:12px;background:#f5f5f4;border-radius:999px;padding:2px 12px}
.badge{display:inline-block;background:#a8a29e;color:#fff;border-radius:4px;padding:0 6px;font-size:11px}
.apps-pane{border-left:1px solid #e7e5e4;background:#fafaf9;padding:12px 14px;overflow-y:auto}
.apps-pane h3{margin:0 0 8px;font-size:13px;color:#57534e;text-transform:uppercase;letter-spacing:.04em}
.empty{color:#78716c;padding:0 20px}.apps-pane .empty{padding:0;font-size:12px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}`;
