import { escapeHtml } from '@threadline/core';

/** The login form of `/admin/login`: one labelled password field, no script, works without CSS. */
export function renderAdminLoginPage(options: { error?: string; isLoggedOut?: boolean } = {}): string {
  const notice = options.error
    ? `<p id="login-error" role="alert" class="error">${escapeHtml(options.error)}</p>`
    : options.isLoggedOut
      ? '<p role="status">You are logged out.</p>'
      : '';
  const describedBy = options.error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Threadline admin: log in</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
  label { display: block; font-weight: 600; margin-bottom: .25rem; }
  input { width: 100%; box-sizing: border-box; font-size: 1rem; padding: .5rem; border: 1px solid #555; border-radius: 4px; }
  input:focus, button:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
  button { margin-top: 1rem; font-size: 1rem; padding: .5rem 1.25rem; background: #1d4ed8; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
  .error { color: #b00020; font-weight: 600; }
  .hint { color: #444; font-size: .9rem; }
</style>
</head>
<body>
<main>
<h1>Threadline admin</h1>
${notice}
<form method="post" action="/admin/login">
  <label for="token">Admin token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required minlength="16" maxlength="512" autofocus${describedBy}>
  <p class="hint">ADMIN_TOKEN opens the queue dashboard; ADMIN_READ_TOKEN opens it read-only.</p>
  <button type="submit">Log in</button>
</form>
</main>
</body>
</html>
`;
}
