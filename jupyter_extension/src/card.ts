/**
 * One request card: what the rights holder decides on (the code, who asks and why, the policy
 * decision and its reasons, the datasets and items touched, the result preview at the release
 * stage) and, while it waits for them, Approve / Deny with a note.
 */
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';

import { IDecision, IRequestCard, Verdict } from './api';
import { formatTime, h, shortHash } from './dom';
import { highlightCode } from './highlight';

const CARD = 'jp-SealroomReviewCard';

/** What the panel does when a verdict is given; resolves once the server answered. */
export type DecideHandler = (card: IRequestCard, verdict: Verdict, note: string) => Promise<void>;

export interface ICardOptions {
  card: IRequestCard;
  languages: IEditorLanguageRegistry | null;
  /** Given for the cards the rights holder must decide on; without it the card is read-only. */
  onDecide?: DecideHandler;
}

/** A key that changes whenever the card's content does (reused across polls otherwise). */
export function cardKey(card: IRequestCard): string {
  return `${card.id}|${card.state}|${card.stage ?? ''}|${card.updated_at}|${card.must_review}`;
}

function stageLabel(card: IRequestCard): string {
  if (card.stage === 'release') {
    return 'release review';
  }
  if (card.stage === 'compute') {
    return 'compute review';
  }
  return '';
}

function section(title: string, name: string): HTMLElement {
  const el = h('section', `${CARD}-section ${CARD}-${name}`);
  el.appendChild(h('h4', `${CARD}-sectionTitle`, title));
  return el;
}

function renderDecision(title: string, name: string, decision: IDecision): HTMLElement {
  const el = section(title, name);
  const outcome = h('span', `${CARD}-outcome`, decision.outcome);
  outcome.dataset.outcome = decision.outcome;
  el.firstChild?.appendChild(document.createTextNode(' '));
  el.firstChild?.appendChild(outcome);
  const list = h('ul', `${CARD}-reasons`);
  for (const reason of decision.reasons) {
    const item = h('li', `${CARD}-reason`);
    item.dataset.effect = reason.effect;
    item.dataset.policy = reason.policy;
    const head = h('div', `${CARD}-reasonHead`);
    head.appendChild(h('span', `${CARD}-effect`, reason.effect));
    head.appendChild(h('code', `${CARD}-policy`, reason.policy));
    if (reason.dataset) {
      head.appendChild(h('span', `${CARD}-reasonDataset`, reason.dataset));
    }
    item.appendChild(head);
    item.appendChild(h('div', `${CARD}-reasonText`, reason.reason));
    list.appendChild(item);
  }
  if (decision.reasons.length === 0) {
    list.appendChild(h('li', `${CARD}-reason ${CARD}-empty`, 'no reasons given'));
  }
  el.appendChild(list);
  return el;
}

function renderData(card: IRequestCard): HTMLElement {
  const el = section('Datasets and items', 'data');
  const list = h('ul', `${CARD}-items`);
  const listed = new Set<string>();
  for (const items of card.items) {
    listed.add(items.dataset);
    const item = h('li', `${CARD}-item`);
    item.dataset.dataset = items.dataset;
    item.dataset.asset = items.asset;
    const name = h('div', `${CARD}-itemName`);
    name.appendChild(h('span', `${CARD}-dataset`, items.dataset));
    name.appendChild(h('span', `${CARD}-asset`, ` / ${items.asset}`));
    item.appendChild(name);
    const count =
      items.item_count === null
        ? 'all items'
        : `${items.item_count.toLocaleString()} ${items.item_count === 1 ? 'item' : 'items'}`;
    const facts = h('div', `${CARD}-itemFacts`, `${count} · root `);
    const root = h('code', `${CARD}-root`, shortHash(items.items_root));
    root.title = items.items_root;
    facts.appendChild(root);
    item.appendChild(facts);
    list.appendChild(item);
  }
  for (const dataset of card.datasets) {
    if (!listed.has(dataset)) {
      const item = h('li', `${CARD}-item`);
      item.dataset.dataset = dataset;
      item.appendChild(h('div', `${CARD}-itemName`, dataset));
      list.appendChild(item);
    }
  }
  el.appendChild(list);
  return el;
}

