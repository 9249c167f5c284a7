// The /ws connection of contract §4: authenticates with its first message (the token never goes into a URL),
// answers pings, and reconnects after a drop with exponential backoff and jitter (1 s doubling up to 30 s).
const MaxDelayMs = 30_000;

export class LiveConnection {
  /**
   * getToken: async () => a valid access token, or null when logged out.
   * onMessage(message), onStatus(text): what the page shows.
   */
  constructor({ getToken, onMessage, onStatus }) {
    this.getToken = getToken;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'logged out');
    this.socket = null;
    this.onStatus('not connected');
  }

  async connect() {
    const token = await this.getToken();
    if (this.stopped || !token) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket = socket;
    this.onStatus('connecting…');
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
        return;
      }
      if (message.type === 'connected') {
        this.attempt = 0;
        this.onStatus('connected');
      }
      this.onMessage(message);
    });
    socket.addEventListener('close', (event) => this.closed(socket, event.code));
  }

  closed(socket, code) {
    if (this.socket !== socket || this.stopped) return;
    this.socket = null;
    if (code === 4409) {
      // Another tab or device opened the user's one live connection; fighting it back would loop for ever.
      this.stopped = true;
      this.onStatus('disconnected: this account is connected somewhere else (4409)');
      return;
    }
    const delay = Math.min(MaxDelayMs, 1000 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.onStatus(`disconnected (code ${code}); reconnecting in ${Math.round(delay / 1000)} s`);
    // On 4401 the next getToken() refreshes the access token or, if the login is gone, returns null and we stay out.
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
