/**
 * The left-sidebar panel: the requests the signed-in rights holder must review (Pending) and
 * the ones already decided (History). It polls `GET /sealroom/reviews` while it is visible, so
 * new requests appear without a reload, and re-renders only when the answer's `version` changed.
 */
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { IRequestCard, IReviews, ReviewApiError, ReviewsAPI, Verdict } from './api';
import { cardKey, renderCard } from './card';
import { h } from './dom';

const PANEL = 'jp-SealroomReviewPanel';

export type Tab = 'pending' | 'history';
export type StatusKind = 'info' | 'success' | 'error';

export interface IPanelOptions {
  api?: ReviewsAPI;
  languages?: IEditorLanguageRegistry | null;
  /** Milliseconds between polls while visible (doubles after errors, up to `maxInterval`). */
  interval?: number;
  maxInterval?: number;
}

/** What a request's new state means to the rights holder who just decided on it. */
function stateSentence(card: IRequestCard): string {
  switch (card.state) {
    case 'queued':
    case 'running':
    case 'checking':
      return `it is ${card.state} and runs in the vault`;
    case 'released':
      return 'its result is released to the data scientist';
    case 'rejected':
      return 'it is rejected and will not run';
    case 'withheld':
      return 'its result is withheld';
    case 'pending_review':
      return 'it still waits for the other rights holders';
    case 'release_review':
      return 'its result waits for a release review';
    default:
      return `it is now ${card.state.replace(/_/g, ' ')}`;
  }
}

export function outcomeMessage(verdict: Verdict, card: IRequestCard): string {
  const done = verdict === 'approve' ? 'Approved' : 'Denied';
  return `${done} ${card.function_name} (${card.id}): ${stateSentence(card)}.`;
}

export class ReviewPanel extends Widget {
  constructor(options: IPanelOptions = {}) {
    super();
    this._api = options.api ?? new ReviewsAPI();
    this._languages = options.languages ?? null;
    this._interval = options.interval ?? 3000;
    this._maxInterval = options.maxInterval ?? 30000;
    this._delay = this._interval;
    this.addClass(PANEL);

    const header = h('header', `${PANEL}-header`);
    header.appendChild(h('h2', `${PANEL}-title`, 'Reviews'));
    this._refreshButton = h('button', `${PANEL}-refresh jp-mod-styled`, 'Refresh');
    this._refreshButton.type = 'button';
    this._refreshButton.title = 'Fetch the requests again';
    this._refreshButton.addEventListener('click', () => void this.refresh(true));
    header.appendChild(this._refreshButton);
    this._user = h('div', `${PANEL}-user`, 'Connecting to the vault…');

    this._tabBar = h('div', `${PANEL}-tabs`);
    this._tabBar.setAttribute('role', 'tablist');
    for (const [tab, label] of [['pending', 'Pending'], ['history', 'History']] as const) {
      const button = h('button', `${PANEL}-tab`);
      button.type = 'button';
      button.dataset.tab = tab;
      button.setAttribute('role', 'tab');
      button.appendChild(h('span', `${PANEL}-tabLabel`, label));
      const count = h('span', `${PANEL}-count`, '0');
      count.dataset.count = '0';
      button.appendChild(count);
      button.addEventListener('click', () => this.showTab(tab));
      this._tabBar.appendChild(button);
    }

    this._status = h('div', `${PANEL}-status`);
    this._status.setAttribute('role', 'status');
    this._status.setAttribute('aria-live', 'polite');
    this._status.hidden = true;

    this._lists = {
      pending: h('div', `${PANEL}-list`),
      history: h('div', `${PANEL}-list`)
    };
    this._lists.pending.dataset.tab = 'pending';
    this._lists.history.dataset.tab = 'history';
    this._lists.pending.appendChild(h('p', `${PANEL}-empty`, 'Loading…'));

    const body = h('div', `${PANEL}-body`);
    body.append(this._lists.pending, this._lists.history);
    this.node.append(header, this._user, this._tabBar, this._status, body);
    this.showTab('pending');
  }

  /** The tab shown. */
  get tab(): Tab {
    return this._tab;
  }

  /** The last answer of `GET /sealroom/reviews`, if any. */
  get data(): IReviews | null {
    return this._data;
  }

  showTab(tab: Tab): void {
    this._tab = tab;
    this.node.dataset.tab = tab;
    for (const button of Array.from(this._tabBar.querySelectorAll<HTMLButtonElement>('button'))) {
      const selected = button.dataset.tab === tab;
      button.classList.toggle('jp-mod-selected', selected);
      button.setAttribute('aria-selected', String(selected));
    }
    this._lists.pending.hidden = tab !== 'pending';
    this._lists.history.hidden = tab !== 'history';
  }

  /** Show a message above the lists (the outcome of a decision, or an error). */
  setStatus(message: string, kind: StatusKind = 'info'): void {
    this._status.textContent = message;
    this._status.dataset.kind = kind;
    this._status.hidden = message.length === 0;
  }

