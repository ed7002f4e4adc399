// Load generator for `python -m bench subscriptions`: N graphql-transport-ws subscribers to one
// operation (VARIABLES_JSON an object), or spread over several variable sets (VARIABLES_JSON an
// array: socket i uses element i % length), speaking the protocol directly over `ws` (cheap enough that one Node process holds
// 10,000 sockets and does not become the bottleneck it measures). Records the wall-clock time
// (ms, sub-ms precision) of every `next` on every socket.
//   node bench/subscribers.mjs URL N QUERY VARIABLES_JSON OUT_FILE [CONCURRENCY]
// stdout: "READY n" once every socket is subscribed (the gateway answered the ping sent after
// the subscribe); stdin commands: "STATUS" -> "STATUS received closed", "RESET" (forget what was
// received), "DONE" (write OUT_FILE as JSON, print "WROTE", exit).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const require = createRequire(new URL('../tests/node/package.json', import.meta.url));
const WebSocket = require('ws');

const [url, nText, query, variablesText, outFile, concurrencyText] = process.argv.slice(2);
const n = Math.min(Number(nText), 20000);
const concurrency = Number(concurrencyText || 200);
const parsed = JSON.parse(variablesText || '{}');
const variableSets = Array.isArray(parsed) ? parsed : [parsed];
const now = () => performance.timeOrigin + performance.now();

const times = Array.from({ length: n }, () => []);
const codes = {};
let ready = 0, opened = 0, inFlight = 0, received = 0, closed = 0, errors = 0;

function open(i) {
  inFlight += 1;
  const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
  let subscribed = false;
  ws.on('open', () => ws.send('{"type":"connection_init","payload":{}}'));
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.startsWith('{"id":"s","type":"next"')) {  // hot path: no JSON.parse needed
      times[i].push(now());
      received += 1;
      return;
    }
    const message = JSON.parse(text);
    if (message.type === 'connection_ack') {
      const variables = variableSets[i % variableSets.length];
      ws.send(JSON.stringify({ type: 'subscribe', id: 's', payload: { query, variables } }));
      ws.send('{"type":"ping"}');
    } else if (message.type === 'pong' && !subscribed) {
      subscribed = true;
      inFlight -= 1;
      ready += 1;
      if (ready === n) console.log(`READY ${n}`);
      pump();
    } else if (message.type === 'error') {
      errors += 1;
      console.error('operation error', text.slice(0, 300));
    }
  });
  ws.on('close', (code) => {
    closed += 1;
    codes[code] = (codes[code] || 0) + 1;
    if (!subscribed) { inFlight -= 1; pump(); }
  });
  ws.on('error', (err) => { if (!subscribed) console.error('socket error', String(err).slice(0, 200)); });
}

function pump() {
  while (opened < n && inFlight < concurrency) open(opened++);
}
pump();

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'STATUS') console.log(`STATUS ${received} ${closed} ${ready}`);
  else if (command === 'RESET') { for (const t of times) t.length = 0; received = 0; console.log('RESET'); }
  else if (command === 'DONE') {
    writeFileSync(outFile, JSON.stringify({ n, ready, closed, codes, errors, times }));
    console.log('WROTE');
    process.exit(0);
  }
});
setTimeout(() => { console.error('load generator: time limit reached'); process.exit(5); }, 30 * 60 * 1000);
