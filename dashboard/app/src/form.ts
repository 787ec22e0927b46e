/** Reading text fields from a submitted form (a File entry counts as empty). */
export function formText(data: FormData, name: string): string {
  const v = data.get(name);
  return typeof v === 'string' ? v : '';
}
