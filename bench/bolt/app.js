/*
 * app.js: the comparison app of envstats_ack_bench --bolt. A plain Bolt for
 * JavaScript app in Socket Mode that observes the provisioner's messages,
 * written the way a Bolt app is written: new App({ socketMode: true }) and
 * app.message(). envstats_ack_bench runs it as `node app.js` with
 * SLACK_APP_TOKEN, SLACK_BOT_TOKEN and SLACK_API_URL pointing at the
 * loopback Slack emulator (http://127.0.0.1:PORT/api/).
 *
 * How it talks to the emulator: App copies clientOptions into
 * installerOptions.clientOptions, and SocketModeReceiver hands those to
 * SocketModeClient, whose WebClient calls apps.connections.open. So the one
 * slackApiUrl reaches both auth.test (App) and apps.connections.open
 * (SocketModeClient). The emulator answers with a ws:// URL, which the
 * client (undici's WebSocket) opens as it is: @slack/socket-mode has no
 * wss-only check. The emulator sends no pings, and the client only arms its
 * server-ping timeout after a first ping, so it does not reconnect.
 *
 * Acks: Bolt acks an Events API envelope itself, inside App.processEvent,
 * after authorize() and before any middleware or listener runs (all event
 * types but function_executed); a listener gets no ack() to call. So the
 * ack here does not wait for the listener's work, whereas envstats commits
 * the event to SQLite before it acks. The listener does what a comparable
 * Bolt app would do next: match the same default patterns as envstats
 * (src/observe/slack_observe.c), skip re-deliveries by event_id, and keep
 * the latest state of each (repo, branch) in memory. It cannot write
 * envstats's SQLite database (Node 20 has no SQLite, and the schema and
 * the attempt rebuild are envstats's own), so nothing is persisted.
 */
'use strict';

const { App, LogLevel } = require('@slack/bolt');

const PROVISIONER_BOTS = new Set(['B05KRAKEN']);
const CHANNELS = new Set(['C0TESTENVS']);

/* The default patterns of envstats, in its order: the first match wins. */
const PATTERNS = [
  ['failed', /Provisioning `([^`]+)` branch `([^`]+)` failed(: *(.*))?/],
  ['ready', /Environment for `([^`]+)` branch `([^`]+)` is ready/],
  ['requested', /Provisioning requested for `([^`]+)` branch `([^`]+)`/],
  ['requested',
    /Environment for `([^`]+)` branch `([^`]+)` (was |has been )?requested/],
  ['deprovisioned', new RegExp('Environment for `([^`]+)` branch `([^`]+)` '
    + '(is |was |has been )?(deprovisioned|torn down)')],
  ['updated',
    /Environment for `([^`]+)` branch `([^`]+)` (is |was |has been )?updated/],
];

const seen = new Set();		/* event_ids already observed */
const branches = new Map();	/* "repo\tbranch" -> { type, ts } */
let observed = 0;

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`app.js: ${name} is not set`);
    process.exit(78);
  }
  return v;
}

const app = new App({
  token: required('SLACK_BOT_TOKEN'),
  appToken: required('SLACK_APP_TOKEN'),
  socketMode: true,
  logLevel: LogLevel.WARN,
  clientOptions: { slackApiUrl: required('SLACK_API_URL') },
});

/* Every message event; Bolt has acked the envelope before this runs. */
app.message(async ({ message, body }) => {
  if (seen.has(body.event_id)) {
    return;
  }
  seen.add(body.event_id);
  if (message.subtype !== undefined || !PROVISIONER_BOTS.has(message.bot_id)
      || !CHANNELS.has(message.channel) || typeof message.text !== 'string') {
    return;
  }
  for (const [type, re] of PATTERNS) {
    const m = re.exec(message.text);
    if (m !== null) {
      branches.set(`${m[1].toLowerCase()}\t${m[2]}`, { type, ts: message.ts });
      observed += 1;
      return;
    }
  }
});

app.error(async (error) => {
  console.error(`app.js: ${error}`);
});

/* SIGTERM (the bench's stop): close the socket, say what we saw. */
async function stop() {
  try {
    await app.stop();
  } finally {
    console.error(`app.js: observed ${observed} messages, ${branches.size} `
      + 'branches');
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

(async () => {
  await app.start();
})().catch((error) => {
  console.error(`app.js: cannot start: ${error}`);
  process.exit(1);
});
