'use strict';
// Leanode signal shim: Node.js as PID 1 has no default action for SIGTERM/SIGINT.
// Exit promptly unless the app listens for the signal itself.
if (require('worker_threads').isMainThread) {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]]) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      if (process.pid !== 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
        return;
      }
      process.exit(code);
    };
    process.on(signal, onSignal);
  }
}
