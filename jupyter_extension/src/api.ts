/**
 * The REST calls of the review panel: one typed `requestAPI<T>()` over
 * `ServerConnection.makeRequest` (which adds the token and the XSRF header),
 * and the shapes the Sealroom server extension answers with.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** Who is signed in (the rights holder, as the vault knows them). */
export interface IUser {
  name: string;
  display_name: string;
  role: string;
  org: string | null;
  vault_url: string;
  /** True when the server started its own vault (a child process on the demo workspace). */
  embedded?: boolean;
}

/** One reason the policy engine gave. */
export interface IReason {
  policy: string;
  reason: string;
  effect: string;
  dataset: string | null;
}

export interface IDecision {
  outcome: string;
  reasons: IReason[];
}

export interface IItems {
  dataset: string;
  asset: string;
  items_root: string;
  item_count: number | null;
}

export interface IReview {
  reviewer: string;
  verdict: string;
  note: string;
  at: string;
}

/** A request as the panel shows it (one card). */
export interface IRequestCard {
  id: string;
  state: string;
  stage: 'compute' | 'release' | null;
  function_name: string;
  source: string;
  purpose: string;
  requester: { name: string; display_name: string };
  datasets: string[];
  items: IItems[];
  decision: IDecision | null;
  release_decision: IDecision | null;
  reviews: IReview[];
  result_preview: unknown;
  must_review: boolean;
  /** What the data scientist was told (e.g. why it was denied or withheld). */
  public_reason?: string;
  /** The release gate's report, when the result was checked. */
  leakage_report?: unknown;
  created_at: string;
  updated_at: string;
}

export interface IReviews {
  user: IUser;
  pending: IRequestCard[];
  history: IRequestCard[];
  version: string;
}

export type Verdict = 'approve' | 'deny';

/** A refusal from the server extension (`{"error", "message"}`) or the network. */
export class ReviewApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'ReviewApiError';
  }
}

/** The URL prefix of every call: `{baseUrl}sealroom/`. */
export const API_NAMESPACE = 'sealroom';

/**
 * Call `{baseUrl}sealroom/{endpoint}` and return its JSON body.
 *
 * @throws ReviewApiError with the server's message when it answers an error.
 */
export async function requestAPI<T>(
  endpoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ReviewApiError(0, 'network', `could not reach the Jupyter server: ${String(error)}`);
  }
  const text = await response.text();
  let body: any = null;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const code = typeof body?.error === 'string' ? body.error : `http_${response.status}`;
    const message =
      typeof body?.message === 'string' && body.message
        ? body.message
        : `the server answered ${response.status} ${response.statusText}`.trim();
    throw new ReviewApiError(response.status, code, message);
  }
  if (body === null) {
    throw new ReviewApiError(response.status, 'bad_response', 'the server did not answer JSON');
  }
  return body as T;
}

/** The REST API of the Sealroom server extension, as the panel uses it. */
export class ReviewsAPI {
  constructor(private readonly _settings: ServerConnection.ISettings = ServerConnection.makeSettings()) {}

  me(): Promise<IUser> {
    return requestAPI<IUser>('me', {}, this._settings);
  }

  reviews(): Promise<IReviews> {
    return requestAPI<IReviews>('reviews', {}, this._settings);
  }

  request(id: string): Promise<IRequestCard> {
    return requestAPI<IRequestCard>(`reviews/${encodeURIComponent(id)}`, {}, this._settings);
  }

  async decide(id: string, verdict: Verdict, note: string): Promise<IRequestCard> {
    const answer = await requestAPI<{ request: IRequestCard }>(
      `reviews/${encodeURIComponent(id)}/${verdict}`,
      { method: 'POST', body: JSON.stringify({ note }) },
      this._settings
    );
    return answer.request;
  }
}
