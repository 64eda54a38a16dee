import './style.css';
import type { EngineStatus } from '@xbackend/core';
import { Controls, type Settings } from './controls.ts';
import { h } from './dom.ts';
import { listEngines } from './engine-list.ts';
import { cannotRun, harnessReport, pageBrowser, reportingListener, runExtras, unattendedWarmup, warmupProblem } from './harness.ts';
import { RaceView } from './race-view.ts';
import type { RunConfig } from './run-config.ts';
import { RunView } from './run-view.ts';
import { scriptView } from './script-view.ts';

const app = document.querySelector<HTMLElement>('#app');
if (!app) throw new Error('index.html has no #app element');

const query = new URLSearchParams(location.search);
/** The data files sit next to the page, wherever it is deployed; workers cannot resolve that themselves. */
const dataUrl = new URL('data/fashion-mnist/', document.baseURI).href;
const configOf = (s: Settings, backend = s.backend): RunConfig => ({ ...s, backend, dataUrl, ...runExtras(query) });
const report = harnessReport();

const scriptSlot = h('div', { class: 'script-slot' });
const runView = new RunView(() => controls.setRunning(false));
const raceView = new RaceView(() => controls.setRunning(false));
const controls = new Controls(
  {
    train(settings) {
      raceView.stop();
      scriptSlot.replaceChildren(scriptView(settings));
      runView.start(configOf(settings));
      controls.setRunning(true);
    },
    stop() {
      runView.stop();
      raceView.stop();
      controls.setRunning(false);
    },
    race(settings, backends) {
      runView.stop();
      raceView.start(backends.map((b) => configOf(settings, b)));
      controls.setRunning(true);
    },
  },
  query,
);

/** `?autostart=1`: the URL's run starts at once, and its driver hears how it goes (or why it cannot run). */
function startUnattended(warmup: number, statuses: readonly EngineStatus[]): void {
  const wanted = query.get('backend') ?? '';
  const settings = controls.read();
  const problem = cannotRun(wanted, statuses) ?? (settings ? warmupProblem(warmup) : { code: 'SETTINGS', message: controls.problemText() });
  if (problem || !settings) {
    report({ type: 'error', ...(problem ?? { code: 'SETTINGS', message: 'the settings are not valid' }) });
    return;
  }
  const config = configOf({ ...settings, epochs: warmup + settings.epochs }, wanted);
  scriptSlot.replaceChildren(scriptView(config));
  runView.start(config, reportingListener(report, warmup));
  controls.setRunning(true);
}

app.append(
  h(
    'header',
    {},
    h('h1', {}, 'xbackend playground'),
    h(
      'p',
      {},
      "Dive into Deep Learning's Fashion-MNIST models (§3.7 softmax regression, §4.3 MLP, §7.6 LeNet): one script, your pick of model and framework, trained in this page.",
    ),
  ),
  controls.element,
  scriptSlot,
  runView.element,
  raceView.element,
);

document.body.dataset.state = 'loading';
listEngines().then(
  (statuses) => {
    controls.setEngines(statuses);
    document.body.dataset.state = 'ready';
    report({ type: 'engines', statuses, browser: pageBrowser() });
    const warmup = unattendedWarmup(query);
    if (warmup !== undefined) startUnattended(warmup, statuses);
  },
  (error: unknown) => {
    const message = `Could not list the engines: ${error instanceof Error ? error.message : String(error)}`;
    controls.say(message);
    document.body.dataset.state = 'error';
    report({ type: 'error', code: 'ENGINES', message });
  },
);
