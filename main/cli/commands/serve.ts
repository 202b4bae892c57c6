import { existsSync } from 'node:fs';
import path from 'node:path';
import { CliError, type CliCommand } from '../command';

export const serveCommands: CliCommand[] = [
  {
    path: ['serve'],
    summary: 'Serve the Drydock UI on loopback (token-protected) and print its URL; Ctrl-C stops',
    usage: 'serve [--port N] [--bind 127.0.0.1|::1]',
    options: { port: { type: 'string' }, bind: { type: 'string' } },
    async run(ctx, values) {
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port takes a port number', 2);
      // Loaded only by this command: the bridge (HTTP, WebSocket, static files) is no other command's cost.
      const [{ rendererDir }, { startBridge }] = await Promise.all([import('../../bridge/renderer-dir'), import('../../bridge/server')]);
      const staticDir = rendererDir();
      if (!existsSync(path.join(staticDir, 'index.html'))) throw new CliError(`the UI is not built at ${staticDir}: run npm run build`, 1);
      const bind = typeof values.bind === 'string' ? values.bind : '127.0.0.1';
      if (bind !== '127.0.0.1' && bind !== '::1') throw new CliError('--bind accepts loopback addresses only (127.0.0.1 or ::1)', 2);
      const { dispatch, events, errorLog } = ctx.transport();
      const bridge = await startBridge({ dispatch, events: { subscribe: events }, staticDir, port, host: bind, errorLog });
      if (ctx.json) ctx.io.out(JSON.stringify({ url: bridge.url, port: bridge.port }));
      else {
        ctx.io.out(`Drydock is serving its UI at:\n\n  ${bridge.url}\n`);
        ctx.io.err("The URL carries this run's access token: do not share it. Ctrl-C stops.");
      }
      await ctx.interrupted;
      await bridge.close();
      return 0;
    },
  },
];