  /**
   * Fetch the requests and re-render when they changed (or always, with `force`).
   * Resolves false when the fetch failed (the message is shown).
   */
  async refresh(force = false): Promise<boolean> {
    let data: IReviews;
    try {
      data = await this._api.reviews();
    } catch (error) {
      this._showError(error);
      this.node.dataset.loaded = 'error';
      return false;
    }
    if (this._status.dataset.kind === 'error' && this._status.dataset.source === 'fetch') {
      this.setStatus('');
    }
    if (force || data.version !== this._data?.version) {
      this._data = data;
      this._render(data);
    }
    this.node.dataset.loaded = 'true';
    this.node.dataset.version = data.version;
    return true;
  }

  /** Send the rights holder's verdict, show what it led to, and refresh the lists. */
  async decide(card: IRequestCard, verdict: Verdict, note: string): Promise<void> {
    try {
      const updated = await this._api.decide(card.id, verdict, note);
      this.setStatus(outcomeMessage(verdict, updated), 'success');
      this._status.dataset.source = 'decision';
      this._status.dataset.requestId = card.id;
    } catch (error) {
      this._showError(error, 'decision');
    }
    await this.refresh(true);
  }

  dispose(): void {
    this._stopPolling();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    document.addEventListener('visibilitychange', this);
    this._schedule(0);
  }

  protected onBeforeDetach(msg: Message): void {
    document.removeEventListener('visibilitychange', this);
    this._stopPolling();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._schedule(0);
  }

  /** DOM events: poll at once when the browser tab becomes visible again. */
  handleEvent(event: Event): void {
    if (event.type === 'visibilitychange' && !document.hidden) {
      this._schedule(0);
    }
  }

  private _schedule(delay: number): void {
    this._stopPolling();
    if (this.isDisposed) {
      return;
    }
    this._timer = window.setTimeout(() => void this._tick(), delay);
  }

  private _stopPolling(): void {
    if (this._timer !== null) {
      window.clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** One poll: fetch while visible, then schedule the next (sleeping while hidden). */
  private async _tick(): Promise<void> {
    this._timer = null;
    if (!this.isAttached || !this.isVisible || document.hidden) {
      return; // onAfterShow / visibilitychange start polling again
    }
    const ok = await this.refresh();
    this._delay = ok ? this._interval : Math.min(this._delay * 2, this._maxInterval);
    if (this._timer === null) {
      this._schedule(this._delay);
    }
  }

  private _showError(error: unknown, source = 'fetch'): void {
    const message = error instanceof ReviewApiError ? error.message : `unexpected error: ${String(error)}`;
    this.setStatus(message, 'error');
    this._status.dataset.source = source;
    if (error instanceof ReviewApiError) {
      this._status.dataset.code = error.code;
    }
    if (!this._data) {
      this._lists.pending.replaceChildren(h('p', `${PANEL}-empty`, 'The requests could not be loaded.'));
    }
  }

  private _render(data: IReviews): void {
    const user = data.user;
    const shown = user.display_name || user.name;
    const org = user.org && user.org !== shown ? ` · ${user.org}` : '';
    this._user.textContent = `Signed in as ${shown} (${user.role.replace(/_/g, ' ')}${org})`;
    this._user.title = `vault: ${user.vault_url}`;
    this._renderList('pending', data.pending, 'Nothing waits for your review.');
    this._renderList('history', data.history, 'No decided requests yet.');
    const pending = data.pending.filter(card => card.must_review).length;
    this.title.caption = pending > 0 ? `Sealroom reviews: ${pending} waiting for you` : 'Sealroom reviews';
    this.title.className = pending > 0 ? 'jp-mod-sealroomPending' : '';
  }

  /** Replace a list's cards, reusing the elements of unchanged cards (a note being typed stays). */
  private _renderList(tab: Tab, cards: IRequestCard[], empty: string): void {
    const list = this._lists[tab];
    const previous = new Map<string, HTMLElement>();
    for (const el of Array.from(list.querySelectorAll<HTMLElement>(':scope > article'))) {
      previous.set(el.dataset.key ?? '', el);
    }
    const onDecide = tab === 'pending' ? this.decide.bind(this) : undefined;
    const elements = cards.map(
      card => previous.get(cardKey(card)) ?? renderCard({ card, languages: this._languages, onDecide })
    );
    list.replaceChildren(...(elements.length > 0 ? elements : [h('p', `${PANEL}-empty`, empty)]));
    const count = this._tabBar.querySelector<HTMLElement>(`button[data-tab="${tab}"] .${PANEL}-count`);
    if (count) {
      count.textContent = String(cards.length);
      count.dataset.count = String(cards.length);
    }
  }

  private _api: ReviewsAPI;
  private _languages: IEditorLanguageRegistry | null;
  private _interval: number;
  private _maxInterval: number;
  private _delay: number;
  private _timer: number | null = null;
  private _tab: Tab = 'pending';
  private _data: IReviews | null = null;
  private _user: HTMLElement;
  private _tabBar: HTMLElement;
  private _status: HTMLElement;
  private _refreshButton: HTMLButtonElement;
  private _lists: Record<Tab, HTMLElement>;
}
