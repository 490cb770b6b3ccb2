/** The JSON object `text` holds, or undefined for anything else (invalid JSON, an array, a scalar). Never throws. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const raw: unknown = JSON.parse(text);
    return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Session data as decoded: a plain object copied into a null-prototype one, so keys such as `__proto__` stay data. */
export function dataOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.assign(Object.create(null) as Record<string, unknown>, value) : undefined;
}
