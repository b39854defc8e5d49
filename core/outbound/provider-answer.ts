/**
 * Reading what a provider answered, the same way in every adapter: the body as JSON when it is
 * JSON (a proxy's HTML error page or an empty 202 is not, and the status still says what
 * happened), and a failed request described with its cause (`fetch failed (ECONNREFUSED …)`),
 * which is what an operator needs in `lastError`.
 */

/** The answer's body parsed as JSON, or undefined when it is empty, not JSON or unreadable. */
export async function jsonAnswer(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The answer's body when it is one JSON object (a provider's error document), else undefined. */
export async function jsonObjectAnswer(res: Response): Promise<Record<string, unknown> | undefined> {
  const value = await jsonAnswer(res);
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Why a request got no answer: the error's message and, when it wraps one, its cause's. */
export function requestFailure(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
