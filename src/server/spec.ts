/** The flags of `rnnlab serve`, apart from the server code so the CLI can list the command without loading it. */
import type { CommandSpec } from '../cli/args.js';

export const serveSpec: CommandSpec = {
  name: 'serve',
  usage: 'serve [--port 8787] [--runs runs/] [--host 127.0.0.1] [--token TOKEN]',
  summary: 'Start the dashboard: watch training live, compare runs, try the models, look inside the networks.',
  description: [
    'Serves a single-page app (no network access needed) and prints its URL. Binds 127.0.0.1 only,',
    'unless --host names another interface (e.g. --host 0.0.0.0); then every request needs the access token printed in the URL.',
  ],
  flags: {
    port: { kind: 'int', min: 0, max: 65535, default: 8787, help: 'TCP port (0 picks a free one)' },
    runs: { kind: 'path', metavar: 'DIR', default: 'runs', help: 'the runs folder to list and to write new runs into' },
    host: { kind: 'string', metavar: 'ADDR', help: 'interface to bind (default 127.0.0.1)' },
    token: { kind: 'string', metavar: 'TOKEN', help: 'access token every request must carry (else RNNLAB_TOKEN; off loopback a random one is made)' },
    data: { kind: 'path', mustExist: true, metavar: 'PATH', help: 'aclImdb_v1.tar.gz or a folder holding it (else RNNLAB_DATA, the cache, a download)' },
    threads: { kind: 'int', min: 1, max: 1024, help: 'kernel threads for training jobs (default: all cores, or RNNLAB_THREADS)' },
  },
  examples: ['rnnlab serve', 'rnnlab serve --port 9000 --runs experiments/runs'],
};
