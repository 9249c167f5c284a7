// The browser client of contract §7. Tokens: the access token lives only in this module's memory; the refresh token
// in sessionStorage (this tab only, gone when the tab closes) so that a reload keeps the login. Neither is ever put
// in a URL, in localStorage or in a cookie.
import { Api, ApiError } from './api.js';
import { LiveConnection } from './live.js';

const $ = (id) => document.getElementById(id);
const RefreshKey = 'distributed.refreshToken';

const auth = { accessToken: null, expiresAt: 0, userId: null };
// The edit form is based on one version of the profile: its ETag goes in If-Match. A live update refreshes the
// form only while the person has not started editing it; otherwise their save is refused (412) and they are told.
const form = { etag: null, dirty: false };

const api = new Api(({ method, target, status, encrypted, sessionId }) => {
  $('last-call').textContent = `${method} ${target} → ${status}${encrypted ? ' (encrypted ✓)' : ' (plain)'}`;
  const cryptoStatus = $('crypto-status');
  cryptoStatus.textContent = `Encryption: encrypted ✓ — session ${sessionId}`;
  cryptoStatus.classList.add('ok');
});

const live = new LiveConnection({
  getToken: () => validAccessToken(),
  onStatus: (text) => { $('live-status').textContent = text; },
  onMessage: (message) => {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()} ${JSON.stringify(message)}`;
    item.dataset.type = message.type;
    $('live-log').prepend(item);
    if (message.type === 'data_update' && message.entity === 'user' && message.id === auth.userId) {
      loadProfile({ keepEdits: true }).catch(show);
    }
  },
});

function show(error) {
  const message = $('message');
  message.classList.remove('ok');
  if (error instanceof ApiError) {
    const fields = error.problem.errors ? ' ' + Object.entries(error.problem.errors).map(([f, m]) => `${f}: ${m.join(' ')}`).join('; ') : '';
    message.textContent = `${error.problem.title ?? 'Error'} (HTTP ${error.status}): ${error.message}${fields}`;
  } else {
    message.textContent = String(error?.message ?? error);
  }
}

function info(text) {
  $('message').textContent = text;
  $('message').classList.add('ok');
}

function formJson(form) {
  return Object.fromEntries(new FormData(form).entries());
}

async function signIn(pair) {
  auth.accessToken = pair.accessToken;
  auth.expiresAt = Date.now() + pair.expiresIn * 1000;
  auth.userId = pair.userId;
  sessionStorage.setItem(RefreshKey, pair.refreshToken);
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  await loadProfile();
  live.start();
}

function signOut() {
  live.stop();
  auth.accessToken = null;
  auth.userId = null;
  form.etag = null;
  form.dirty = false;
  sessionStorage.removeItem(RefreshKey);
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  $('live-log').replaceChildren();
}

/** The access token, refreshed (rotating the refresh token) when it is about to expire; null when logged out. */
async function validAccessToken() {
  if (auth.accessToken && auth.expiresAt - Date.now() > 30_000) return auth.accessToken;
  const refreshToken = sessionStorage.getItem(RefreshKey);
  if (!refreshToken) return null;
  try {
    const { body } = await api.call('POST', '/api/auth/refresh', { json: { refreshToken } });
    auth.accessToken = body.accessToken;
    auth.expiresAt = Date.now() + body.expiresIn * 1000;
    auth.userId = body.userId;
    sessionStorage.setItem(RefreshKey, body.refreshToken);
    return auth.accessToken;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut();
      info('Your login has ended; please log in again.');
      return null;
    }
    throw error;
  }
}

function renderProfile(profile, etag, { keepEdits = false } = {}) {
  $('profile-id').textContent = profile.id;
  $('profile-email').textContent = profile.email;
  $('profile-display-name').textContent = profile.displayName;
  $('profile-bio').textContent = profile.bio ?? '—';
  $('profile-avatar-url').textContent = profile.avatarUrl ?? '—';
  $('profile-updated-at').textContent = profile.updatedAt;
  $('profile-etag').textContent = etag ?? '—';
  if (keepEdits && form.dirty) return;
  form.etag = etag;
  form.dirty = false;
  $('edit-display-name').value = profile.displayName;
  $('edit-bio').value = profile.bio ?? '';
  $('edit-avatar-url').value = profile.avatarUrl ?? '';
}

async function loadProfile(options) {
  const token = await validAccessToken();
  if (!token) return;
  const { body, headers } = await api.call('GET', '/api/users/me', { token });
  renderProfile(body, headers.get('etag'), options);
}

function renderDirectory(profiles) {
  const list = $('directory-results');
  list.replaceChildren(...profiles.map((profile) => {
    const item = document.createElement('li');
    item.textContent = `${profile.displayName} — ${profile.bio ?? 'no bio'} (id ${profile.id})`;
    return item;
  }));
  if (profiles.length === 0) list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'No profile found.' }));
}

$('register-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { body } = await api.call('POST', '/api/auth/register', { json: formJson(event.target) });
    $('login-email').value = body.email;
    info(`Account created for ${body.email} (user id ${body.userId}). Now log in.`);
    $('login-password').focus();
  } catch (error) { show(error); }
});

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { body } = await api.call('POST', '/api/auth/login', { json: formJson(event.target) });
    event.target.reset();
    await signIn(body);
    info(`Logged in as ${body.userId}.`);
  } catch (error) { show(error); }
});

$('profile-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const fields = formJson(event.target);
  const patch = { displayName: fields.displayName, bio: fields.bio || null, avatarUrl: fields.avatarUrl || null };
  try {
    const token = await validAccessToken();
    const { body, headers } = await api.call('PATCH', '/api/users/me', { token, json: patch, headers: form.etag ? { 'if-match': form.etag } : {} });
    renderProfile(body, headers.get('etag'));
    info('Profile saved.');
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) {
      form.dirty = false;
      await loadProfile().catch(() => {});
      show('Your profile was changed elsewhere since you loaded it (HTTP 412, ETag no longer matches). ' +
           'The latest version is shown above; make your change again and save.');
      return;
    }
    show(error);
  }
});

$('profile-form').addEventListener('input', () => { form.dirty = true; });

$('reload-profile').addEventListener('click', () => loadProfile().then(() => info('Profile reloaded.'), show));

$('logout').addEventListener('click', async () => {
  const refreshToken = sessionStorage.getItem(RefreshKey);
  try {
    const token = await validAccessToken();
    if (token && refreshToken) await api.call('POST', '/api/auth/logout', { token, json: { refreshToken } });
  } catch (error) { show(error); }
  signOut();
  info('Logged out.');
});

$('lookup-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { body } = await api.call('GET', `/api/users/${encodeURIComponent($('lookup-id').value.trim())}`);
    renderDirectory([body]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) renderDirectory([]);
    else show(error);
  }
});

$('search-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const query = new URLSearchParams({ search: $('search-term').value.trim(), page: '1', pageSize: '20' });
    const { body } = await api.call('GET', `/api/users?${query}`);
    renderDirectory(body.items);
  } catch (error) { show(error); }
});

// Opening the encryption session at once shows the handshake works before anything is sent; a kept refresh
// token (a reload in this tab) logs back in.
api.ensureSession()
  .then((session) => {
    $('crypto-status').textContent = `Encryption: encrypted ✓ — session ${session.sessionId}`;
    $('crypto-status').classList.add('ok');
  })
  .then(async () => {
    if (sessionStorage.getItem(RefreshKey) && await validAccessToken()) {
      $('signed-out').hidden = true;
      $('signed-in').hidden = false;
      await loadProfile();
      live.start();
    }
  })
  .catch(show);
