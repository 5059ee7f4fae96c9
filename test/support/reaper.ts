// Makes sure a service process started by a test dies with the test process, however it ends:
// a synchronous 'exit' hook for normal exits and a watchdog shell for signals and crashes.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface Reaper {
  /** Disarms the hooks; call after stopping the service yourself. */
  disarm(): void;
}

/**
 * Arms clean-up for one service: when this Node process goes away (exit, SIGKILL, crash),
 * the service pid is killed and `removeDir` deleted. The watchdog is a `sh` reading our pipe:
 * the pipe closes only when we die, so it needs no polling.
 */
export function armReaper(pid: number, removeDir?: string): Reaper {
  const onExit = (): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (removeDir !== undefined) rmSync(removeDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  const script =
    'read _ignored; kill -TERM "$1" 2>/dev/null; sleep 2; kill -KILL "$1" 2>/dev/null; ' +
    '[ -n "$2" ] && rm -rf -- "$2"; exit 0';
  const watchdog: ChildProcess = spawn('sh', ['-c', script, 'reaper', String(pid), removeDir ?? ''], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  // The pipe must not keep the event loop alive, only exist.
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  watchdog.on('error', () => {});

  let armed = true;
  return {
    disarm(): void {
      if (!armed) return;
      armed = false;
      process.off('exit', onExit);
      // SIGKILL: the watchdog must not run its kill on a pid that may be reused later.
      if (watchdog.pid !== undefined) {
        try {
          process.kill(watchdog.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}