function asText(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

function renderPreview(preview: unknown): HTMLElement {
  const el = section('Result preview', 'preview');
  el.appendChild(h('pre', `${CARD}-previewBody`, asText(preview)));
  return el;
}

function renderReport(report: unknown): HTMLElement {
  const el = section('Release checks', 'report');
  const details = h('details', `${CARD}-reportDetails`);
  details.appendChild(h('summary', undefined, 'Leakage gate report'));
  details.appendChild(h('pre', `${CARD}-previewBody`, asText(report)));
  el.appendChild(details);
  return el;
}

function renderReviews(card: IRequestCard): HTMLElement {
  const el = section('Reviews', 'reviews');
  const list = h('ul', `${CARD}-reviewList`);
  for (const review of card.reviews) {
    const item = h('li', `${CARD}-review`);
    item.dataset.verdict = review.verdict;
    const head = h('div', `${CARD}-reviewHead`);
    head.appendChild(h('span', `${CARD}-verdict`, review.verdict));
    head.appendChild(h('span', `${CARD}-reviewer`, `by ${review.reviewer}`));
    head.appendChild(h('span', `${CARD}-time`, formatTime(review.at)));
    item.appendChild(head);
    item.appendChild(h('div', `${CARD}-reviewNote`, review.note || '(no note)'));
    list.appendChild(item);
  }
  el.appendChild(list);
  return el;
}

function renderActions(card: IRequestCard, onDecide: DecideHandler): HTMLElement {
  const el = h('div', `${CARD}-actions`);
  const label = h('label', `${CARD}-noteLabel`, 'Note to the data scientist (optional)');
  const note = h('textarea', `${CARD}-note`);
  note.rows = 2;
  note.maxLength = 4000;
  note.placeholder = card.stage === 'release' ? 'Why the result may or may not leave…' : 'Why you approve or deny…';
  note.id = `sealroom-note-${card.id}`;
  label.htmlFor = note.id;
  const buttons = h('div', `${CARD}-buttons`);
  const release = card.stage === 'release';
  const approve = h('button', `${CARD}-approve jp-mod-styled`, release ? 'Approve release' : 'Approve');
  const deny = h('button', `${CARD}-deny jp-mod-styled`, release ? 'Withhold' : 'Deny');
  approve.type = deny.type = 'button';
  approve.dataset.action = 'approve';
  deny.dataset.action = 'deny';
  const decide = async (verdict: Verdict): Promise<void> => {
    el.classList.add('jp-mod-busy');
    approve.disabled = deny.disabled = note.disabled = true;
    try {
      await onDecide(card, verdict, note.value.trim());
    } finally {
      el.classList.remove('jp-mod-busy');
      approve.disabled = deny.disabled = note.disabled = false;
    }
  };
  approve.addEventListener('click', () => void decide('approve'));
  deny.addEventListener('click', () => void decide('deny'));
  buttons.append(approve, deny);
  el.append(label, note, buttons);
  return el;
}

/** The card for one request, as a detached element. */
export function renderCard(options: ICardOptions): HTMLElement {
  const { card, languages, onDecide } = options;
  const el = h('article', CARD);
  el.dataset.requestId = card.id;
  el.dataset.state = card.state;
  el.dataset.key = cardKey(card);
  if (card.stage) {
    el.dataset.stage = card.stage;
  }

  const header = h('header', `${CARD}-header`);
  header.appendChild(h('code', `${CARD}-function`, card.function_name));
  const decided = !(onDecide && card.must_review);
  const stage = stageLabel(card);
  const badge = h('span', `${CARD}-badge`, !decided && stage ? stage : card.state.replace(/_/g, ' '));
  badge.classList.add(!decided && stage ? `${CARD}-stage` : `${CARD}-state`);
  badge.dataset.state = card.state;
  header.appendChild(badge);
  el.appendChild(header);

  const meta = h('dl', `${CARD}-meta`);
  const addMeta = (term: string, name: string, value: string, title?: string): void => {
    meta.appendChild(h('dt', undefined, term));
    const dd = h('dd', `${CARD}-${name}`, value);
    if (title) {
      dd.title = title;
    }
    meta.appendChild(dd);
  };
  const { name, display_name } = card.requester;
  addMeta('From', 'requester', display_name && display_name !== name ? `${display_name} · ${name}` : name);
  addMeta('Purpose', 'purpose', card.purpose);
  addMeta('Asked', 'created', formatTime(card.created_at), `${card.created_at}\nrequest ${card.id}`);
  if (decided && card.public_reason) {
    addMeta('Outcome', 'publicReason', card.public_reason);
  }
  el.appendChild(meta);

  // What the decision rests on: shown in full while it waits, folded away once decided.
  const body = decided ? h('details', `${CARD}-details`) : el;
  if (decided) {
    body.appendChild(h('summary', undefined, 'Code, policy decision and data'));
  }
  if (card.release_decision) {
    body.appendChild(renderDecision('Release decision', 'releaseDecision', card.release_decision));
  }
  if (card.decision) {
    body.appendChild(renderDecision('Policy decision', 'decision', card.decision));
  }
  body.appendChild(renderData(card));
  const code = section('Code', 'codeSection');
  const pre = h('pre', `${CARD}-code`);
  code.appendChild(pre);
  body.appendChild(code);
  void highlightCode(pre, card.source, languages);
  if (card.result_preview !== null && card.result_preview !== undefined) {
    body.appendChild(renderPreview(card.result_preview));
  }
  if (card.stage === 'release' && card.leakage_report !== null && card.leakage_report !== undefined) {
    body.appendChild(renderReport(card.leakage_report));
  }
  if (body !== el) {
    el.appendChild(body);
  }
  if (card.reviews.length > 0) {
    el.appendChild(renderReviews(card));
  }
  if (!decided && onDecide) {
    el.appendChild(renderActions(card, onDecide));
  }
  return el;
}
