/**
 * @module
 * A pool of tesseract.js workers, created once and reused, that recognises page images in a given
 * language with at most `concurrency` pages in recognition at once (one core each: tesseract.js
 * runs single-threaded WebAssembly per worker thread).
 *
 * Why not tesseract.js' own `createScheduler`: its workers all share one language set, and
 * switching a worker's language (`reinitialize`) costs up to a second (the Uzbek model's
 * dictionaries). Reading each page in its one language is what makes tesseract.js as fast as the
 * native CLI reading three, so this pool keeps workers per language, created on first use and kept
 * while idle (memory only), and lets `concurrency` of them work at a time. It also recycles a
 * worker after `recycleAfterPages` pages (WebAssembly memory only grows) or when its thread dies,
 * and fails only the page that broke it.
 *
 * @example
 * const pool = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 2 });
 * const page = await pool.recognise(encodePgm(image), 'rus');
 * await pool.close();
 */
import { availableParallelism, tmpdir } from 'node:os';
import Tesseract from 'tesseract.js';
import { RegistryError } from '../../services/errors.ts';
import { languageDirectory, parseLanguages } from './languages.ts';
import { toPageText, type PageText } from './result.ts';

export interface OcrPoolOptions {
  /** Directory with `<lang>.traineddata` (Debian: /usr/share/tesseract-ocr/5/tessdata). */
  tessdataDir: string;
  /** Pages in recognition at once; default the number of cores. */
  concurrency?: number;
  /** A worker is replaced after this many pages (default 100). */
  recycleAfterPages?: number;
  /**
   * Workers kept at most, busy or idle, over all languages (default 2 × concurrency + 2); the
   * least recently used idle one is ended to make room. Each holds its models (tens of MB).
   */
  maxWorkers?: number;
  /** A page taking longer than this fails and its worker is replaced (default 120 s). */
  pageTimeoutMs?: number;
  /** Tesseract parameters for every recognition (see {@link DEFAULT_PARAMETERS}). */
  parameters?: Record<string, string>;
  /**
   * Load the models' word lists (default false). Certificates are names, numbers and places, not
   * dictionary words: on corpus-dev the lists change no character and cost 10% of the time.
   */
  dictionaries?: boolean;
}

export interface RecogniseOptions {
  /** Tesseract page segmentation mode for this page (default: the pool's). */
  pageSegmentation?: string;
  /** Text only, without layout and hOCR (cheaper; for language identification). */
  textOnly?: boolean;
  /**
   * Ahead of the queued pages: a short read that decides how a whole document is read (its
   * language) should not wait behind other documents' pages, or a core idles at the end of a run.
   */
  urgent?: boolean;
}

/**
 * Engine settings, measured on corpus-dev (tests/bench/ocr.ts):
 * - PSM 3 (automatic layout): forms mix headings, label columns and stamps; a single block (the
 *   tesseract.js default, PSM 6) glues margins and stamps into the text lines (CER 0.039 with
 *   PSM 3, 0.041 with PSM 4, 0.090 with PSM 6; PSM 4 was no faster).
 * - no inverted retry: tesseract re-reads every doubtful line as white-on-black; archive scans
 *   have no inverted text, and the retry costs time on every stained line.
 */
export const DEFAULT_PARAMETERS: Record<string, string> = {
  tessedit_pageseg_mode: '3',
  tessedit_do_invert: '0',
  // Tesseract's notes ("Estimating resolution as 240") would go to the console, under a progress bar.
  debug_file: '/dev/null',
};

export interface OcrPool {
  /** Recognises one page image (PGM, PNG, JPEG or TIFF bytes) in `language` (`rus`, `uzb+rus`, ...). */
  recognise(image: Uint8Array, language: string, options?: RecogniseOptions): Promise<PageText>;
  /** Pages read and failed, workers started, replaced and alive now (for metrics). */
  stats(): { pages: number; failures: number; workersStarted: number; workersReplaced: number; workers: number };
  close(): Promise<void>;
}

interface Job {
  image: Uint8Array;
  language: string;
  options: RecogniseOptions;
  resolve: (page: PageText) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  language: string;
  worker: Promise<Tesseract.Worker>;
  pages: number;
  busy: boolean;
  dead: boolean;
  lastUsed: number;
  /** Rejects the page in progress when the thread dies under it. */
  onDeath?: (error: Error) => void;
}

