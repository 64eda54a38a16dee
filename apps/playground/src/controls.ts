import { D2L_DEFAULTS, type EngineStatus, MODEL_PRESETS, type ModelPreset, PRESET_TRAINING } from '@xbackend/core';
import { h } from './dom.ts';
import { MODEL_NAMES } from './model-names.ts';

/** The page's settings as the user typed them; `read()` checks them. */
export interface Settings {
  readonly backend: string;
  readonly model: ModelPreset;
  readonly batchSize: number;
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
}

export interface ControlActions {
  train(settings: Settings): void;
  stop(): void;
  race(settings: Settings, backends: string[]): void;
}

/** The engine the page starts with, as the Node example does: onnxruntime unless the URL asks for another. */
const DEFAULT_BACKEND = 'onnxruntime/wasm';
/** The book's first model unless the URL asks for another (`?model=lenet`). */
const DEFAULT_MODEL: ModelPreset = 'softmax';

function isModelPreset(name: string): name is ModelPreset {
  return (MODEL_PRESETS as readonly string[]).includes(name);
}

function numberInput(
  id: string,
  label: string,
  value: number,
  attributes: Record<string, string | number>,
): [HTMLLabelElement, HTMLInputElement] {
  const input = h('input', { id, name: id, type: 'number', value, required: true, 'data-testid': id, ...attributes });
  return [h('label', { for: id }, label), input];
}

/**
 * Backend/engine picker (unavailable engines listed with their reason), model picker, hyperparameters, Train/Stop and
 * Race. The lr follows the model's book value until the user (or the URL) sets it.
 */
export class Controls {
  readonly element: HTMLElement;
  private readonly picker = h('select', { id: 'backend', 'data-testid': 'backend' });
  private readonly modelPicker = h(
    'select',
    { id: 'model', 'data-testid': 'model' },
    ...MODEL_PRESETS.map((preset) => h('option', { value: preset }, `${MODEL_NAMES[preset].name} (${MODEL_NAMES[preset].section})`)),
  );
  /** A `?model=` the page does not have, reported by `read()` until another model is picked. */
  private unknownModel: string | undefined;
  /** Whether the lr is the user's (typed, or given in the URL) rather than the model's book value. */
  private lrChosen: boolean;
  private readonly engineTable = h('tbody');
  private readonly raceChoices = h('fieldset', { class: 'race-choices', 'data-testid': 'race-choices' });
  private readonly trainButton = h('button', { type: 'submit', 'data-testid': 'train', disabled: true }, 'Train');
  private readonly stopButton = h('button', { type: 'button', 'data-testid': 'stop', disabled: true }, 'Stop');
  private readonly raceButton = h('button', { type: 'button', 'data-testid': 'race-button', disabled: true }, 'Race');
  private readonly problem = h('p', { class: 'problem', role: 'alert', 'data-testid': 'settings-problem' });
  private readonly inputs: Record<'batchSize' | 'lr' | 'epochs' | 'seed', HTMLInputElement>;

