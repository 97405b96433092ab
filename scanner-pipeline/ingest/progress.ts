/**
 * @module
 * The ingest progress bar (cli-progress) on stderr, only when stderr is a terminal: stdout stays
 * for the summary (or `--json`), and a log file or CI output gets no control characters.
 *
 * While it shows, the bar hides the cursor and turns line wrap off; however the process ends
 * (Ctrl-C calls `process.exit`, which skips every `finally`), the terminal gets both back.
 */
import cliProgress from 'cli-progress';
import type { RunProgress } from './summary.ts';

export interface ProgressDisplay {
  update(progress: RunProgress, totalFiles: number): void;
  stop(): void;
}

const silent: ProgressDisplay = { update() {}, stop() {} };

/** DECTCEM show cursor, DECAWM auto-wrap on: what cli-progress's `stop()` sends. */
export const RESTORE_TERMINAL = '\x1b[?25h\x1b[?7h';

export function progressBar(options: { enabled: boolean; totalFiles: number; stream?: NodeJS.WriteStream }): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled || !stream.isTTY) return silent;
  const started = Date.now();
  let firstCount: number | undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {value}/{total} files | {pages} pages | {rate} pages/s | ETA {remaining} | {failures} quarantined',
      hideCursor: true,
      fps: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  // Runs synchronously at exit; a terminal's stream is written synchronously, so this reaches it.
  const restore = () => void stream.write(RESTORE_TERMINAL);
  process.once('exit', restore);
  bar.start(options.totalFiles, 0, { pages: 0, rate: '0.00', remaining: '?', failures: 0 });
  return {
    update(p, totalFiles) {
      const seconds = (Date.now() - started) / 1000;
      const finished = p.done + p.duplicates + p.quarantined;
      const total = Math.max(totalFiles, p.files);
      // A resumed run starts with files already done: the rate counts only this process's own.
      firstCount ??= finished;
      const rate = (finished - firstCount) / seconds;
      bar.setTotal(total);
      bar.update(finished, {
        pages: p.pages,
        rate: seconds > 0 ? (p.pagesSince / seconds).toFixed(2) : '0.00',
        remaining: rate > 0 ? formatSeconds((total - finished) / rate) : '?',
        failures: p.quarantined,
      });
    },
    stop() {
      process.off('exit', restore);
      bar.stop();
    },
  };
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
