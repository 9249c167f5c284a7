// Every API call goes through the gateway encrypted (contract §5.1): a body is sent as application/jose, a call
// without one names its session in X-Session-Id, and the answer comes back as a JWE that is checked and decrypted.
import { EncryptedSession } from './session.js';

export class ApiError extends Error {
  constructor(response) {
    const problem = response.body ?? {};
    super(problem.detail || problem.title || `HTTP ${response.status}`);
    this.status = response.status;
    this.problem = problem;
  }
}

export class Api {
  /** onCall receives {method, target, status, encrypted, sessionId} after every call, for the page to show. */
  constructor(onCall) {
    this.onCall = onCall;
    this.session = null;
  }

  async ensureSession() {
    if (!this.session || !this.session.fresh) {
      this.session = await EncryptedSession.open();
    }
    return this.session;
  }

  /** Sends one call; resolves with {status, headers, body} (body parsed as JSON when there is one). */
  async call(method, path, { json, token, headers = {} } = {}) {
    const url = new URL(path, location.origin);
    // htu must be the request target exactly as the browser sends it: the URL parser's normal form.
    const target = url.pathname + url.search;
    for (let attempt = 0; ; attempt++) {
      const session = await this.ensureSession();
      const request = { method, headers: { ...headers }, cache: 'no-store', credentials: 'omit' };
      if (token) request.headers.authorization = `Bearer ${token}`;
      if (json !== undefined) {
        request.headers['content-type'] = 'application/jose';
        request.body = await session.seal(method, target, 'application/json', JSON.stringify(json));
      } else {
        request.headers['x-session-id'] = session.sessionId;
      }
      const response = await fetch(target, request);
      const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
      const encrypted = mediaType === 'application/jose';
      let text = await response.text();
      if (encrypted) {
        text = (await session.open(text, method, target)).text;
      } else if (response.status === 401 && attempt === 0 && text.includes('Unknown session')) {
        // The gateway forgot the session (expired or restarted): shake hands again and resend once.
        this.session = null;
        continue;
      }
      this.onCall?.({ method, target, status: response.status, encrypted, sessionId: session.sessionId });
      const result = { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null, encrypted };
      if (!response.ok) throw new ApiError(result);
      return result;
    }
  }
}
