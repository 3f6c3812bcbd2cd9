/**
 * The inbox page's script (inline, no build step): selects a conversation without a reload, polls
 * `/_sandbox/inbox.json` every second and swaps the list and the thread when their version changes,
 * and sends the state buttons' requests. On every new selection the apps column gets
 * `data-conversation-id`, a `sandbox:conversation-selected` event (detail: { conversationId }) and the
 * Inbox app's canvas for that conversation; the canvas's buttons send a submit and show its answer.
 */
export const inboxScript = `
(() => {
  const list = document.getElementById('conversation-list');
  const thread = document.getElementById('thread');
  const apps = document.getElementById('conversation-apps');
  const live = document.getElementById('live-status');
  let version = document.body.dataset.version;
  let selected = document.body.dataset.selected || '';
  let announced;
  const canvasUrl = (id) => '/_sandbox/conversations/' + encodeURIComponent(id) + '/canvas';
  async function showCanvas(request) {
    try {
      const response = await request;
      if (response.ok) apps.innerHTML = '<h3>Apps</h3>' + (await response.text());
    } catch {}
  }
  const announce = () => {
    if (selected === announced) return;
    announced = selected;
    apps.dataset.conversationId = selected;
    apps.dispatchEvent(new CustomEvent('sandbox:conversation-selected', { bubbles: true, detail: { conversationId: selected } }));
    if (selected) showCanvas(fetch(canvasUrl(selected), { cache: 'no-store' }));
  };
  apps.addEventListener('submit', (event) => {
    const form = event.target.closest('form');
    if (!form) return;
    event.preventDefault();
    const button = event.submitter;
    showCanvas(fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sandbox-fragment': '1' },
      body: new URLSearchParams({ component_id: button ? button.value : '' }).toString(),
    }));
  });
  async function refresh() {
    try {
      const response = await fetch('/_sandbox/inbox.json?conversation=' + encodeURIComponent(selected), { cache: 'no-store' });
      const fragments = await response.json();
      live.textContent = 'live'; live.classList.remove('stale');
      if (fragments.version === version) return;
      version = fragments.version;
      selected = fragments.selected || '';
      const atBottom = thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 40;
      list.innerHTML = fragments.list;
      thread.innerHTML = fragments.thread;
      if (atBottom) thread.scrollTop = thread.scrollHeight;
      announce();
    } catch {
      live.textContent = 'sandbox not answering'; live.classList.add('stale');
    }
  }
  list.addEventListener('click', (event) => {
    const item = event.target.closest('a[data-conversation-id]');
    if (!item) return;
    event.preventDefault();
    selected = item.dataset.conversationId;
    version = '';
    history.replaceState(null, '', '?conversation=' + encodeURIComponent(selected));
    refresh();
  });
  thread.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-state]');
    if (!button) return;
    button.disabled = true;
    await fetch('/_sandbox/conversations/' + encodeURIComponent(button.dataset.conversation) + '/state', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: button.dataset.state }),
    });
    refresh();
  });
  announce();
  setInterval(refresh, 1000);
})();`;
