/** The sign-in link in an SMS's text (tests that read texts from the local SMSC's phones). */
export function linkIn(text: string): string {
  const m = /(https?:\/\/\S+#link=[A-Za-z0-9_-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no sign-in link in: ${text}`);
  return m[1];
}
