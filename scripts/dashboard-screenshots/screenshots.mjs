// Drives a little traffic through the gateway, then photographs the Aspire dashboard (see ../dashboard-screenshots.sh).
// Usage: node --experimental-websocket screenshots.mjs <dashboard login URL> <gateway base URL> <output folder>
import { chromium } from 'playwright-core';

const [loginUrl, gateway, outDir] = process.argv.slice(2);
const dashboard = new URL(loginUrl).origin;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function call(method, path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(gateway + path, { method, headers, body: body && JSON.stringify(body) });
  return { status: response.status, body: await response.text() };
}

async function traffic() {
  const email = `on-call-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  const registered = await call('POST', '/api/auth/register', { email, password, displayName: 'On Call' });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${registered.body}`);
  await call('POST', '/api/auth/login', { email, password: 'not the password' });
  const login = await call('POST', '/api/auth/login', { email, password });
  const { accessToken, userId } = JSON.parse(login.body);

  const socket = new WebSocket(`${gateway.replace(/^http/, 'ws')}/ws?access_token=${encodeURIComponent(accessToken)}`);
  const received = [];
  socket.onmessage = event => received.push(JSON.parse(event.data));
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  for (let i = 0; i < 3; i++) {
    const patched = await call('PATCH', '/api/users/me', { bio: `on call, change ${i + 1}` }, accessToken);
    if (patched.status !== 200) throw new Error(`patch: ${patched.status} ${patched.body}`);
    await call('GET', `/api/users/${userId}`, undefined, accessToken);
    await call('GET', `/api/users/${userId}`, undefined, accessToken);
    await sleep(1000);
  }
  socket.close(1000, 'done');
  if (!received.some(message => message.type === 'data_update')) throw new Error('no data_update arrived');
}

await traffic();
await sleep(5000); // a few export intervals: the dashboard has what the services recorded

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(loginUrl);
  await page.waitForLoadState('networkidle');

  // The trace of a profile change: gateway → UserService → PostgreSQL → Redis publish → RealtimeService → WebSocket send.
  await page.goto(`${dashboard}/traces`);
  await page.getByText(/PATCH/).first().waitFor({ timeout: 30000 });
  await page.getByText(/PATCH/).first().click();
  await page.waitForURL(/\/traces\/detail\//, { timeout: 30000 });
  await sleep(2000); // Blazor renders the waterfall after the navigation
  await page.screenshot({ path: `${outDir}/dashboard-trace-profile-change.png` });

  // Charts an on-call engineer reads.
  const charts = [
    ['identityservice', 'IdentityService', 'identity.password.hash.duration', 'dashboard-metric-argon2-duration.png'],
    ['identityservice', 'IdentityService', 'identity.logins', 'dashboard-metric-logins.png'],
    ['userservice', 'UserService', 'users.profile.cache.lookups', 'dashboard-metric-profile-cache.png'],
  ];
  for (const [resource, meter, instrument, file] of charts) {
    await page.goto(`${dashboard}/metrics/resource/${resource}?meter=${meter}&instrument=${instrument}&duration=5&view=Graph`);
    await page.getByText(instrument).first().waitFor({ timeout: 30000 });
    await sleep(3000);
    await page.screenshot({ path: `${outDir}/${file}` });
  }
} finally {
  await browser.close();
}
