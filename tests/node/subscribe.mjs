// A graphql-ws (graphql-transport-ws) client: subscribes, prints each `next` result as one JSON
// line on stdout, and exits after `count` results. Used by tests/api/test_subscriptions_clients.py.
//   node subscribe.mjs WS_URL QUERY VARIABLES_JSON COUNT
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, query, variables, count] = process.argv.slice(2);
const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
let seen = 0;
const timer = setTimeout(() => { console.error('timed out'); process.exit(3); }, 60_000);
client.subscribe(
  { query, variables: JSON.parse(variables || '{}') },
  {
    next: (result) => {
      console.log(JSON.stringify(result));
      seen += 1;
      if (seen >= Number(count || 1)) {
        clearTimeout(timer);
        client.dispose().then(() => process.exit(0));
      }
    },
    error: (err) => { console.error('error', JSON.stringify(err, Object.getOwnPropertyNames(err || {}))); process.exit(2); },
    complete: () => { console.error('complete'); process.exit(seen >= Number(count || 1) ? 0 : 4); },
  },
);
// Tell the test we are subscribed once the socket is open and the subscribe was sent.
client.on('connected', () => console.error('connected'));