  constructor(actions: ControlActions, query: URLSearchParams) {
    const num = (key: string, fallback: number) => Number(query.get(key) ?? fallback);
    const [batchLabel, batchSize] = numberInput('batch-size', 'batch size', num('batchSize', D2L_DEFAULTS.batchSize), {
      min: 1,
      max: 60000,
      step: 1,
    });
    const wantedModel = query.get('model') ?? DEFAULT_MODEL;
    const model = isModelPreset(wantedModel) ? wantedModel : DEFAULT_MODEL;
    if (!isModelPreset(wantedModel)) this.unknownModel = wantedModel;
    this.modelPicker.value = model;
    this.lrChosen = query.has('lr');
    const [lrLabel, lr] = numberInput('lr', 'lr', num('lr', PRESET_TRAINING[model].lr), { min: 0, step: 'any' });
    lr.addEventListener('input', () => {
      this.lrChosen = true;
    });
    this.modelPicker.addEventListener('change', () => {
      this.unknownModel = undefined;
      if (!this.lrChosen) lr.value = String(PRESET_TRAINING[this.modelPicker.value as ModelPreset].lr);
    });
    const [epochsLabel, epochs] = numberInput('epochs', 'epochs', num('epochs', D2L_DEFAULTS.numEpochs), { min: 1, max: 200, step: 1 });
    const [seedLabel, seed] = numberInput('seed', 'seed', num('seed', D2L_DEFAULTS.seed), { step: 1 });
    this.inputs = { batchSize, lr, epochs, seed };
    this.picker.dataset.wanted = query.get('backend') ?? DEFAULT_BACKEND;
    this.picker.append(h('option', {}, 'finding the engines of this browser…'));
    const form = h(
      'form',
      { class: 'controls', 'data-testid': 'controls' },
      h('label', { for: 'backend' }, 'backend/engine'),
      this.picker,
      h('label', { for: 'model' }, 'model'),
      this.modelPicker,
      batchLabel,
      batchSize,
      lrLabel,
      lr,
      epochsLabel,
      epochs,
      seedLabel,
      seed,
      h('div', { class: 'buttons' }, this.trainButton, this.stopButton),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const settings = this.read();
      if (settings) actions.train(settings);
    });
    this.stopButton.addEventListener('click', () => actions.stop());
    this.raceButton.addEventListener('click', () => {
      const settings = this.read();
      const chosen = [...this.raceChoices.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
      if (!settings) return;
      if (chosen.length < 2) return this.say('Pick two or more engines to race.');
      actions.race(settings, chosen);
    });
    this.element = h(
      'section',
      { class: 'settings' },
      form,
      this.problem,
      h(
        'details',
        { class: 'race-picker' },
        h('summary', {}, 'Race: train several engines side by side on the same seed'),
        this.raceChoices,
        this.raceButton,
      ),
      h(
        'details',
        { class: 'engines', 'data-testid': 'engines' },
        h('summary', {}, 'Engines in this browser'),
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, h('th', {}, 'engine'), h('th', {}, 'available'), h('th', {}, 'why not / what it is'))),
          this.engineTable,
        ),
      ),
    );
  }

  setEngines(statuses: readonly EngineStatus[]): void {
    const wanted = this.picker.dataset.wanted;
    const groups = new Map<string, HTMLOptGroupElement>();
    for (const s of statuses) {
      const ref = `${s.backend}/${s.engine}`;
      const group = groups.get(s.backend) ?? h('optgroup', { label: s.backend });
      groups.set(s.backend, group);
      group.append(
        h(
          'option',
          { value: ref, disabled: !s.available, selected: ref === wanted && s.available },
          s.available ? ref : `${ref} (unavailable)`,
        ),
      );
      this.engineTable.append(
        h(
          'tr',
          { 'data-engine': ref, 'data-available': String(s.available) },
          h('td', {}, ref),
          h('td', {}, s.available ? 'yes' : 'no'),
          h('td', {}, s.reason ?? s.description),
        ),
      );
      if (s.available) {
        const id = `race-${ref.replace('/', '-')}`;
        const checked = ref === 'tfjs/wasm' || ref === 'onnxruntime/wasm';
        this.raceChoices.append(h('label', { for: id }, h('input', { type: 'checkbox', id, value: ref, checked }), ref));
      }
    }
    this.picker.replaceChildren(...groups.values());
    this.setRunning(false);
  }

  setRunning(running: boolean): void {
    this.trainButton.disabled = running;
    this.raceButton.disabled = running;
    this.stopButton.disabled = !running;
  }

  say(problem: string): void {
    this.problem.textContent = problem;
  }

  /** What `say` shows now (empty when the settings are fine). */
  problemText(): string {
    return this.problem.textContent ?? '';
  }

  /** The settings, or undefined after saying what is wrong with them. */
  read(): Settings | undefined {
    const { batchSize, lr, epochs, seed } = this.inputs;
    const value = (input: HTMLInputElement) => Number(input.value);
    const problems = [
      this.unknownModel === undefined ? '' : `model must be one of ${MODEL_PRESETS.join(', ')}, got '${this.unknownModel}'`,
      Number.isSafeInteger(value(batchSize)) && value(batchSize) > 0 ? '' : 'batch size must be a positive integer',
      Number.isFinite(value(lr)) && value(lr) > 0 ? '' : 'lr must be a positive number',
      Number.isSafeInteger(value(epochs)) && value(epochs) > 0 ? '' : 'epochs must be a positive integer',
      Number.isSafeInteger(value(seed)) ? '' : 'seed must be an integer',
    ].filter(Boolean);
    this.say(problems.join('; '));
    if (problems.length > 0) return undefined;
    const model = this.modelPicker.value as ModelPreset;
    return { backend: this.picker.value, model, batchSize: value(batchSize), lr: value(lr), epochs: value(epochs), seed: value(seed) };
  }
}
