/**
 * Tiny DOM helpers. Everything that came from the vault (code, purposes, notes, names) is set
 * with `textContent`; nothing in this extension writes `innerHTML`.
 */

/** A new element with a class and, optionally, text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string | null
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) {
    el.className = className;
  }
  if (text !== undefined && text !== null) {
    el.textContent = text;
  }
  return el;
}

/** An ISO time as the reader's local date and time ("" when absent or unreadable). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A hash shortened for display (the full value stays in the title). */
export function shortHash(value: string, length = 12): string {
  return value.length > length ? `${value.slice(0, length)}…` : value;
}