export function createOcrPool(options: OcrPoolOptions): OcrPool {
  const concurrency = options.concurrency ?? availableParallelism();
  const recycleAfter = options.recycleAfterPages ?? 100;
  const maxWorkers = Math.max(options.maxWorkers ?? 2 * concurrency + 2, concurrency);
  const timeoutMs = options.pageTimeoutMs ?? 120_000;
  const parameters = { ...DEFAULT_PARAMETERS, ...options.parameters };
  const slots: Slot[] = [];
  const queue: Job[] = [];
  const counters = { pages: 0, failures: 0, workersStarted: 0, workersReplaced: 0 };
  const langPaths = new Map<string, string>();
  let active = 0;
  let closed = false;

  /** The model directory of a language set; throws MissingLanguageError when one is not installed. */
  function langPathOf(language: string): string {
    let dir = langPaths.get(language);
    if (!dir) langPaths.set(language, (dir = languageDirectory(parseLanguages(language), options.tessdataDir)));
    return dir;
  }

  function startWorker(language: string): Slot {
    const languages = parseLanguages(language);
    const langPath = langPathOf(language);
    const slot: Slot = { language, pages: 0, busy: false, dead: false, lastUsed: 0, worker: undefined as never };
    slot.worker = (async () => {
      const worker = await Tesseract.createWorker(languages, Tesseract.OEM.LSTM_ONLY, {
        langPath,
        gzip: false, // the files are read as they are; gzip is recognised by its magic bytes
        cacheMethod: 'none', // never write models into the working directory
        cachePath: tmpdir(),
        // tesseract.js throws from its message handler unless given this; the job's own promise
        // carries the failure to the caller.
        errorHandler: () => {},
      }, options.dictionaries ? {} : { load_system_dawg: '0', load_freq_dawg: '0' });
      const thread = (worker as unknown as { worker: import('node:worker_threads').Worker }).worker;
      thread.on('exit', (code) => markDead(slot, new RegistryError('internal', `OCR worker exited with code ${code}`)));
      thread.on('error', (error) => markDead(slot, new RegistryError('internal', `OCR worker crashed: ${error.message}`, { cause: error })));
      await worker.setParameters(parameters);
      return worker;
    })();
    counters.workersStarted++;
    slots.push(slot);
    return slot;
  }

  function markDead(slot: Slot, error: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    if (slot.onDeath) slot.onDeath(error);
    else if (!slot.busy) void retire(slot);
  }

  /** Ends a worker; `replaced` counts it as replaced (failed, dead, worn out) rather than evicted. */
  async function retire(slot: Slot, replaced = true): Promise<void> {
    slot.dead = true;
    const at = slots.indexOf(slot);
    if (at < 0) return;
    slots.splice(at, 1);
    if (!closed && replaced) counters.workersReplaced++;
    await slot.worker.then((w) => w.terminate()).catch(() => {});
  }

  function makeRoomAndStart(language: string): Slot {
    const idle = slots.filter((s) => !s.busy).sort((a, b) => a.lastUsed - b.lastUsed);
    for (let i = 0; slots.length >= maxWorkers && i < idle.length; i++) void retire(idle[i]!, false);
    return startWorker(language);
  }

  /** Starts queued jobs while there are free slots, preferring workers already in the job's language. */
  function pump(): void {
    while (active < concurrency && queue.length > 0 && !closed) {
      const job = queue.shift()!;
      const slot = slots.find((s) => s.language === job.language && !s.busy && !s.dead) ?? makeRoomAndStart(job.language);
      active++;
      slot.busy = true;
      slot.lastUsed = performance.now();
      void run(slot, job).finally(() => {
        active--;
        slot.busy = false;
        pump();
      });
    }
  }

  async function run(slot: Slot, job: Job): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const worker = await slot.worker;
      const died = new Promise<never>((_, reject) => {
        slot.onDeath = reject;
        timer = setTimeout(() => reject(new RegistryError('internal', `OCR of one page took over ${timeoutMs} ms`)), timeoutMs);
      });
      const outputs = job.options.textOnly ? { text: true } : { text: true, blocks: true, hocr: true };
      const recognition = worker.recognize(Buffer.from(job.image.buffer, job.image.byteOffset, job.image.byteLength), pageOptions(job.options), outputs);
      const result = await Promise.race([recognition, died]);
      slot.pages++;
      counters.pages++;
      job.resolve(toPageText(result.data, job.language));
    } catch (error) {
      counters.failures++;
      // A worker that failed may hold a broken WebAssembly heap: replace it, fail only this page.
      slot.dead = true;
      job.reject(error instanceof Error ? error : new RegistryError('internal', `OCR failed: ${String(error)}`));
    } finally {
      clearTimeout(timer);
      slot.onDeath = undefined;
      if (slot.dead || slot.pages >= recycleAfter) await retire(slot);
    }
  }

  function pageOptions(options: RecogniseOptions): Partial<Tesseract.RecognizeOptions> {
    // Per-call tesseract parameters are passed with the options and restored after the page.
    return options.pageSegmentation ? ({ tessedit_pageseg_mode: options.pageSegmentation } as never) : {};
  }

  return {
    recognise(image, language, recogniseOptions = {}) {
      if (closed) return Promise.reject(new RegistryError('service-unavailable', 'the OCR pool is closed'));
      try {
        langPathOf(language); // a missing language fails at once, before anything queues
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<PageText>((resolve, reject) => {
        const job = { image, language, options: recogniseOptions, resolve, reject };
        const firstOrdinary = recogniseOptions.urgent ? queue.findIndex((j) => !j.options.urgent) : -1;
        queue.splice(firstOrdinary < 0 ? queue.length : firstOrdinary, 0, job);
        pump();
      });
    },
    stats: () => ({ ...counters, workers: slots.length }),
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new RegistryError('service-unavailable', 'the OCR pool was closed'));
      await Promise.all([...slots].map((s) => retire(s)));
    },
  };
}
